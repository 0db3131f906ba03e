"""COUNCIL/1 in Python: codec, signatures, handshake, sealing and the state digest.

An independent implementation written from Spec/PROTOCOL.md alone (no Swift source was read):

- §4      framing: the length prefix, the frame header, the checking order [FRAME-10];
- §5      canonical encoding [ENC-*], the governance message [MSG-*], signatures [SIG-*], IDs [ID-1];
- §6      the payload of each message kind;
- §7      the handshake (HELLO, WELCOME, AUTH, transcript, HKDF) with the checking order of
          [HS-15], and sealed frames [SEAL-*];
- §8, §9  link frames (PING/PONG, MESSAGE/ACK/REJECT, ERROR, SYNC/SYNC_DONE);
- §10     the error registry;
- §12.1   the roster and its hash; §12.2, §12.5-§12.8 and §12.10: the terms of §12 on a closed set
          of accepted messages (AcceptedSet, View: causal past, current keys, revocations, standing
          mandates, tallies) and the state digest. validator.py builds a node's decisions on them.

Every decoder raises ProtocolError with the registry name of the fault it found (§10).
Needs the `cryptography` package.
"""
import hashlib
import json
import struct

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAX_FRAME_LENGTH = 1_048_576          # §11
MAX_REFS = 32                         # [MSG-6]
MAX_SYNC_ENTRIES = 16_384             # [SYNC-2]
AEAD_TAG_LENGTH = 16                  # §7.6
ED25519_ORDER = 2**252 + 27742317777372353535851937790883648493   # L of [SIG-3]
ZERO32 = bytes(32)

# ---------------------------------------------------------------- §10 the registry

ERROR_CODES = {
    'NORMAL_CLOSE': 0x0000, 'MALFORMED_FRAME': 0x0001, 'FRAME_TOO_LARGE': 0x0002,
    'FRAME_TOO_SHORT': 0x0003, 'UNSUPPORTED_VERSION': 0x0004, 'UNKNOWN_FRAME_TYPE': 0x0005,
    'RESERVED_FLAGS': 0x0006, 'UNEXPECTED_FRAME': 0x0007, 'DECRYPTION_FAILED': 0x0008,
    'WRONG_FEDERATION': 0x0010, 'UNKNOWN_COUNCIL': 0x0011, 'AUTHENTICATION_FAILED': 0x0012,
    'HANDSHAKE_TIMEOUT': 0x0013, 'DUPLICATE_LINK': 0x0014, 'SELF_LINK': 0x0015,
    'IDLE_TIMEOUT': 0x0020, 'TOO_MANY_INVALID_FRAMES': 0x0021, 'SLOW_CONSUMER': 0x0022,
    'TOO_MANY_PEERS': 0x0023,
    'MALFORMED_MESSAGE': 0x0100, 'BAD_SIGNATURE': 0x0101, 'UNKNOWN_AUTHOR': 0x0102,
    'BAD_SEQUENCE': 0x0103, 'EQUIVOCATION': 0x0104, 'BAD_TIMESTAMP': 0x0105,
    'DEPENDENCY_REJECTED': 0x0106,
    'NOT_AUTHORISED': 0x0200, 'UNKNOWN_BODY': 0x0201, 'UNKNOWN_SEAT': 0x0202,
    'SEAT_OCCUPIED': 0x0203, 'BAD_WEIGHT': 0x0204, 'UNKNOWN_MANDATE': 0x0205,
    'MANDATE_RECALLED': 0x0206, 'MANDATE_EXPIRED': 0x0207, 'OUT_OF_SCOPE': 0x0208,
    'INSTRUCTION_VIOLATED': 0x0209, 'UNKNOWN_RESOLUTION': 0x020A, 'RESOLUTION_CLOSED': 0x020B,
    'ALREADY_VOTED': 0x020C, 'WRONG_BODY': 0x020D, 'CLOSE_TOO_EARLY': 0x020E,
    'TALLY_MISMATCH': 0x020F, 'COUNCIL_DISSOLVED': 0x0210, 'KEY_REPLACED': 0x0211,
    'RULE_NOT_ALLOWED': 0x0212, 'INVALID_FIELD': 0x0213,
    'STORAGE_UNAVAILABLE': 0x0300, 'PENDING_LIMIT': 0x0301,
}
ERROR_NAMES = {number: name for name, number in ERROR_CODES.items()}


def error_name(code):
    """The registry name of a numeric code, or its hex form for a code the registry lacks (§10.6)."""
    return ERROR_NAMES.get(code, '0x%04X' % code)


class ProtocolError(Exception):
    """A fault of §10; `code` is the registry name."""

    def __init__(self, code, detail=''):
        self.code = code if isinstance(code, str) else error_name(code)
        self.detail = detail
        super().__init__(f'{self.code}: {detail}' if detail else self.code)


class PeerError(ProtocolError):
    """The peer sent ERROR with this code ([LINK-6], [HS-11]): nothing to answer."""


# ---------------------------------------------------------------- §5.2 primitive types

class Reader:
    """Reads canonical values from bytes; every fault is ProtocolError(fault) ([ENC-1], [ENC-2])."""

    def __init__(self, data, fault):
        self.data = bytes(data)
        self.pos = 0
        self.fault = fault

    def fail(self, why):
        raise ProtocolError(self.fault, why)

    def take(self, n):
        if self.pos + n > len(self.data):
            self.fail(f'needs {n} bytes at offset {self.pos}, {len(self.data) - self.pos} remain')
        value = self.data[self.pos:self.pos + n]
        self.pos += n
        return value

    def u8(self):
        return self.take(1)[0]

    def u16(self):
        return struct.unpack('>H', self.take(2))[0]

    def u32(self):
        return struct.unpack('>I', self.take(4))[0]

    def u64(self):
        return struct.unpack('>Q', self.take(8))[0]

    def bytes32(self):
        return self.take(32)

    def signature(self):
        return self.take(64)

    def identifier(self):                                   # [ENC-5]
        n = self.u8()
        if not 1 <= n <= 64:
            self.fail(f'identifier length {n}')
        raw = self.take(n)
        if raw[0] == 0x2D or any(not (0x61 <= c <= 0x7A or 0x30 <= c <= 0x39 or c == 0x2D) for c in raw):
            self.fail('identifier characters')
        return raw.decode('ascii')

    def text(self, maximum):                                # [ENC-6]
        n = self.u16()
        if n > maximum:
            self.fail(f'text of {n} bytes, at most {maximum}')
        try:
            return self.take(n).decode('utf-8', errors='strict')
        except UnicodeDecodeError:
            self.fail('text is not UTF-8')

    def enum(self, allowed):                                # [ENC-8]
        value = self.u8()
        if value not in allowed:
            self.fail(f'enumerated value {value}')
        return value

    def end(self):                                          # [ENC-7]
        if self.pos != len(self.data):
            self.fail(f'{len(self.data) - self.pos} bytes left over')


def enc_u8(v):
    return struct.pack('>B', v)


def enc_u16(v):
    return struct.pack('>H', v)


def enc_u32(v):
    return struct.pack('>I', v)


def enc_u64(v):
    return struct.pack('>Q', v)


def enc_bool(v):
    return b'\x01' if v else b'\x00'


def enc_identifier(s):
    raw = s.encode('ascii')
    return enc_u8(len(raw)) + raw


def enc_text(s):
    raw = s.encode('utf-8')
    return enc_u16(len(raw)) + raw


def require_set(reader, keys):
    """[ENC-9]: strictly ascending byte-wise."""
    if any(not a < b for a, b in zip(keys, keys[1:])):
        reader.fail('set not strictly ascending')


# ---------------------------------------------------------------- keys ([VEC-1], Appendix A)

def test_seed(label):
    return hashlib.sha256(b'COUNCIL/1 TEST SEED ' + label.encode()).digest()


def test_key(label):
    """The Ed25519 key of a test label of Appendix A."""
    return Ed25519PrivateKey.from_private_bytes(test_seed(label))


def public_bytes(private_key):
    """Raw 32-byte public key of an Ed25519 or X25519 private key."""
    return private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def verify_ed25519(public_key, signature, data):
    """[SIG-3]: pure Ed25519; S must be below L."""
    if int.from_bytes(signature[32:], 'little') >= ED25519_ORDER:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, data)
        return True
    except (InvalidSignature, ValueError):
        return False


# ---------------------------------------------------------------- §12.1 the roster

RULE_BITS = {'majority': 0x01, 'two-thirds': 0x02, 'unanimity': 0x04}


class Roster:
    """The roster's JSON form (OPERATOR.md §2.3), its canonical encoding and hash ([ROSTER-2])."""

    def __init__(self, document):
        self.federation = document['federation']
        self.councils = sorted(document['councils'], key=lambda c: c['name'].encode())
        self.bodies = sorted(document.get('bodies', []), key=lambda b: b['name'].encode())
        encoding = enc_identifier(self.federation) + enc_u16(len(self.councils))
        for c in self.councils:
            encoding += enc_identifier(c['name']) + bytes.fromhex(c['key']) + bytes.fromhex(c['electors_key'])
        encoding += enc_u16(len(self.bodies))
        self.seats = {}                       # (body, seat) -> (council, max_weight)
        for b in self.bodies:
            rules = 0
            for rule in b['rules']:
                rules |= RULE_BITS[rule]
            seats = sorted(b['seats'], key=lambda s: s['name'].encode())
            encoding += enc_identifier(b['name']) + enc_u8(rules) + enc_u16(len(seats))
            for s in seats:
                weight = s.get('max_weight', 1)
                encoding += enc_identifier(s['name']) + enc_identifier(s['council']) + enc_u16(weight)
                self.seats[(b['name'], s['name'])] = (s['council'], weight)
        self.encoding = encoding
        self.hash = hashlib.sha256(encoding).digest()
        self.key_of = {c['name']: bytes.fromhex(c['key']) for c in self.councils}

    @classmethod
    def load(cls, path):
        with open(path, encoding='utf-8') as f:
            return cls(json.load(f))


# ---------------------------------------------------------------- §5.3, §6 governance messages

KINDS = {1: 'MANDATE', 2: 'RECALL', 3: 'PROPOSAL', 4: 'VOTE', 5: 'CLOSE', 6: 'REPLACE', 7: 'DISSOLVE'}
KIND_NUMBERS = {v: k for k, v in KINDS.items()}
CHOICES = {1: 'for', 2: 'against', 3: 'abstain'}
CHOICE_NUMBERS = {v: k for k, v in CHOICES.items()}
RULES = {1: 'majority', 2: 'two-thirds', 3: 'unanimity'}
RULE_NUMBERS = {v: k for k, v in RULES.items()}
OUTCOMES = {1: 'adopted', 2: 'rejected', 3: 'no-quorum'}
OUTCOME_NUMBERS = {v: k for k, v in OUTCOMES.items()}
MESSAGE_DOMAIN = b'COUNCIL/1 MESSAGE\x00'                  # [SIG-1]


def decode_payload(kind, r):
    """The payload of §6.2-§6.8, fields named as in the Spec (and Spec/vectors)."""
    if kind == 1:
        p = {'body': r.identifier(), 'seat': r.identifier(), 'delegate': r.bytes32().hex(),
             'weight': r.u16(), 'valid_from': r.u64(), 'valid_until': r.u64()}
        n = r.u8()
        if not 1 <= n <= 32:
            r.fail(f'{n} scope entries')
        p['scope'] = [r.identifier() for _ in range(n)]
        require_set(r, [s.encode() for s in p['scope']])
        n = r.u8()
        if n > 32:
            r.fail(f'{n} instructions')
        p['instructions'] = [{'question': r.identifier(), 'choice': CHOICES[r.enum(CHOICES)]} for _ in range(n)]
        require_set(r, [i['question'].encode() for i in p['instructions']])
        return p
    if kind == 2:
        return {'mandate': r.bytes32().hex(), 'reason': r.text(1024)}
    if kind == 3:
        return {'mandate': r.bytes32().hex(), 'question': r.identifier(), 'kind': r.identifier(),
                'rule': RULES[r.enum(RULES)], 'quorum': r.u16(), 'closes_at': r.u64(),
                'title': r.text(256), 'text': r.text(16384)}
    if kind == 4:
        return {'resolution': r.bytes32().hex(), 'mandate': r.bytes32().hex(),
                'choice': CHOICES[r.enum(CHOICES)], 'statement': r.text(1024)}
    if kind == 5:
        resolution = r.bytes32().hex()
        tally = {'outcome': OUTCOMES[r.enum(OUTCOMES)], 'for': r.u32(), 'against': r.u32(),
                 'abstain': r.u32(), 'seats_voted': r.u16()}
        return {'resolution': resolution, 'tally': tally}
    if kind == 6:
        return {'council': r.identifier(), 'new_key': r.bytes32().hex(), 'reason': r.text(1024)}
    return {'council': r.identifier(), 'statement': r.text(1024)}


def encode_payload(kind, p):
    if kind == 1:
        scope = sorted(p['scope'], key=str.encode)
        instructions = sorted(p.get('instructions', []), key=lambda i: i['question'].encode())
        return (enc_identifier(p['body']) + enc_identifier(p['seat']) + bytes.fromhex(p['delegate'])
                + enc_u16(p['weight']) + enc_u64(p['valid_from']) + enc_u64(p['valid_until'])
                + enc_u8(len(scope)) + b''.join(enc_identifier(s) for s in scope)
                + enc_u8(len(instructions))
                + b''.join(enc_identifier(i['question']) + enc_u8(CHOICE_NUMBERS[i['choice']]) for i in instructions))
    if kind == 2:
        return bytes.fromhex(p['mandate']) + enc_text(p['reason'])
    if kind == 3:
        return (bytes.fromhex(p['mandate']) + enc_identifier(p['question']) + enc_identifier(p['kind'])
                + enc_u8(RULE_NUMBERS[p['rule']]) + enc_u16(p['quorum']) + enc_u64(p['closes_at'])
                + enc_text(p['title']) + enc_text(p['text']))
    if kind == 4:
        return (bytes.fromhex(p['resolution']) + bytes.fromhex(p['mandate'])
                + enc_u8(CHOICE_NUMBERS[p['choice']]) + enc_text(p['statement']))
    if kind == 5:
        t = p['tally']
        return (bytes.fromhex(p['resolution']) + enc_u8(OUTCOME_NUMBERS[t['outcome']]) + enc_u32(t['for'])
                + enc_u32(t['against']) + enc_u32(t['abstain']) + enc_u16(t['seats_voted']))
    if kind == 6:
        return enc_identifier(p['council']) + bytes.fromhex(p['new_key']) + enc_text(p['reason'])
    return enc_identifier(p['council']) + enc_text(p['statement'])


def decode_message(data):
    """Canonical decoding of a governance message (§5.3, [MSG-1]-[MSG-7]); MALFORMED_MESSAGE on any fault.

    Returns the fields as Spec/vectors/messages.json lists them (bytes as hex)."""
    if len(data) < 64:
        raise ProtocolError('MALFORMED_MESSAGE', 'shorter than a signature')
    r = Reader(data[:-64], 'MALFORMED_MESSAGE')
    kind = r.enum(KINDS)
    author, sequence, timestamp, prev = r.bytes32(), r.u64(), r.u64(), r.bytes32()
    if sequence < 1:
        r.fail('sequence 0')
    if (prev == ZERO32) != (sequence == 1):
        r.fail('prev is zero exactly when sequence is 1')
    n = r.u8()
    if n > MAX_REFS:
        r.fail(f'{n} refs')
    refs = [r.bytes32() for _ in range(n)]
    require_set(r, refs)
    if ZERO32 in refs or prev in refs:
        r.fail('refs hold the zero ID or prev')
    payload = decode_payload(kind, r)
    r.end()
    return {'kind': KINDS[kind], 'author': author.hex(), 'sequence': sequence, 'timestamp': timestamp,
            'prev': prev.hex(), 'refs': [x.hex() for x in refs], 'payload': payload,
            'signature': data[-64:].hex()}


def encode_unsigned(m):
    """A message's bytes without its signature, from the fields decode_message returns."""
    kind = KIND_NUMBERS[m['kind']]
    refs = sorted(bytes.fromhex(x) for x in m['refs'])
    return (enc_u8(kind) + bytes.fromhex(m['author']) + enc_u64(m['sequence']) + enc_u64(m['timestamp'])
            + bytes.fromhex(m['prev']) + enc_u8(len(refs)) + b''.join(refs) + encode_payload(kind, m['payload']))


def encode_message(m):
    return encode_unsigned(m) + bytes.fromhex(m['signature'])


def signing_input(roster_hash, unsigned):
    """[SIG-1]."""
    return MESSAGE_DOMAIN + roster_hash + unsigned


def verify_message(roster_hash, data):
    """[SIG-3] for a message that decoded."""
    return verify_ed25519(data[1:33], data[-64:], signing_input(roster_hash, data[:-64]))


def message_id(data):
    """[ID-1]."""
    return hashlib.sha256(data).digest()


def build_message(private_key, roster_hash, kind, sequence, prev, timestamp, payload, refs=()):
    """Sign a message ([SIG-2]); prev and refs are raw IDs (prev None for sequence 1). Returns its bytes."""
    unsigned = encode_unsigned({'kind': kind, 'author': public_bytes(private_key).hex(), 'sequence': sequence,
                                'timestamp': timestamp, 'prev': (prev or ZERO32).hex(),
                                'refs': [x.hex() for x in refs], 'payload': payload})
    return unsigned + private_key.sign(signing_input(roster_hash, unsigned))


# ---------------------------------------------------------------- §4, §8, §9 frames

FRAME_TYPES = {0x01: 'HELLO', 0x02: 'WELCOME', 0x03: 'AUTH', 0x04: 'ERROR', 0x10: 'PING', 0x11: 'PONG',
               0x20: 'MESSAGE', 0x21: 'ACK', 0x22: 'REJECT', 0x30: 'SYNC', 0x31: 'SYNC_DONE'}
FRAME_TYPE_NUMBERS = {v: k for k, v in FRAME_TYPES.items()}


def decode_body(frame_type, body):
    """A body of a defined frame type (§4.3); MALFORMED_FRAME on any fault ([FRAME-7])."""
    r = Reader(body, 'MALFORMED_FRAME')
    name = FRAME_TYPES[frame_type]
    d = {'type': name}
    if name == 'HELLO':
        d.update(min_version=r.u8(), max_version=r.u8(), roster_hash=r.bytes32().hex(),
                 council=r.identifier(), ephemeral=r.bytes32().hex())
        if not 1 <= d['min_version'] <= d['max_version']:
            r.fail('min_version must be 1..max_version')                          # [HS-2]
    elif name == 'WELCOME':
        d.update(version=r.u8(), roster_hash=r.bytes32().hex(), council=r.identifier(),
                 ephemeral=r.bytes32().hex(), signature=r.signature().hex())
    elif name == 'AUTH':
        d['signature'] = r.signature().hex()
    elif name in ('ERROR', 'REJECT'):
        if name == 'REJECT':
            d['id'] = r.bytes32().hex()
        d['code'] = r.u16()
        d['code_name'] = error_name(d['code'])
        d['detail'] = r.text(1024)
    elif name in ('PING', 'PONG'):
        d['nonce'] = r.u64()
    elif name == 'MESSAGE':
        if not body:
            r.fail('empty MESSAGE')                                                  # [ACK-1]
        d['message'] = r.take(len(body))
    elif name == 'ACK':
        d['id'] = r.bytes32().hex()
        d['status'] = r.enum({0, 1, 2})
    elif name == 'SYNC':
        n = r.u16()
        if n > MAX_SYNC_ENTRIES:
            r.fail(f'{n} SYNC entries')
        entries = [(r.bytes32(), r.u64()) for _ in range(n)]
        if any(sequence == 0 for _, sequence in entries):
            r.fail('SYNC entry with sequence 0')
        require_set(r, [author for author, _ in entries])
        d['entries'] = [{'author': a.hex(), 'sequence': s} for a, s in entries]
    elif name == 'SYNC_DONE':
        d['count'] = r.u32()
    r.end()
    return d


def encode_body(d):
    name = d['type']
    if name == 'HELLO':
        return (enc_u8(d['min_version']) + enc_u8(d['max_version']) + bytes.fromhex(d['roster_hash'])
                + enc_identifier(d['council']) + bytes.fromhex(d['ephemeral']))
    if name == 'WELCOME':
        return (enc_u8(d['version']) + bytes.fromhex(d['roster_hash']) + enc_identifier(d['council'])
                + bytes.fromhex(d['ephemeral']) + bytes.fromhex(d['signature']))
    if name == 'AUTH':
        return bytes.fromhex(d['signature'])
    if name == 'ERROR':
        return enc_u16(d['code']) + enc_text(d['detail'])
    if name in ('PING', 'PONG'):
        return enc_u64(d['nonce'])
    if name == 'MESSAGE':
        return d['message']
    if name == 'ACK':
        return bytes.fromhex(d['id']) + enc_u8(d['status'])
    if name == 'REJECT':
        return bytes.fromhex(d['id']) + enc_u16(d['code']) + enc_text(d['detail'])
    if name == 'SYNC':
        return enc_u16(len(d['entries'])) + b''.join(
            bytes.fromhex(e['author']) + enc_u64(e['sequence']) for e in d['entries'])
    if name == 'SYNC_DONE':
        return enc_u32(d['count'])
    raise ValueError(f'cannot encode frame type {name}')


def encode_content(d, version=1, flags=0):
    """Frame content (§4.2): version ‖ type ‖ flags ‖ body."""
    return bytes([version, FRAME_TYPE_NUMBERS[d['type']], flags]) + encode_body(d)


def with_length(content):
    """A plaintext frame: the 4-byte length prefix ‖ content (§4.1)."""
    return enc_u32(len(content)) + content


def error_frame(code_name, detail=''):
    return {'type': 'ERROR', 'code': ERROR_CODES[code_name], 'detail': detail}


def check_length(length, sealed):
    """[FRAME-2], [FRAME-3]: judged from the prefix alone."""
    if length > MAX_FRAME_LENGTH:
        raise ProtocolError('FRAME_TOO_LARGE', f'declared length {length}')
    if length < (3 + AEAD_TAG_LENGTH if sealed else 3):
        raise ProtocolError('FRAME_TOO_SHORT', f'declared length {length}')


def decode_content(content):
    """[FRAME-10] after the length: version, type, flags, body. An extension type (>= 0x80) ends the
    checks and decodes to {'type': 'TYPE_0xNN'} ([FRAME-9]); the handshake phase check ([HS-9]) is the
    caller's, last."""
    if content[0] != 1:
        raise ProtocolError('UNSUPPORTED_VERSION', f'frame version {content[0]}')      # [FRAME-4]
    frame_type = content[1]
    if frame_type >= 0x80:
        return {'type': 'TYPE_0x%02X' % frame_type}
    if frame_type not in FRAME_TYPES:
        raise ProtocolError('UNKNOWN_FRAME_TYPE', f'type 0x{frame_type:02X}')           # [FRAME-6]
    if content[2] != 0:
        raise ProtocolError('RESERVED_FLAGS', f'flags 0x{content[2]:02X}')              # [FRAME-5]
    return decode_body(frame_type, content[3:])


def decode_plaintext_frame(wire):
    """One whole plaintext frame, prefix included (the handshake phase, and vector mode)."""
    if len(wire) < 4:
        raise ProtocolError('FRAME_TOO_SHORT', 'no length prefix')
    length = struct.unpack('>I', wire[:4])[0]
    check_length(length, sealed=False)
    if len(wire) - 4 != length:
        raise ProtocolError('MALFORMED_FRAME', f'declared {length} bytes, {len(wire) - 4} follow')
    return decode_content(wire[4:])


# ---------------------------------------------------------------- §7 the handshake and sealed frames

def handshake_signing_input(label, transcript_hash):
    """`COUNCIL/1 WELCOME\\0 ‖ T1`, `COUNCIL/1 AUTH\\0 ‖ T2` ([HS-6])."""
    return b'COUNCIL/1 ' + label + b'\x00' + transcript_hash


def x25519_shared(ephemeral, peer_share):
    """The X25519 shared secret ([HS-8]): all zero for a low-order share, which `cryptography` refuses
    itself with ValueError and derive_session_keys then refuses as AUTHENTICATION_FAILED."""
    try:
        return ephemeral.exchange(X25519PublicKey.from_public_bytes(peer_share))
    except ValueError:
        return ZERO32


def derive_session_keys(shared_secret, t3):
    """[HS-8]: HKDF-SHA256, salt T3, info `COUNCIL/1 SESSION` (no zero byte); (initiator->responder, back)."""
    if shared_secret == ZERO32:
        raise ProtocolError('AUTHENTICATION_FAILED', 'X25519 share gives the all-zero secret')
    okm = HKDF(algorithm=hashes.SHA256(), length=64, salt=t3, info=b'COUNCIL/1 SESSION').derive(shared_secret)
    return okm[:32], okm[32:]


class Sealer:
    """One direction of a sealed link ([SEAL-1], [SEAL-2]): ChaCha20-Poly1305, nonce = 0^4 ‖ counter."""

    def __init__(self, key, counter=0):
        self.aead = ChaCha20Poly1305(key)
        self.counter = counter

    def nonce(self):
        return bytes(4) + enc_u64(self.counter)

    def seal(self, content):
        """Frame content -> a whole sealed frame, prefix included."""
        prefix = enc_u32(len(content) + AEAD_TAG_LENGTH)
        sealed = self.aead.encrypt(self.nonce(), content, prefix)
        self.counter += 1
        return prefix + sealed

    def open(self, prefix, sealed):
        """[SEAL-3]: DECRYPTION_FAILED when the frame does not open."""
        try:
            content = self.aead.decrypt(self.nonce(), sealed, prefix)
        except InvalidTag:
            raise ProtocolError('DECRYPTION_FAILED', f'sealed frame {self.counter} does not open') from None
        self.counter += 1
        return content


def check_peer_hello_or_welcome(roster, own_council, d):
    """[HS-15] after the frame and version checks: roster hash, SELF_LINK, UNKNOWN_COUNCIL."""
    if bytes.fromhex(d['roster_hash']) != roster.hash:
        raise ProtocolError('WRONG_FEDERATION', 'roster hash ' + d['roster_hash'])   # [HS-4]
    if d['council'] == own_council:
        raise ProtocolError('SELF_LINK', d['council'])                                 # [HS-5]
    if d['council'] not in roster.key_of:
        raise ProtocolError('UNKNOWN_COUNCIL', d['council'])                          # [HS-5]


def expect_handshake_frame(wire, wanted):
    """Decode a plaintext handshake frame ([FRAME-10]); a peer's ERROR is raised as its code ([HS-11]);
    any other type, extension types included, is UNEXPECTED_FRAME ([HS-9], the last check)."""
    d = decode_plaintext_frame(wire)
    if d['type'] == 'ERROR':
        raise PeerError(d['code'], 'the peer refused the handshake: ' + d['detail'])
    if d['type'] != wanted:
        raise ProtocolError('UNEXPECTED_FRAME', f"{d['type']} where {wanted} was due")
    return d


class Initiator:
    """The initiator's handshake as a state machine over whole frames (bytes in, bytes out).

    `current_keys` maps council -> key it authenticates with ([HS-13]); default: the roster's."""

    def __init__(self, roster, council, private_key, ephemeral=None, current_keys=None):
        self.roster = roster
        self.council = council
        self.private_key = private_key
        self.ephemeral = ephemeral or X25519PrivateKey.generate()                      # [HS-1]
        self.current_keys = current_keys or roster.key_of
        self.hello_frame = None

    def hello(self):
        self.hello_frame = with_length(encode_content({
            'type': 'HELLO', 'min_version': 1, 'max_version': 1, 'roster_hash': self.roster.hash.hex(),
            'council': self.council, 'ephemeral': public_bytes(self.ephemeral).hex()}))
        return self.hello_frame

    def on_welcome(self, wire):
        """Check WELCOME ([HS-15] order), return the AUTH frame; sets peer, t1..t3, send/receive Sealers."""
        d = expect_handshake_frame(wire, 'WELCOME')
        if d['version'] != 1:
            raise ProtocolError('UNSUPPORTED_VERSION', f"WELCOME chose version {d['version']}")
        check_peer_hello_or_welcome(self.roster, self.council, d)
        self.peer = d['council']
        welcome_signature = bytes.fromhex(d['signature'])
        self.t1 = hashlib.sha256(self.hello_frame + wire[:-64]).digest()
        if not verify_ed25519(self.current_keys[self.peer], welcome_signature,
                              handshake_signing_input(b'WELCOME', self.t1)):
            raise ProtocolError('AUTHENTICATION_FAILED', 'WELCOME signature')        # [HS-7]
        shared = x25519_shared(self.ephemeral, bytes.fromhex(d['ephemeral']))
        self.t2 = hashlib.sha256(self.t1 + welcome_signature).digest()
        auth_signature = self.private_key.sign(handshake_signing_input(b'AUTH', self.t2))
        self.t3 = hashlib.sha256(self.t2 + auth_signature).digest()
        self.key_to_responder, self.key_to_initiator = derive_session_keys(shared, self.t3)
        self.send_sealer, self.receive_sealer = Sealer(self.key_to_responder), Sealer(self.key_to_initiator)
        return with_length(encode_content({'type': 'AUTH', 'signature': auth_signature.hex()}))


class Responder:
    """The responder's handshake as a state machine over whole frames."""

    def __init__(self, roster, council, private_key, ephemeral=None, current_keys=None):
        self.roster = roster
        self.council = council
        self.private_key = private_key
        self.ephemeral = ephemeral or X25519PrivateKey.generate()
        self.current_keys = current_keys or roster.key_of

    def on_hello(self, wire):
        """Check HELLO ([HS-15] order), return the WELCOME frame."""
        d = expect_handshake_frame(wire, 'HELLO')
        if d['max_version'] < 1 or d['min_version'] > 1:
            raise ProtocolError('UNSUPPORTED_VERSION', 'no common version')           # [HS-3]
        check_peer_hello_or_welcome(self.roster, self.council, d)
        self.peer = d['council']
        self.peer_ephemeral = bytes.fromhex(d['ephemeral'])
        unsigned = with_length(encode_content({
            'type': 'WELCOME', 'version': 1, 'roster_hash': self.roster.hash.hex(), 'council': self.council,
            'ephemeral': public_bytes(self.ephemeral).hex(), 'signature': '00' * 64}))[:-64]
        self.t1 = hashlib.sha256(wire + unsigned).digest()
        welcome_signature = self.private_key.sign(handshake_signing_input(b'WELCOME', self.t1))
        self.t2 = hashlib.sha256(self.t1 + welcome_signature).digest()
        return unsigned + welcome_signature

    def on_auth(self, wire):
        """Check AUTH; on success the handshake is complete and the Sealers are set."""
        d = expect_handshake_frame(wire, 'AUTH')
        auth_signature = bytes.fromhex(d['signature'])
        if not verify_ed25519(self.current_keys[self.peer], auth_signature,
                              handshake_signing_input(b'AUTH', self.t2)):
            raise ProtocolError('AUTHENTICATION_FAILED', 'AUTH signature')           # [HS-7]
        self.t3 = hashlib.sha256(self.t2 + auth_signature).digest()
        shared = x25519_shared(self.ephemeral, self.peer_ephemeral)
        self.key_to_responder, self.key_to_initiator = derive_session_keys(shared, self.t3)
        self.send_sealer, self.receive_sealer = Sealer(self.key_to_initiator), Sealer(self.key_to_responder)


# ---------------------------------------------------------------- §12.2, §12.5-§12.8, §12.10 semantics

class AcceptedSet:
    """A closed set A of accepted messages (id -> bytes), the causal order on it (§12.2) and the state
    digest of §12.10.

    The terms of §12 are defined on a closed set V; `view(frontier)` gives V as a sub-set of A named by
    its frontier (author -> highest sequence number in V), `view()` gives A itself. Both the digest
    (V = A) and validator.py (V = past(m)) use the same View, so the semantics live in one place."""

    def __init__(self, roster, messages=()):
        self.roster = roster
        self.raw, self.msgs, self.frontier = {}, {}, {}
        self.chain = {}                                     # (author bytes, sequence) -> id
        self.by_kind = {kind: [] for kind in KINDS.values()}
        self.head = {}                                      # author bytes -> highest sequence in A
        items = messages.items() if isinstance(messages, dict) else messages
        for mid, raw in items:
            self._index(mid, raw, decode_message(raw))
        for mid in list(self.msgs):
            self._frontier_of(mid)

    def _index(self, mid, raw, m):
        self.raw[mid], self.msgs[mid] = raw, m
        author = bytes.fromhex(m['author'])
        self.chain[(author, m['sequence'])] = mid
        self.by_kind[m['kind']].append(mid)
        self.head[author] = max(self.head.get(author, 0), m['sequence'])

    def add(self, mid, raw, m=None):
        """Add one accepted message whose prev and refs are already in the set."""
        self._index(mid, raw, m or decode_message(raw))
        self._frontier_of(mid)

    @staticmethod
    def dependencies(m):
        """prev (unless zero) and refs, as raw IDs."""
        return [bytes.fromhex(x) for x in [m['prev']] + m['refs'] if bytes.fromhex(x) != ZERO32]

    def frontier_of_dependencies(self, deps):
        """The frontier of the closed set formed by deps (raw IDs in the set) and their pasts."""
        merged = {}
        for d in deps:
            dm = self.msgs[d]
            for author, seq in list(self.frontier[d].items()) + [(bytes.fromhex(dm['author']), dm['sequence'])]:
                if merged.get(author, 0) < seq:
                    merged[author] = seq
        return merged

    def _frontier_of(self, mid):
        """author -> highest sequence in past(mid); iterative to stay clear of recursion limits."""
        stack = [mid]
        while stack:
            top = stack[-1]
            if top in self.frontier:
                stack.pop()
                continue
            deps = self.dependencies(self.msgs[top])
            missing = [d for d in deps if d not in self.frontier]
            if missing:
                unknown = [d for d in missing if d not in self.msgs]
                if unknown:
                    raise ValueError(f'set is not closed: {unknown[0].hex()} missing')
                stack.extend(missing)
                continue
            self.frontier[top] = self.frontier_of_dependencies(deps)
            stack.pop()

    def in_past(self, x, y):
        """x ∈ past(y) (§12.2)."""
        mx = self.msgs[x]
        return self.frontier[y].get(bytes.fromhex(mx['author']), 0) >= mx['sequence']

    def view(self, frontier=None):
        """The closed set V named by frontier (None: the whole set A)."""
        return View(self, self.head if frontier is None else frontier)

    def past(self, deps):
        """past(m) for a message whose dependencies (raw IDs) are all in the set."""
        return self.view(self.frontier_of_dependencies(deps))

    def digest(self):
        """[DIGEST-1]."""
        return self.view().digest()


class View:
    """A closed set V ⊆ A (§12.2), named by its frontier; every term of §12 "in V"."""

    def __init__(self, aset, frontier):
        self.aset, self.roster, self.frontier, self.msgs = aset, aset.roster, frontier, aset.msgs

    def has(self, mid):
        m = self.msgs.get(mid)
        return m is not None and self.frontier.get(bytes.fromhex(m['author']), 0) >= m['sequence']

    def of_kind(self, kind):
        return [(mid, self.msgs[mid]) for mid in self.aset.by_kind[kind] if self.has(mid)]

    def ids(self):
        return [mid for mid in self.msgs if self.has(mid)]

    def in_past(self, x, y):
        return self.aset.in_past(x, y)

    # -- councils and keys (§12.2, §12.6)

    def current_keys(self):
        """Per council: the roster key, or the new_key of its REPLACE in V with the highest sequence."""
        keys = {name: (0, key) for name, key in self.roster.key_of.items()}
        for _, m in self.of_kind('REPLACE'):
            council = m['payload']['council']
            if m['sequence'] > keys[council][0]:
                keys[council] = (m['sequence'], bytes.fromhex(m['payload']['new_key']))
        return {name: key for name, (_, key) in keys.items()}

    def retired_keys(self):
        """Keys that were some council's current key (the roster's, or a REPLACE's in V) and are not now."""
        current = self.current_keys()
        retired = set()
        for name, key in self.roster.key_of.items():
            if key != current[name]:
                retired.add(key)
        for _, m in self.of_kind('REPLACE'):
            key = bytes.fromhex(m['payload']['new_key'])
            if key != current[m['payload']['council']]:
                retired.add(key)
        return retired

    def dissolved(self):
        return {m['payload']['council'] for _, m in self.of_kind('DISSOLVE')}

    def known_authors(self):
        """[CORE-8]: roster council and electors keys, REPLACE new_keys and MANDATE delegates in V."""
        keys = {bytes.fromhex(c['key']) for c in self.roster.councils}
        keys |= {bytes.fromhex(c['electors_key']) for c in self.roster.councils}
        keys |= {bytes.fromhex(m['payload']['new_key']) for _, m in self.of_kind('REPLACE')}
        keys |= {bytes.fromhex(m['payload']['delegate']) for _, m in self.of_kind('MANDATE')}
        return keys

    # -- mandates (§12.5)

    def seat_council(self, mandate):
        p = mandate['payload']
        return self.roster.seats[(p['body'], p['seat'])][0]

    def revocation_events(self, mandate_id):
        """§12.5: RECALLs of M, DISSOLVEs of M's council, REPLACEs of M's council concurrent with M, in V."""
        council = self.seat_council(self.msgs[mandate_id])
        events = []
        for kind in ('RECALL', 'DISSOLVE', 'REPLACE'):
            for mid, m in self.of_kind(kind):
                p = m['payload']
                if kind == 'RECALL' and p['mandate'] == mandate_id.hex():
                    events.append(mid)
                elif kind == 'DISSOLVE' and p['council'] == council:
                    events.append(mid)
                elif (kind == 'REPLACE' and p['council'] == council
                      and not self.in_past(mid, mandate_id) and not self.in_past(mandate_id, mid)):
                    events.append(mid)
        return events

    def standing(self, mandate_id):
        return self.has(mandate_id) and not self.revocation_events(mandate_id)

    def standing_mandates(self):
        return [mid for mid, _ in self.of_kind('MANDATE') if not self.revocation_events(mid)]

    def occupies(self, mandate_id, t):
        """A standing mandate occupies its seat at time t when t < valid_until (§12.5)."""
        return self.standing(mandate_id) and t < self.msgs[mandate_id]['payload']['valid_until']

    # -- resolutions (§12.7, §12.8)

    def body_of_resolution(self, resolution_id):
        return self.msgs[bytes.fromhex(self.msgs[resolution_id]['payload']['mandate'])]['payload']['body']

    def counted(self, vote_id):
        """[TALLY-1]: no revocation event of the vote's mandate in V lacks the vote in its past."""
        mandate_id = bytes.fromhex(self.msgs[vote_id]['payload']['mandate'])
        return all(self.in_past(vote_id, e) for e in self.revocation_events(mandate_id))

    def tally(self, resolution_id):
        """The tally of a resolution in V (§12.8): {outcome, for, against, abstain, seats_voted}."""
        proposal = self.msgs[resolution_id]['payload']
        counted = {}                                         # (body, seat) -> [vote ids]
        for vid, v in self.of_kind('VOTE'):
            if v['payload']['resolution'] != resolution_id.hex() or not self.counted(vid):
                continue
            mp = self.msgs[bytes.fromhex(v['payload']['mandate'])]['payload']
            counted.setdefault((mp['body'], mp['seat']), []).append(vid)
        sums = {'for': 0, 'against': 0, 'abstain': 0}
        for votes in counted.values():                                                  # [TALLY-2]
            latest = [v for v in votes if all(o == v or self.in_past(o, v) for o in votes)]
            vote = self.msgs[latest[0] if latest else min(votes)]['payload']
            sums[vote['choice']] += self.msgs[bytes.fromhex(vote['mandate'])]['payload']['weight']   # [TALLY-3]
        f, a, seats = sums['for'], sums['against'], len(counted)
        if seats < proposal['quorum']:                                                  # [TALLY-4]
            outcome = 'no-quorum'
        elif proposal['rule'] == 'majority':
            outcome = 'adopted' if f > a else 'rejected'
        elif proposal['rule'] == 'two-thirds':
            outcome = 'adopted' if f > 0 and 3 * f >= 2 * (f + a) else 'rejected'
        else:
            outcome = 'adopted' if f > 0 and a == 0 else 'rejected'
        return {'outcome': outcome, 'for': f, 'against': a, 'abstain': sums['abstain'], 'seats_voted': seats}

    def closes_of(self, resolution_id):
        return [(cid, m) for cid, m in self.of_kind('CLOSE') if m['payload']['resolution'] == resolution_id.hex()]

    def effective_close(self, resolution_id):
        """[CLOSE-5]: lowest timestamp, then lowest ID; None when the resolution is open in V."""
        closes = [(m['timestamp'], cid) for cid, m in self.closes_of(resolution_id)]
        return min(closes)[1] if closes else None

    # -- §12.10

    def digest(self):
        """[DIGEST-1] of V."""
        ids = sorted(self.ids())
        out = b'COUNCIL/1 STATE\x00' + self.roster.hash + enc_u64(len(ids)) + hashlib.sha256(b''.join(ids)).digest()
        keys, dissolved = self.current_keys(), self.dissolved()
        out += enc_u16(len(self.roster.councils))
        for c in self.roster.councils:
            out += enc_identifier(c['name']) + keys[c['name']] + enc_bool(c['name'] in dissolved)
        standing = sorted(self.standing_mandates())
        out += enc_u32(len(standing)) + b''.join(standing)
        resolutions = sorted(mid for mid, _ in self.of_kind('PROPOSAL'))
        out += enc_u32(len(resolutions))
        for rid in resolutions:
            close = self.effective_close(rid)
            t = self.msgs[close]['payload']['tally'] if close else self.tally(rid)
            out += rid + enc_bool(close is not None) + (close or b'')
            out += (enc_u8(OUTCOME_NUMBERS[t['outcome']]) + enc_u32(t['for']) + enc_u32(t['against'])
                    + enc_u32(t['abstain']) + enc_u16(t['seats_voted']))
        return hashlib.sha256(out).digest()
