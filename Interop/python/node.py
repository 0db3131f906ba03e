"""A minimal COUNCIL/1 node, written from Spec/ alone, to be checked by `council conformance`.

    python3 Interop/python/node.py --listen 127.0.0.1:PORT [--council NAME --key FILE]
                                   [--peer COUNCIL=HOST:PORT ...] [--dial-szolnok ADDR] [--data DIR]
                                   [--max-invalid-frames N] [--trace]
    python3 Interop/python/node.py --suite .build/debug/council     # the whole suite against it, then stop

By default it runs council `budapest` of Spec/conformance/roster.json with Spec/conformance/budapest.key,
as Spec/CONFORMANCE.md's contract [CONF-1]-[CONF-4] asks; `--council` and `--key` (a key file of
OPERATOR.md §2.4) make it another council of that roster. It dials every `--peer` and keeps a link
with it up ([NODE-3]); `--dial-szolnok ADDR` is `--peer szolnok=ADDR`. It is a test node, not a
product: no operator channel, no config file, the defaults of PROTOCOL.md §11 (MAX_INVALID_FRAMES
can be set, as OPERATOR.md §2.2's `limits.max_invalid_frames` sets it for councild).

Built from the pieces next to it: council1.py (codec, frames, handshake state machines, sealing),
validator.Node (every decision on a governance message: ACK 0/1/2, REJECT codes, held messages and
their release, the clock-skew hold). What it adds is what a node adds (§8-§11):

- one thread per connection (handshake, then reading) and one writer thread per link (its outbound
  queue, bounded by OUTBOUND_QUEUE, [NODE-2]); one lock around the node's state;
- SYNC as first sealed frame ([LINK-1]), SYNC answered with catch-up + SYNC_DONE ([SYNC-3]);
- relay of accepted messages to the other links in acceptance order, which is causal ([RELAY-1]-[RELAY-4]);
- PING/PONG, a PING every HEARTBEAT_INTERVAL, IDLE_TIMEOUT, HANDSHAKE_TIMEOUT (§11 defaults);
- the invalid-frame budget ([LINK-5], [ACK-6]), closing ERRORs ([LINK-6], [LINK-8]), DUPLICATE_LINK
  ([NODE-4]), TOO_MANY_PEERS ([NODE-1]);
- durability ([ACK-2]): every accepted or held message is appended to DATA/messages.log and fsynced
  before its ACK; on start the log is replayed through the validator.
"""
import argparse
import json
import os
import queue
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

from council1 import (ERROR_CODES, AcceptedSet, Initiator, PeerError, ProtocolError, Responder, check_length,
                      decode_content, decode_message, decode_plaintext_frame, encode_content, error_frame,
                      message_id, with_length)
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
import council1
from interop import free_port
import validator

HANDSHAKE_TIMEOUT = 10.0
HEARTBEAT_INTERVAL = 5.0
PING_EVERY = 4.0                    # a little below HEARTBEAT_INTERVAL ([LINK-3]: at least once every 5 s)
DEAD_LINK_AFTER = 15.0
MAX_INVALID_FRAMES = 16            # --max-invalid-frames
MAX_PEERS = 64
OUTBOUND_QUEUE = 8192
MAX_PENDING = 10_000
SURVIVING = {ERROR_CODES[n] for n in ('MALFORMED_FRAME', 'UNKNOWN_FRAME_TYPE', 'RESERVED_FLAGS')} | \
            {c for c in ERROR_CODES.values() if 0x0100 <= c <= 0x03FF}

TRACE = False


def log(*args):
    if TRACE:
        print(time.strftime('%H:%M:%S'), *args, file=sys.stderr, flush=True)


class Decider(validator.Node):
    """validator.Node as a node uses it: an order of release is chosen instead of raising Ambiguous
    ([ORDER-5]: by sequence per author, then the order the validator lists them)."""

    def _release(self):
        while True:
            ready = self._ready()
            if not ready:
                return
            ready.sort()
            _, _, hid = ready[0]
            raw, m = self.held.pop(hid)
            self.released.append((hid, self._decide(hid, raw, m)))


class Store:
    """[ACK-2]: an append-only log of length-prefixed messages, fsynced before each ACK."""

    def __init__(self, folder):
        os.makedirs(folder, exist_ok=True)
        self.path = os.path.join(folder, 'messages.log')
        self.records = []
        if os.path.exists(self.path):
            with open(self.path, 'rb') as f:
                data = f.read()
            i = 0
            while i + 4 <= len(data):
                n = struct.unpack('>I', data[i:i + 4])[0]
                if i + 4 + n > len(data):
                    break                                   # a torn last record: drop it
                self.records.append(data[i + 4:i + 4 + n])
                i += 4 + n
            if i != len(data):
                with open(self.path, 'r+b') as f:
                    f.truncate(i)
        self.file = open(self.path, 'ab')
        self.ids = {message_id(raw) for raw in self.records}

    def append(self, raw):
        self.file.write(struct.pack('>I', len(raw)) + raw)
        self.file.flush()
        os.fsync(self.file.fileno())
        self.ids.add(message_id(raw))


class Link:
    """A sealed link: a reader (the connection's thread) and a writer thread with the outbound queue."""

    def __init__(self, node, sock, handshake, initiator):
        self.node, self.sock = node, sock
        self.peer = handshake.peer
        self.send_sealer, self.receive_sealer = handshake.send_sealer, handshake.receive_sealer
        self.initiator = initiator
        self.queue = queue.Queue(OUTBOUND_QUEUE)
        self.closing = False
        self.up = False                     # registered in node.links
        self.invalid = 0
        self.last_received = time.monotonic()
        self.last_ping = time.monotonic()
        self.reader_done = threading.Event()
        threading.Thread(target=self._writer, daemon=True).start()

    def __repr__(self):
        return f'<{self.peer} {"out" if self.initiator else "in"} {id(self) & 0xffff:04x}>'

    # -- sending (any thread); the writer seals in queue order

    def send(self, d):
        self._put(('frame', d))

    def _put(self, item):
        if self.closing:
            return
        try:
            self.queue.put_nowait(item)
        except queue.Full:                                          # [NODE-2]: no room for the ERROR
            self.closing = True
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self, code=None, detail=''):
        """Send ERROR `code` (None: nothing) after everything queued, then close ([LINK-6], [LINK-8])."""
        if self.closing:
            return
        self._put(('close', error_frame(code, detail) if code else None))
        self.closing = True
        self.node.unregister(self)

    def _writer(self):
        try:
            while True:
                kind, what = self.queue.get()
                if kind == 'frame':
                    self.sock.sendall(self.send_sealer.seal(encode_content(what)))
                elif kind == 'catch-up':                       # [NODE-2]: one queued frame, encoded as sent
                    for raw in what:
                        self.sock.sendall(self.send_sealer.seal(encode_content({'type': 'MESSAGE', 'message': raw})))
                    self.sock.sendall(self.send_sealer.seal(encode_content({'type': 'SYNC_DONE', 'count': len(what)})))
                elif kind == 'close':
                    if what:
                        log(self, '-> ERROR', council1.error_name(what['code']), what['detail'])
                        self.sock.sendall(self.send_sealer.seal(encode_content(what)))
                    break
        except OSError:
            pass
        self.closing = True
        self.node.unregister(self)
        finish(self.sock, self.reader_done)

    # -- receiving (the connection's thread)

    def run(self):
        try:
            while not self.closing:
                self._read_one()
        except (OSError, EOFError) as e:
            log(self, 'connection ended:', e)
            self.closing = True
            self.node.unregister(self)
            self._put_final()
        # after the decision to close: discard what still comes, so that the close sends no RST
        try:
            self.sock.settimeout(2)
            while self.sock.recv(65536):
                pass
        except OSError:
            pass
        self.reader_done.set()

    def _put_final(self):
        try:
            self.queue.put_nowait(('close', None))
        except queue.Full:
            pass

    def _read_one(self):
        prefix = recv_exact(self.sock, 4)
        length = struct.unpack('>I', prefix)[0]
        first = self.initiator and self.receive_sealer.counter == 0
        if not (first and 3 <= length < 19):                   # [HS-14]: a refusal may be shorter
            try:
                check_length(length, sealed=True)                  # [FRAME-2], [FRAME-3]
            except ProtocolError as e:
                return self.close(e.code, e.detail)
        body = recv_exact(self.sock, length)
        self.last_received = time.monotonic()                  # [LINK-4]: every frame counts
        try:
            content = self.receive_sealer.open(prefix, body)
        except ProtocolError as e:
            if first:
                try:
                    refusal = decode_plaintext_frame(prefix + body)
                    if refusal['type'] == 'ERROR':             # [HS-14]: our AUTH was refused
                        log(self, 'handshake refused:', council1.error_name(refusal['code']))
                        return self.close()
                except ProtocolError:
                    pass
            return self.close(e.code, e.detail)               # [SEAL-3]
        try:
            d = decode_content(content)                        # [FRAME-10]
        except ProtocolError as e:
            if ERROR_CODES[e.code] in SURVIVING:               # [FRAME-8]
                return self.invalid_frame(e.code, e.detail)
            return self.close(e.code, e.detail)               # UNSUPPORTED_VERSION
        kind = d['type']
        log(self, '<-', kind, d.get('code_name', ''))
        if kind.startswith('TYPE_0x'):                         # [FRAME-9]
            return
        if kind in ('HELLO', 'WELCOME', 'AUTH'):               # not allowed in this phase
            return self.close('UNEXPECTED_FRAME', f'{kind} after the handshake')
        if kind == 'ERROR':                                    # [LINK-6], [ERR-2]
            if d['code'] not in SURVIVING:
                return self.close()
            return
        if kind == 'PING':                                     # [LINK-2]
            return self.send({'type': 'PONG', 'nonce': d['nonce']})
        if kind == 'MESSAGE':
            return self.node.on_message(self, d['message'])
        if kind == 'SYNC':
            return self.node.on_sync(self, d['entries'])
        # PONG, ACK, REJECT, SYNC_DONE ask nothing ([ACK-7])

    def invalid_frame(self, code, detail):
        """An ERROR that keeps the link, unless it exceeds MAX_INVALID_FRAMES ([LINK-5], [ACK-1])."""
        self.invalid += 1
        if self.invalid > self.node.max_invalid_frames:
            return self.close('TOO_MANY_INVALID_FRAMES', f'{self.invalid} invalid frames')
        self.send(error_frame(code, detail[:200]))

    def counted_rejection(self):
        self.invalid += 1
        if self.invalid > self.node.max_invalid_frames:
            self.close('TOO_MANY_INVALID_FRAMES', f'{self.invalid} invalid frames or messages')


def finish(sock, reader_done=None):
    """Close a connection after our last frame: half-close, let the reader drain, then close."""
    try:
        sock.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    if reader_done is not None:
        reader_done.wait(2)
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


def recv_exact(sock, n, deadline=None):
    data = b''
    while len(data) < n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise socket.timeout('deadline')
            sock.settimeout(left)
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError(f'connection closed after {len(data)} of {n} bytes')
        data += chunk
    return data


def read_handshake_frame(sock, deadline):
    prefix = recv_exact(sock, 4, deadline)
    check_length(struct.unpack('>I', prefix)[0], sealed=False)        # [FRAME-2], before the body
    return prefix + recv_exact(sock, struct.unpack('>I', prefix)[0], deadline)


class Node:
    def __init__(self, roster, council, key, folder, max_invalid_frames=MAX_INVALID_FRAMES):
        self.roster, self.council, self.key = roster, council, key
        self.max_invalid_frames = max_invalid_frames
        self.lock = threading.RLock()
        self.decider = Decider(roster, max_pending=MAX_PENDING)
        self.order = []                                  # accepted IDs in acceptance order (causal)
        add = self.decider.aset.add

        def add_and_log(mid, raw, m=None):
            add(mid, raw, m)
            self.order.append(mid)
        self.decider.aset.add = add_and_log
        self.links = {}                                  # council -> Link
        self.held_from = {}                              # held ID -> the last link that sent it ([RELAY-1])
        self.seen = {}                                   # ID -> decoded message (for [ACK-6]'s exemption)
        self.pending_refused = False
        self.stopping = False                            # [DAEMON-1]: set on SIGTERM
        self.store = Store(folder)
        for raw in self.store.records:                   # reload: decide everything again
            self.decider.receive(raw)
        log(f'loaded {len(self.store.records)} records: {len(self.order)} accepted, '
            f'{len(self.decider.held)} held')

    # -- links

    def register(self, link):
        """[NODE-4], [NODE-1]; then SYNC as first frame ([LINK-1]). Under the lock, so no relay precedes it."""
        with self.lock:
            old = self.links.get(link.peer)
            if self.stopping:                                    # [DAEMON-1]: set up while shutting down
                link.close('NORMAL_CLOSE', 'shutting down')
                return False
            if old is not None and not old.closing:
                opener_new = self.council if link.initiator else link.peer
                opener_old = self.council if old.initiator else old.peer
                if opener_new.encode() > opener_old.encode():         # keep the lower opener's link
                    link.close('DUPLICATE_LINK', 'a link with this council is already up')
                    return False
                old.close('DUPLICATE_LINK', 'a newer link with this council replaced this one')
            elif len(self.links) >= MAX_PEERS:
                link.close('TOO_MANY_PEERS', f'{MAX_PEERS} links')
                return False
            self.links[link.peer] = link
            link.up = True
            link.send(self.sync_frame())
            log(link, 'up')
            return True

    def shut_down(self):
        """[DAEMON-1], [LINK-7]: dial no more, NORMAL_CLOSE on every link (and on any set up meanwhile)."""
        with self.lock:
            self.stopping = True
            for link in list(self.links.values()):
                link.close('NORMAL_CLOSE', 'shutting down')

    def unregister(self, link):
        with self.lock:
            if self.links.get(link.peer) is link:
                del self.links[link.peer]
            link.up = False

    def sync_frame(self):
        """[SYNC-1], [SYNC-2]."""
        heads = sorted(self.decider.aset.head.items(), key=lambda kv: -kv[1])[:16384]
        return {'type': 'SYNC', 'entries': [{'author': a.hex(), 'sequence': s} for a, s in sorted(heads)]}

    def current_keys(self):
        with self.lock:
            return self.decider.aset.view().current_keys()           # [HS-13]

    # -- frames that concern the node

    def on_sync(self, link, entries):
        """[SYNC-3]: every accepted message the SYNC does not cover, in causal order, then SYNC_DONE."""
        with self.lock:
            covered = {bytes.fromhex(e['author']): e['sequence'] for e in entries}
            msgs = self.decider.aset.msgs
            out = [self.decider.aset.raw[mid] for mid in self.order
                   if msgs[mid]['sequence'] > covered.get(bytes.fromhex(msgs[mid]['author']), 0)]
            link._put(('catch-up', out))

    def on_message(self, link, raw):
        with self.lock:
            mid = message_id(raw)
            d = self.decider
            before = len(self.order)
            answer = d.receive(raw)
            if answer[0] == 'ACK' and answer[1] in (0, 2) and mid not in self.store.ids:
                self.store.append(raw)                                   # [ACK-2]: durable before ACK
            if answer == ('ACK', 2):
                self.held_from[mid] = link
            try:
                self.seen.setdefault(mid, decode_message(raw))
            except ProtocolError:
                pass
            if answer[0] == 'ACK':
                link.send({'type': 'ACK', 'id': mid.hex(), 'status': answer[1]})
            else:
                code = answer[1]
                link.send({'type': 'REJECT', 'id': mid.hex(), 'code': ERROR_CODES[code], 'detail': ''})
                if code == 'PENDING_LIMIT':
                    self.pending_refused = True
                elif ERROR_CODES[code] < 0x0300 and not self.equivocation_rooted(mid):   # [ACK-6]
                    link.counted_rejection()
            self.relay(before, link, mid)

    def equivocation_rooted(self, mid, depth=0):
        """[ACK-6]: rejected as EQUIVOCATION, or DEPENDENCY_REJECTED on such a message (transitively)."""
        code = self.decider.rejected.get(mid)
        if code == 'EQUIVOCATION':
            return True
        if code != 'DEPENDENCY_REJECTED' or mid not in self.seen or depth > 10000:
            return False
        return any(self.equivocation_rooted(dep, depth + 1)
                   for dep in AcceptedSet.dependencies(self.seen[mid]) if dep in self.decider.rejected)

    def relay(self, before, source=None, source_id=None):
        """[RELAY-1]: every message accepted since `before`, to every link up but the one it came from
        (for a released message: the last link that sent it while it was held)."""
        for mid in self.order[before:]:
            came_from = source if mid == source_id else self.held_from.pop(mid, None)
            raw = self.decider.aset.raw[mid]
            for peer, link in list(self.links.items()):
                if link is not came_from and not link.closing:
                    link.send({'type': 'MESSAGE', 'message': raw})
        for mid in [m for m in self.held_from if m not in self.decider.held]:
            del self.held_from[mid]

    def tick(self):
        """Twice a second: messages whose time has come ([ORDER-7]), heartbeats, idle links, [SYNC-6]."""
        with self.lock:
            before = len(self.order)
            self.decider.tick()
            self.relay(before)
            now = time.monotonic()
            for link in list(self.links.values()):
                if now - link.last_received >= DEAD_LINK_AFTER:                  # [LINK-4]
                    link.close('IDLE_TIMEOUT', f'nothing for {DEAD_LINK_AFTER:.0f} s')
                elif now - link.last_ping >= PING_EVERY:                           # [LINK-3]
                    link.last_ping = now
                    link.send({'type': 'PING', 'nonce': random.getrandbits(64)})
            if self.pending_refused and len(self.decider.held) < MAX_PENDING:    # [SYNC-6]
                self.pending_refused = False
                for link in self.links.values():
                    link.send(self.sync_frame())

    # -- connections

    def serve(self, listener):
        while True:
            sock, _ = listener.accept()
            threading.Thread(target=self.responder, args=(sock,), daemon=True).start()

    def responder(self, sock):
        deadline = time.monotonic() + HANDSHAKE_TIMEOUT                          # [HS-10]
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            hs = Responder(self.roster, self.council, self.key, current_keys=self.current_keys())
            sock.sendall(hs.on_hello(read_handshake_frame(sock, deadline)))
            hs.on_auth(read_handshake_frame(sock, deadline))
        except BaseException as e:
            return refuse(sock, e)
        sock.settimeout(None)
        link = Link(self, sock, hs, initiator=False)
        self.register(link)
        link.run()

    def dial(self, council, address):
        """Dial `council` at `address` and keep a link up ([CONF-4], [NODE-3]'s backoff)."""
        host, port = address.rsplit(':', 1)
        bound = 0.1
        while not self.stopping:
            if council in self.links:
                bound = 0.1
                time.sleep(0.2)
                continue
            started = time.monotonic()
            link = None
            try:
                sock = socket.create_connection((host, int(port)), timeout=HANDSHAKE_TIMEOUT)
            except OSError:
                sock = None
            if sock is not None:
                deadline = time.monotonic() + HANDSHAKE_TIMEOUT
                try:
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    hs = Initiator(self.roster, self.council, self.key, current_keys=self.current_keys())
                    sock.sendall(hs.hello())                                     # [HS-1]
                    auth = hs.on_welcome(read_handshake_frame(sock, deadline))
                    if hs.peer != council:
                        raise ProtocolError('UNEXPECTED_FRAME', f'dialled {council}, {hs.peer} answered')
                    sock.sendall(auth)
                    sock.settimeout(None)
                    link = Link(self, sock, hs, initiator=True)
                except BaseException as e:
                    refuse(sock, e)
            if link is not None:
                log(link, 'dialled')
                if self.register(link):
                    bound = 0.1                     # "while a link with that peer is up" ([NODE-3])
                link.run()
                if time.monotonic() - started >= 1:
                    bound = 0.1
            time.sleep(random.uniform(0, bound))
            bound = min(bound * 2, 30.0)


def refuse(sock, error):
    """[HS-11]: a plaintext ERROR with the code, then close; nothing for the peer's own ERROR or EOF."""
    if isinstance(error, socket.timeout):
        error = ProtocolError('HANDSHAKE_TIMEOUT', f'no handshake within {HANDSHAKE_TIMEOUT:.0f} s')
    log('handshake refused:', error)
    if isinstance(error, ProtocolError) and not isinstance(error, PeerError):
        try:
            sock.settimeout(2)
            sock.sendall(with_length(encode_content(error_frame(error.code, error.detail[:200]))))
        except OSError:
            pass
    # drain a little, so that the close does not reset the connection before the ERROR is read
    try:
        sock.shutdown(socket.SHUT_WR)
        sock.settimeout(1)
        while sock.recv(65536):
            pass
    except OSError:
        pass
    sock.close()


def peer_option(value):
    """`COUNCIL=HOST:PORT` of --peer -> (council, address)."""
    council, sep, address = value.partition('=')
    if not (sep and council and ':' in address):
        raise argparse.ArgumentTypeError(f'{value!r}: expected COUNCIL=HOST:PORT')
    return council, address


def parse_arguments():
    spec = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'Spec')
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--listen', help='HOST:PORT for peer links (with --suite: default a free port)')
    ap.add_argument('--council', default='budapest', help='the council this node runs (default budapest)')
    ap.add_argument('--key', help="the council's key file, OPERATOR.md §2.4 "
                    '(default: SPEC/conformance/budapest.key)')
    ap.add_argument('--peer', metavar='COUNCIL=HOST:PORT', type=peer_option, action='append', default=[],
                    help='dial COUNCIL at HOST:PORT and keep a link up ([NODE-3]); repeatable')
    ap.add_argument('--dial-szolnok', metavar='ADDR', help='the same as --peer szolnok=ADDR ([CONF-4])')
    ap.add_argument('--max-invalid-frames', type=int, default=MAX_INVALID_FRAMES,
                    help=f'MAX_INVALID_FRAMES of [LINK-5] (default {MAX_INVALID_FRAMES})')
    ap.add_argument('--data', help='folder of the message log (default: a new temporary folder)')
    ap.add_argument('--spec', default=spec)
    ap.add_argument('--trace', action='store_true')
    ap.add_argument('--suite', metavar='COUNCIL', help='run `COUNCIL conformance` against this node, which dials the '
                    "suite's --listen address, then stop; the exit status is the suite's (2: it cannot run)")
    args = ap.parse_args()
    if not args.listen and not args.suite:
        ap.error('--listen is required (or --suite)')
    if args.council != 'budapest' and not args.key:
        ap.error(f'--council {args.council} needs --key (Spec/conformance has the key of budapest only)')
    args.key = args.key or os.path.join(args.spec, 'conformance', 'budapest.key')
    args.peers = dict(args.peer)                    # council -> address: one link per council ([NODE-4])
    if args.council in args.peers:
        ap.error(f'--peer {args.council}: the node itself ([HS-9] SELF_LINK)')
    if args.dial_szolnok:
        args.peers['szolnok'] = args.dial_szolnok
    if args.suite:                                  # the suite listens as szolnok ([CONF-4])
        args.peers.setdefault('szolnok', f'127.0.0.1:{free_port()}')
    return args, ap


def load_identity(args, ap):
    """The roster, and the key of --council read from --key (its `seed`, OPERATOR.md §2.4)."""
    roster = council1.Roster.load(os.path.join(args.spec, 'conformance', 'roster.json'))
    for council in [args.council, *args.peers]:
        if council not in roster.key_of:
            ap.error(f'{council}: not a council of the roster')
    with open(args.key, encoding='utf-8') as f:
        key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(json.load(f)['seed']))
    return roster, key


def listen(address):
    host, port = address.rsplit(':', 1)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, int(port)))
    listener.listen(128)
    return listener, f'{host}:{listener.getsockname()[1]}'


def main():
    global TRACE
    args, ap = parse_arguments()
    if args.suite and not (os.path.isfile(args.suite) and os.access(args.suite, os.X_OK)):
        print(f'node.py: --suite {args.suite}: not an executable file')
        return 2
    TRACE = args.trace
    roster, key = load_identity(args, ap)
    folder = args.data or tempfile.mkdtemp(prefix='council-node-')
    node = Node(roster, args.council, key, folder, args.max_invalid_frames)
    listener, address = listen(args.listen or '127.0.0.1:0')
    print(f'{args.council} listening on {address}, data {folder}', flush=True)
    threading.Thread(target=node.serve, args=(listener,), daemon=True).start()
    for council, peer in args.peers.items():
        threading.Thread(target=node.dial, args=(council, peer), daemon=True).start()
    suite = args.suite and subprocess.Popen([args.suite, 'conformance', '--target', address,
                                             '--listen', args.peers['szolnok']])
    def stop(*_):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, stop)
    try:
        while suite is None or suite.poll() is None:
            time.sleep(0.5)
            node.tick()
    except KeyboardInterrupt:
        if suite:
            suite.terminate()
            suite.wait()
    node.shut_down()
    time.sleep(0.3)
    if not args.data:
        shutil.rmtree(folder, ignore_errors=True)
    return suite.returncode if suite else 0


if __name__ == '__main__':
    sys.exit(main())
