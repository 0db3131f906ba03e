"""Check every vector of Spec/vectors/*.json against council1.py, as Spec/vectors/README.md describes.

    python3 Interop/python/check_vectors.py [--spec SPEC_DIR] [-v]

Prints a pass/fail count per file (and each failure); exits 0 if all pass, 1 if any fails, 2 if it
cannot run (the `cryptography` module is missing, or a file cannot be read).
"""
import argparse
import json
import os
import sys

sys.dont_write_bytecode = True      # keep the source folder clean

try:
    import cryptography  # noqa: F401  (council1 needs it; say so in one line)
except ImportError:
    print('check_vectors.py: the Python module "cryptography" is missing (pip install cryptography)')
    sys.exit(2)

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from council1 import (Initiator, ProtocolError, Responder, Roster, Sealer, check_length, decode_content,
                      decode_message, decode_plaintext_frame, encode_content, encode_message,
                      handshake_signing_input, message_id, public_bytes, signing_input, test_key, test_seed,
                      verify_message, with_length)

HERE = os.path.dirname(os.path.abspath(__file__))
TEST_LABELS = (['budapest', 'csepel', 'gyor', 'miskolc', 'pecs', 'szolnok', 'csepel-new']
               + [f'electors-{c}' for c in ('budapest', 'csepel', 'gyor', 'miskolc', 'pecs', 'szolnok')]
               + [f'delegate-{i}' for i in range(1, 13)])


class Results:
    def __init__(self):
        self.by_file = {}

    def record(self, file, name, ok, why=''):
        self.by_file.setdefault(file, []).append((name, ok, why))

    def expect_error(self, file, vector, error):
        """An invalid vector must be refused with its listed error; a valid one not at all."""
        if vector['valid']:
            self.record(file, vector['name'], False, f'refused: {error}')
        else:
            self.record(file, vector['name'], error.code == vector['error'],
                        f"refused with {error.code}, want {vector['error']}")


def check_plaintext_frame(wire, roster_hash):
    """README: §4.4 without [HS-9], then for MESSAGE §5.6 up to and including the signature."""
    d = decode_plaintext_frame(wire)
    if d['type'] == 'MESSAGE':
        message = decode_message(d['message'])
        if not verify_message(roster_hash, d['message']):
            raise ProtocolError('BAD_SIGNATURE', 'signature does not verify')
        d = dict(d, decoded_message=message)
    return d


def decode_or_refuse(file, v, wire, roster_hash, results):
    """The decoded frame of a valid vector; None once an invalid one's refusal is recorded."""
    try:
        d = check_plaintext_frame(wire, roster_hash)
    except ProtocolError as e:
        results.expect_error(file, v, e)
        return None
    if not v['valid']:
        results.record(file, v['name'], False, f"accepted, want {v['error']}")
        return None
    return d


def check_frames(vectors, roster, results):
    for v in vectors:
        wire = bytes.fromhex(v['frame'])
        d = decode_or_refuse('frames', v, wire, roster.hash, results)
        if d is None:
            continue
        d.pop('decoded_message', None)
        if d != v['decoded']:
            results.record('frames', v['name'], False, f"decoded {d}, want {v['decoded']}")
        elif not d['type'].startswith('TYPE_0x') and with_length(encode_content(d)) != wire:
            results.record('frames', v['name'], False, 're-encoding differs')
        else:
            results.record('frames', v['name'], True)


def check_messages(vectors, roster, results):
    keys = {public_bytes(test_key(label)).hex(): test_key(label) for label in TEST_LABELS}
    for v in vectors:
        wire = bytes.fromhex(v['frame'])
        roster_hash = bytes.fromhex(v.get('roster_hash', roster.hash.hex()))
        d = decode_or_refuse('messages', v, wire, roster_hash, results)
        if d is None:
            continue
        m, raw = d['decoded_message'], d['message']
        problems = []
        if m != v['message']:
            problems.append(f"fields {m} != {v['message']}")
        if encode_message(v['message']) != raw:
            problems.append('re-encoding from the listed fields differs')
        if signing_input(roster_hash, raw[:-64]).hex() != v['signing_input']:
            problems.append('signing input')
        if raw[-64:].hex() != v['signature']:
            problems.append('signature')
        if message_id(raw).hex() != v['id']:
            problems.append('id')
        key = keys.get(m['author'])
        if key is None:
            problems.append('author is not a test key')
        elif key.sign(signing_input(roster_hash, raw[:-64])) != raw[-64:]:
            problems.append('our signature differs')
        results.record('messages', v['name'], not problems, '; '.join(problems))


def check_handshake(vectors, roster, results):
    by_name = {v['name']: v for v in vectors}
    ephemeral_miskolc = X25519PrivateKey.from_private_bytes(bytes.fromhex(by_name['hello']['ephemeral_private']))
    ephemeral_gyor = X25519PrivateKey.from_private_bytes(bytes.fromhex(by_name['welcome']['ephemeral_private']))
    auth = by_name['auth']

    def gyor():
        return Responder(roster, 'gyor', test_key('gyor'), ephemeral=ephemeral_gyor)

    def miskolc():
        initiator = Initiator(roster, 'miskolc', test_key('miskolc'), ephemeral=ephemeral_miskolc)
        initiator.hello()
        return initiator

    for v in vectors:
        wire, step, name = bytes.fromhex(v['frame']), v['step'], v['name']
        problems = []
        try:
            if step == 'responder-receives-hello':
                welcome = gyor().on_hello(wire)
                if wire != miskolc().hello_frame:
                    problems.append('our HELLO differs')
                if welcome.hex() != by_name['welcome']['frame']:
                    problems.append('our WELCOME differs')
            elif step == 'initiator-receives-welcome':
                initiator = miskolc()
                auth_frame = initiator.on_welcome(wire)
                if handshake_signing_input(b'WELCOME', initiator.t1).hex() != v['signing_input']:
                    problems.append('WELCOME signing input')
                if handshake_signing_input(b'AUTH', initiator.t2).hex() != auth['signing_input']:
                    problems.append('AUTH signing input')
                if auth_frame.hex() != auth['frame']:
                    problems.append('our AUTH differs')
                for field, value in (('t1', initiator.t1), ('t2', initiator.t2), ('t3', initiator.t3),
                                     ('key_initiator_to_responder', initiator.key_to_responder),
                                     ('key_responder_to_initiator', initiator.key_to_initiator)):
                    if value.hex() != (v if field == 't1' else auth)[field]:
                        problems.append(field)
            elif step == 'responder-receives-auth':
                responder = gyor()
                responder.on_hello(bytes.fromhex(by_name['hello']['frame']))
                responder.on_auth(wire)
                for field, value in (('t2', responder.t2), ('t3', responder.t3),
                                     ('key_initiator_to_responder', responder.key_to_responder),
                                     ('key_responder_to_initiator', responder.key_to_initiator)):
                    if value.hex() != v[field]:
                        problems.append(field)
            elif '-receives-sealed-' in step:
                counter = int(step.rsplit('-', 1)[1])
                key = bytes.fromhex(auth['key_initiator_to_responder' if step.startswith('responder')
                                         else 'key_responder_to_initiator'])
                check_length(int.from_bytes(wire[:4], 'big'), sealed=True)
                content = Sealer(key, counter).open(wire[:4], wire[4:])
                decode_content(content)
                if content.hex() != v['plaintext'] or v['counter'] != counter:
                    problems.append('plaintext or counter')
                if Sealer(key, counter).seal(content) != wire:
                    problems.append('re-sealing differs')
            else:
                problems.append(f'unknown step {step}')
            if v['valid'] and 'decoded' in v and decode_plaintext_frame(wire) != v['decoded']:
                problems.append('decoded fields')
        except ProtocolError as e:
            results.expect_error('handshake', v, e)
            continue
        if not v['valid']:
            results.record('handshake', name, False, f"accepted, want {v['error']}")
        else:
            results.record('handshake', name, not problems, ', '.join(problems))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--spec', default=os.path.join(HERE, '..', '..', 'Spec'), help='the Spec folder')
    parser.add_argument('-v', '--verbose', action='store_true', help='list every vector, not only failures')
    args = parser.parse_args()
    try:
        roster = Roster.load(os.path.join(args.spec, 'conformance', 'roster.json'))
        vectors = {}
        for file in ('frames', 'messages', 'handshake'):
            with open(os.path.join(args.spec, 'vectors', file + '.json'), encoding='utf-8') as f:
                vectors[file] = json.load(f)
    except OSError as e:
        print(f'check_vectors.py: cannot read the Spec: {e}')
        return 2

    results = Results()
    appendix_a = 'edb0d417fb9fb421f67001c7d6359949bde4bb9e86d2c2427d6ee803f430a2cf'
    results.record('roster', 'conformance roster hash = Appendix A', roster.hash.hex() == appendix_a,
                   roster.hash.hex())
    results.record('roster', 'ephemeral-miskolc = its test seed ([VEC-1])',
                   test_seed('ephemeral-miskolc').hex() == next(
                       v for v in vectors['handshake'] if v['name'] == 'hello')['ephemeral_private'])
    check_frames(vectors['frames'], roster, results)
    check_messages(vectors['messages'], roster, results)
    check_handshake(vectors['handshake'], roster, results)

    failed = 0
    for file, rows in results.by_file.items():
        passed = sum(1 for _, ok, _ in rows if ok)
        failed += len(rows) - passed
        print(f'{file}: {passed} passed, {len(rows) - passed} failed')
        for name, ok, why in rows:
            if not ok or args.verbose:
                print(f"  {'PASS' if ok else 'FAIL'} {name}" + (f' ({why})' if why and not ok else ''))
    print('all vectors pass' if not failed else f'{failed} FAILED')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
