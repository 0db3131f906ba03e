"""A minimal COUNCIL/1 peer over TCP, built on council1.py.

`dial()` runs the handshake as initiator and `accept()` as responder (PROTOCOL.md §7); both return a
`Link` that seals and opens frames (§7.6) and answers the peer as §8 and §9 require:

- PING with PONG ([LINK-2]);
- MESSAGE with ACK or REJECT ([ACK-1]): MALFORMED_MESSAGE (ID = SHA-256 of the body) or BAD_SIGNATURE,
  otherwise ACK 0 (1 for an ID it holds already). It does NOT apply the checks of §12: this is a
  test peer, not a node; it keeps what it receives in memory only and relays nothing;
- SYNC with every message it holds that the SYNC does not cover, then SYNC_DONE ([SYNC-3]).

It never sends PING by itself; keep links busy or short (DEAD_LINK_AFTER, §11).
"""
import socket
import struct
import time

from council1 import (ERROR_CODES, Initiator, PeerError, ProtocolError, Responder, check_length,
                      decode_content, decode_message, decode_plaintext_frame, encode_content, error_frame,
                      error_name, message_id, verify_message, with_length)


def now_ms():
    return int(time.time() * 1000)


def recv_exact(sock, n):
    data = b''
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError(f'connection closed after {len(data)} of {n} bytes')
        data += chunk
    return data


def read_plaintext_frame(sock, timeout=10):
    """One plaintext (handshake) frame, prefix included; FRAME_TOO_* judged on the prefix ([FRAME-2])."""
    sock.settimeout(timeout)
    prefix = recv_exact(sock, 4)
    check_length(struct.unpack('>I', prefix)[0], sealed=False)
    return prefix + recv_exact(sock, struct.unpack('>I', prefix)[0])


class Link:
    """A sealed link after a completed handshake.

    `held` maps message ID -> bytes of every message this peer holds (sent by us or by the peer);
    `received` lists every decoded frame in arrival order; `trace`, if given, is called with a line
    per frame."""

    def __init__(self, sock, handshake, initiator, roster_hash, trace=None):
        self.sock = sock
        self.peer = handshake.peer
        self.send_sealer = handshake.send_sealer
        self.receive_sealer = handshake.receive_sealer
        self.initiator = initiator
        self.roster_hash = roster_hash
        self.trace = trace
        self.held = {}
        self.received = []

    def _trace(self, line):
        if self.trace:
            self.trace(f'[{self.peer}] {line}')

    # -- sending

    def send_content(self, content):
        """Seal and send frame content as it is (deliberately bad content included)."""
        self.sock.sendall(self.send_sealer.seal(content))
        if self.trace:
            try:
                d = decode_content(content)
                self._trace(f"-> {d['type']} {describe(d)}")
            except ProtocolError as e:
                self._trace(f'-> {content[:8].hex()}... ({e.code})')

    def send(self, d):
        self.send_content(encode_content(d))

    def send_raw(self, wire):
        """Send bytes unsealed, bypassing the counter (for tampered or short frames)."""
        self.sock.sendall(wire)
        self._trace(f'-> raw {len(wire)} bytes')

    def close(self, detail='done'):
        """An orderly close ([LINK-7]): ERROR NORMAL_CLOSE, then the socket."""
        try:
            self.send({'type': 'ERROR', 'code': ERROR_CODES['NORMAL_CLOSE'], 'detail': detail})
        except OSError:
            pass
        self.sock.close()

    # -- receiving

    def recv_frame(self, timeout=10):
        """Read, open and decode one frame, answer it (PING, MESSAGE, SYNC) and return it.

        A peer's ERROR is returned like any frame. A frame that fails our checks raises ProtocolError."""
        self.sock.settimeout(timeout)
        prefix = recv_exact(self.sock, 4)
        length = struct.unpack('>I', prefix)[0]
        first_after_auth = self.initiator and self.receive_sealer.counter == 0
        if not (first_after_auth and 3 <= length < 19):     # [HS-14]: a refusal may be shorter
            check_length(length, sealed=True)
        body = recv_exact(self.sock, length)
        try:
            content = self.receive_sealer.open(prefix, body)
        except ProtocolError:
            if first_after_auth:                              # [HS-14]: the responder refused our AUTH
                refusal = decode_plaintext_frame(prefix + body)
                if refusal['type'] == 'ERROR':
                    raise PeerError(refusal['code'], 'handshake refused: ' + refusal['detail']) from None
            raise
        d = decode_content(content)
        self.received.append(d)
        self._trace(f"<- {d['type']} {describe(d)}")
        self._answer(d)
        return d

    def _answer(self, d):
        kind = d['type']
        if kind == 'PING':
            self.send({'type': 'PONG', 'nonce': d['nonce']})
        elif kind == 'MESSAGE':
            raw = d['message']
            mid = message_id(raw)
            try:
                decode_message(raw)
            except ProtocolError as e:
                self.send({'type': 'REJECT', 'id': mid.hex(), 'code': ERROR_CODES[e.code], 'detail': e.detail})
                return
            if not verify_message(self.roster_hash, raw):
                self.send({'type': 'REJECT', 'id': mid.hex(), 'code': ERROR_CODES['BAD_SIGNATURE'], 'detail': ''})
                return
            status = 1 if mid in self.held else 0
            self.held[mid] = raw
            self.send({'type': 'ACK', 'id': mid.hex(), 'status': status})
        elif kind == 'SYNC':
            covered = {bytes.fromhex(e['author']): e['sequence'] for e in d['entries']}
            missing = [raw for raw in self.held.values()
                       if struct.unpack('>Q', raw[33:41])[0] > covered.get(raw[1:33], 0)]
            missing.sort(key=lambda raw: struct.unpack('>Q', raw[33:41])[0])   # prev before its successor
            for raw in missing:
                self.send({'type': 'MESSAGE', 'message': raw})
            self.send({'type': 'SYNC_DONE', 'count': len(missing)})

    def wait_for(self, predicate, timeout=10):
        """Read frames until predicate(frame) holds and return that frame. A peer's ERROR that the
        predicate does not want raises ProtocolError with its code."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f'nothing matching after {timeout} s')
            d = self.recv_frame(left)
            if predicate(d):
                return d
            if d['type'] == 'ERROR':
                raise PeerError(d['code'], 'the peer closed the link: ' + d['detail'])

    def submit(self, raw, timeout=10):
        """Send a governance message and return the peer's ACK or REJECT for it."""
        mid = message_id(raw).hex()
        self.send({'type': 'MESSAGE', 'message': raw})
        answer = self.wait_for(lambda d: d['type'] in ('ACK', 'REJECT') and d['id'] == mid, timeout)
        if answer['type'] == 'ACK' and answer['status'] in (0, 1):
            self.held[message_id(raw)] = raw
        return answer

    def catch_up(self, timeout=10):
        """Send an empty SYNC; return (messages received before SYNC_DONE, SYNC_DONE's count)."""
        start = len(self.received)
        self.send({'type': 'SYNC', 'entries': []})
        done = self.wait_for(lambda d: d['type'] == 'SYNC_DONE', timeout)
        messages = [d['message'] for d in self.received[start:] if d['type'] == 'MESSAGE']
        return messages, done['count']


def describe(d):
    """A short description of a decoded frame, for traces and reports."""
    kind = d['type']
    if kind in ('ERROR', 'REJECT'):
        return f"{error_name(d['code'])} {d['detail']!r}"
    if kind in ('PING', 'PONG'):
        return str(d['nonce'])
    if kind == 'ACK':
        return f"{d['id'][:16]} status {d['status']}"
    if kind == 'SYNC':
        return f"{len(d['entries'])} entries"
    if kind == 'SYNC_DONE':
        return str(d['count'])
    if kind == 'MESSAGE':
        return message_id(d['message']).hex()[:16]
    return ''


def refuse_and_close(sock, error):
    """[HS-11]: refuse a handshake with a plaintext ERROR, unless the peer's own ERROR ended it."""
    if isinstance(error, ProtocolError) and not isinstance(error, PeerError) and error.code in ERROR_CODES:
        try:
            sock.sendall(with_length(encode_content(error_frame(error.code, error.detail[:200]))))
        except OSError:
            pass
    sock.close()


def dial(host, port, roster, council, private_key, trace=None, timeout=10):
    """Connect and run the handshake as initiator (§7); return the Link."""
    sock = socket.create_connection((host, port), timeout=timeout)
    try:
        handshake = Initiator(roster, council, private_key)
        sock.sendall(handshake.hello())
        sock.sendall(handshake.on_welcome(read_plaintext_frame(sock, timeout)))
    except BaseException as e:
        refuse_and_close(sock, e)
        raise
    return Link(sock, handshake, True, roster.hash, trace)


def accept(listener, roster, council, private_key, trace=None, timeout=10):
    """Accept one connection and run the handshake as responder (§7); return the Link."""
    sock, _ = listener.accept()
    try:
        handshake = Responder(roster, council, private_key)
        sock.sendall(handshake.on_hello(read_plaintext_frame(sock, timeout)))
        handshake.on_auth(read_plaintext_frame(sock, timeout))
    except BaseException as e:
        refuse_and_close(sock, e)
        raise
    return Link(sock, handshake, False, roster.hash, trace)
