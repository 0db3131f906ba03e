"""Relay and catch-up across several `councild` nodes, with Python peers at the edges.

    python3 Interop/python/relay.py --councild .build/debug/councild [--council .build/debug/council]
                                    [--middle councild|python] [--keep] [--trace]

Written from Spec/ alone (PROTOCOL.md §9 relay and catch-up, §8.3 ACK, §12.10 the digest;
OPERATOR.md §2.1 the config, §3 the daemon, §5 `council status`). Three nodes of the conformance
roster (Spec/conformance/roster.json) on free 127.0.0.1 ports, in a line:

    gyor, szolnok (Python)  --  A budapest  --  B csepel  --  C miskolc  --  pecs (Python)

B's config lists A and C under `peers` (B dials both; A and C dial nobody), so a restarted B links
up at once. Every node runs with `limits.max_invalid_frames` 2, so that a rejection counted against
a link closes it on the third ([LINK-5]) and the exemption of [ACK-6] is visible.

1. a story sent at A (accepted, rejected, duplicate, held for ever, held then released) is relayed
   to the Python peers at A and C: every accepted message, once, in causal order, never back to the
   peer it came from, never a rejected or held one ([RELAY-1]-[RELAY-4], [ACK-4]); the three nodes
   and the digest computed here agree ([DIGEST-1], [DIGEST-2]);
2. B stops, and dials no peer from then on ([DAEMON-1]: no link with csepel comes up in A's or C's log);
   more is sent at A; C does not see it; B restarts and B and C catch up ([SYNC-3], [SYNC-5]), C relays
   the new messages to its peer, and all digests agree again;
3. one key signs two histories (szolnok's sequence 1-3): one is sent at A, the other at C, each held
   there on a message g that nobody has yet ([CORE-2]); g, sent at A, releases x at A ([ORDER-5]) and
   travels with it to B and C, where it releases y; so each entry node keeps its own history, B keeps
   the one it decides first ([CORE-6], §14), and each of B and C rejects what the other relays to it;
   neither rejection may close a link ([ACK-6]), no rejected message is relayed on, each node's
   digest is the one computed here for the history it kept, and a later message still travels
   A -> C; then at C directly: the other history is rejected without closing the link, and three bad
   signatures close it ([ACK-6], [LINK-5], [ACK-1]).

With `--middle python`, B is node.py (written from the Spec too) instead of councild, on the same
key, data folder, limit and peers, so that relay and catch-up go through the Python node between two
reference nodes. node.py has no operator channel, so B is seen from outside: its accepted set (count
and digest) is the catch-up it sends to a fresh link (an empty SYNC, [SYNC-3]), its links are csepel's
entries in A's and C's `status`, and the checks that need B's `has` or held count are SKIPped.

Prints one PASS/FAIL (or SKIP) line per check. Exit status: 0 every check passed, 1 some check failed,
2 the run could not start (missing `cryptography` module, binary, or a daemon that does not come up).
Every daemon it starts is stopped (SIGTERM, then SIGKILL), also on failure and Ctrl-C; the temporary
folder is kept (and named) when a check fails or with --keep.
"""
import json
import os
import select
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True      # keep the source folder clean

try:
    import cryptography  # noqa: F401  (council1 needs it; say so in one line)
except ImportError:
    print('relay.py: the Python module "cryptography" is missing (pip install cryptography)')
    sys.exit(2)

from council1 import (AcceptedSet, PeerError, ProtocolError, decode_message, error_name, message_id,
                      public_bytes, test_key, test_seed)
from differential import Control, daemon_status
import interop
from interop import (HOST, Daemon, Run, StartFailure, free_port, ready, run_script,
                     run_steps, script_arguments)
from peer import dial, now_ms

HERE = os.path.dirname(os.path.abspath(__file__))
WAIT = 10                 # seconds for any single answer
SETTLE = 10               # seconds for the federation to converge
QUIET = 0.4               # seconds of listening for frames that must not come
MAX_INVALID_FRAMES = 2    # every node's limit (OPERATOR.md §2.2)
NODES = {'A': 'budapest', 'B': 'csepel', 'C': 'miskolc'}


# ---------------------------------------------------------------- the federation

def write_key_file(folder, council):
    """A key file (OPERATOR.md §2.4) for a test key of Appendix A ([VEC-1])."""
    path = os.path.join(folder, f'{council}.key')
    with open(path, 'w', encoding='utf-8') as f:
        json.dump({'kind': 'council-protocol ed25519 seed', 'label': f'{council} (public test key)',
                   'seed': test_seed(council).hex(), 'public_key': public_bytes(test_key(council)).hex()}, f)
    os.chmod(path, 0o600)
    return path


class PythonNode(Daemon):
    """node.py in place of councild: started from the same config (council, key, data, listen, peers,
    limits.max_invalid_frames), stopped the same way; no operator channel."""

    def __init__(self, folder, spec, listen_port):
        super().__init__(os.path.join(HERE, 'node.py'), folder, spec, listen_port, None)
        self.spec = spec
        self.log_path = os.path.join(folder, 'node.log')

    def command(self, peers):
        c = self.config
        return ([sys.executable, self.binary, '--council', c['council'], '--key', c['key'], '--listen', c['listen'],
                 '--data', c['data'], '--max-invalid-frames', str(c['limits']['max_invalid_frames']),
                 '--spec', self.spec, '--trace']
                + [f'--peer={council}={address}' for council, address in peers])

    def start(self, peers=(), limits=None):
        offset = os.path.getsize(self.log_path) if os.path.exists(self.log_path) else 0
        with open(self.log_path, 'a', encoding='utf-8') as log:
            self.process = subprocess.Popen(self.command(peers), stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:          # node.py prints 'COUNCIL listening on ...' once it does
            if self.process.poll() is not None:
                raise StartFailure(f'node.py exited with status {self.process.returncode}: ' + self.log_tail())
            with open(self.log_path, encoding='utf-8', errors='replace') as f:
                f.seek(offset)
                if ' listening on ' in f.read():
                    return
            time.sleep(0.1)
        raise StartFailure('node.py did not listen within 30 s: ' + self.log_tail())


class Report(interop.Report):
    """interop.Report with SKIP lines, for the checks a node without an operator channel cannot answer."""

    skipped = 0

    def skip(self, name, why):
        self.skipped += 1
        print(f'SKIP  {name}: {why}', flush=True)


def make_node(args, root, name, council):
    """One node of the line, in root/NAME: councild (interop.Daemon with another council's config), or
    node.py for B with --middle python."""
    folder = os.path.join(root, name)
    os.makedirs(folder)
    if name == 'B' and args.middle == 'python':
        daemon = PythonNode(folder, args.spec, free_port())
    else:
        daemon = Daemon(args.councild, folder, args.spec, free_port(), free_port())
    daemon.config_path = os.path.join(folder, 'node.json')
    daemon.config.update(description=f'relay.py: node {name} ({council}) of the conformance roster',
                         council=council, limits={'max_invalid_frames': MAX_INVALID_FRAMES})
    if council != 'budapest':             # Spec/conformance has budapest's key file only
        daemon.config['key'] = write_key_file(root, council)
    daemon.name, daemon.council = name, council
    return daemon


# ---------------------------------------------------------------- reading several links at once

def pump(links, seconds):
    """Read (and so answer: PONG, ACK, SYNC_DONE) every frame arriving on links for `seconds`."""
    wait_until(lambda: False, seconds, links)


def wait_until(predicate, timeout, links):
    """Pump links until predicate() holds (checked at least every 0.1 s); return whether it did."""
    deadline = time.monotonic() + timeout
    next_check = 0
    while True:
        now = time.monotonic()
        if now >= next_check:
            if predicate():
                return True
            next_check = now + 0.1
        if now >= deadline:
            return False
        socks = [link.sock for link in links]
        ready = select.select(socks, [], [], max(0, min(deadline, next_check) - now))[0] if socks else []
        if not socks:
            time.sleep(max(0, min(deadline, next_check) - now))
        for link in links:
            if link.sock in ready:
                link.recv_frame(WAIT)       # a whole frame; select said its first byte is here


def relayed(link, since=0):
    """IDs of the MESSAGE frames a link received after its frame number `since`, in arrival order."""
    return [message_id(d['message']) for d in link.received[since:] if d['type'] == 'MESSAGE']


def causal_order_faults(raws_in_order):
    """[RELAY-4]: every message's prev and refs that were also received come before it."""
    position = {message_id(raw): i for i, raw in enumerate(raws_in_order)}
    faults = []
    for i, raw in enumerate(raws_in_order):
        m = decode_message(raw)
        for dep in [m['prev']] + m['refs']:
            j = position.get(bytes.fromhex(dep))
            if j is not None and j > i:
                faults.append((message_id(raw), bytes.fromhex(dep)))
    return faults


# ---------------------------------------------------------------- the checks

class Relay:
    def __init__(self, args, report, nodes):
        self.args, self.report, self.nodes = args, report, nodes
        self.run = Run(args, report, nodes['A'])      # message(), submit(), still_up() and the roster
        self.roster = self.run.roster
        self.names = {}                               # id -> short name, for the report
        self.accepted = {}                            # what every node should hold: id -> bytes
        self.links = {}                               # 'gyor@A' -> Link
        self.marks = {}                               # link name -> index into link.received
        self.t = now_ms()
        self.blind = {n for n, d in nodes.items() if d.control_port is None}   # node.py: no operator channel

    # -- helpers

    def status(self, name):
        if name in self.blind:
            return self.wire_status(name)
        return daemon_status(self.args, self.nodes[name])

    def wire_status(self, name, probe='gyor'):
        """What a node without an operator channel shows on the wire: its accepted set is the catch-up it
        sends to a fresh link for an empty SYNC ([SYNC-3]); `held` is not visible ('?')."""
        daemon = self.nodes[name]
        link = dial(HOST, daemon.listen_port, self.roster, probe, test_key(probe), self.run.trace, WAIT)
        try:
            messages, _ = link.catch_up(WAIT)
        finally:
            link.close('probe done')
        return {'digest': self.digest_of({message_id(raw): raw for raw in messages}),
                'accepted': len(messages), 'held': '?'}

    def dial(self, council, node):
        daemon = self.nodes[node]
        link = dial(HOST, daemon.listen_port, self.roster, council, test_key(council), self.run.trace, WAIT)
        self.links[f'{council}@{node}'] = link
        return link

    def live_links(self):
        return [link for link in self.links.values() if link.sock.fileno() != -1]

    def message(self, name, label, kind, sequence, prev, dt, payload, refs=()):
        raw = self.run.message(test_key(label), kind, sequence, prev, self.t + dt, payload, refs)
        self.names[message_id(raw)] = name
        return raw

    def submit(self, where, name, raw, expected, reqs):
        """Send at a Python link; check the answer; remember what was accepted."""
        link = self.links[where]
        before = dict(self.run.accepted)
        answer = self.run.submit(link, f'{where}: {name} {reqs}', raw, expected)
        if len(self.run.accepted) > len(before):
            self.accepted[message_id(raw)] = raw
        return answer

    def show(self, ids):
        return '{' + ', '.join(sorted(self.names.get(i, i.hex()[:8]) for i in ids)) + '}'

    def mark(self):
        """Start a new round of relay observations on every link."""
        self.marks = {where: len(link.received) for where, link in self.links.items()}

    def seen(self, where):
        return relayed(self.links[where], self.marks.get(where, 0))

    def digest_of(self, messages):
        return AcceptedSet(self.roster, messages).digest().hex()

    def statuses(self, names='ABC'):
        return {name: self.status(name) for name in names}

    def check_relays(self, where, expected, forbidden, reqs, note=''):
        """The MESSAGEs a Python peer got this round: exactly `expected`, each once, in causal order."""
        got = self.seen(where)
        raws = [d['message'] for d in self.links[where].received[self.marks.get(where, 0):]
                if d['type'] == 'MESSAGE']
        twice = {i for i in got if got.count(i) > 1}
        wrong = set(got) & set(forbidden)
        faults = causal_order_faults(raws)
        seen = f'{self.show(set(got))}'
        if twice:
            seen += f', twice: {self.show(twice)}'
        if wrong:
            seen += f', forbidden: {self.show(wrong)}'
        if faults:
            seen += ', out of order: ' + ', '.join(f'{self.names.get(a, "?")} before its dependency '
                                                   f'{self.names.get(b, "?")}' for a, b in faults)
        ok = set(got) == set(expected) and not twice and not wrong and not faults
        self.report.check(f'{where} receives {note}{reqs}',
                          f'{self.show(expected)}, each once, in causal order', seen, ok)

    def wait_for_relays(self, expectations, timeout=5):
        """Pump until every link named in expectations has received its expected IDs, then a quiet spell
        for anything that should not come."""
        wait_until(lambda: all(set(ids) <= set(self.seen(w)) for w, ids in expectations.items()),
                   timeout, self.live_links())
        pump(self.live_links(), QUIET)

    def converge(self, wanted, timeout=SETTLE):
        """Pump the Python links and poll `council status` until wanted(statuses) holds; the statuses."""
        last = {}

        def done():
            last.update(self.statuses())
            return wanted(last)
        wait_until(done, timeout, self.live_links())
        return last

    def links_up(self, name, councils):
        """Whether node `name` has links up with `councils`: its `status`, or for a node without an
        operator channel, its council's entry in the status of the node of each of `councils`."""
        if name in self.blind:
            node_of = {d.council: n for n, d in self.nodes.items()}
            state = {c: self.peer_states(node_of[c]).get(self.nodes[name].council) for c in councils}
        else:
            state = self.peer_states(name)
        return all(state.get(c) == 'up' for c in councils), state

    def peer_states(self, name):
        """council -> link state, from node `name`'s `status`."""
        return {p['council']: p['state'] for p in self.status(name)['peers']}

    def wire_note(self):
        return ''.join(f'; {n}: from its catch-up' for n in sorted(self.blind))

    def seen_by(self, name):
        """Where links_up(name) looks."""
        if name in self.blind:
            return f"{self.nodes[name].council}'s entry in its neighbours' `council status` (node.py has no operator channel)"
        return 'its peers in `council status`'

    # -- 0. the line comes up

    def line_up(self):
        r = self.report
        r.section('three nodes in a line A-B-C (OPERATOR.md §2.1 peers, §3.2), Python peers at the edges')
        up = wait_until(lambda: self.links_up('B', ['budapest', 'miskolc'])[0], SETTLE, [])
        _, state = self.links_up('B', ['budapest', 'miskolc'])
        r.check(f"B (csepel) dials A and C ([NODE-3]): {self.seen_by('B')}",
                "budapest up, miskolc up", ', '.join(f'{c} {s}' for c, s in sorted(state.items())), up)
        inbound = {n: {p['council']: (p['address'], p['state']) for p in self.status(n)['peers']} for n in 'AC'}
        r.check('A and C list csepel as an inbound link (OPERATOR.md §4.5 status)',
                'A: csepel (inbound) up; C: csepel (inbound) up',
                '; '.join(f"{n}: " + ', '.join(f'{c} {a} {s}' for c, (a, s) in sorted(v.items()))
                          for n, v in inbound.items()),
                all(v.get('csepel') == ('(inbound)', 'up') for v in inbound.values()))
        for council, node in (('gyor', 'A'), ('szolnok', 'A'), ('pecs', 'C')):
            link = self.dial(council, node)
            messages, count = link.catch_up(WAIT)
            r.check(f'{council} links to {node} ({self.nodes[node].council}); empty catch-up ([SYNC-3])',
                    'SYNC_DONE 0 after 0 MESSAGEs', f'SYNC_DONE {count} after {len(messages)} MESSAGEs')

    # -- 1. a story at A, relayed along the line

    def story(self):
        r = self.report
        r.section('a story sent at A, relayed to A\'s other peer and through B and C to pecs (§9.1)')
        self.mark()
        d5, d6 = test_key('delegate-5'), test_key('delegate-6')
        t = self.t

        def mandate(delegate, seat='gyor', weight=2, **changes):
            payload = {'body': 'parliament', 'seat': seat, 'delegate': public_bytes(delegate).hex(),
                       'weight': weight, 'valid_from': t - 60_000, 'valid_until': t + 30 * 86_400_000,
                       'scope': ['strike'], 'instructions': []}
            payload.update(changes)
            return payload
        self.mandate = mandate

        m1 = self.message('m1', 'gyor', 'MANDATE', 1, None, 0, mandate(d5))
        self.m1 = mid = message_id(m1)
        self.submit('gyor@A', 'm1 MANDATE by gyor (delegate-5)', m1, ('ACK', 0), '[ACK-3]')
        bad = bytearray(m1)
        bad[-1] ^= 0x01
        self.names[message_id(bytes(bad))] = 'bad-signature'
        self.submit('gyor@A', 'm1 with a signature bit flipped', bytes(bad), ('REJECT', 'BAD_SIGNATURE'), '[SIG-3]')
        occupied = self.message('seat-occupied', 'gyor', 'MANDATE', 2, mid, 1, mandate(d6))
        self.submit('gyor@A', "a second mandate for gyor's seat", occupied, ('REJECT', 'SEAT_OCCUPIED'),
                    '[MANDATE-7]')
        p1 = self.message('p1', 'delegate-5', 'PROPOSAL', 1, None, 10, {
            'mandate': mid.hex(), 'question': 'general-strike', 'kind': 'strike', 'rule': 'majority',
            'quorum': 1, 'closes_at': t + 20, 'title': 'General strike?', 'text': ''}, refs=[mid])
        self.submit('gyor@A', 'p1 PROPOSAL by delegate-5', p1, ('ACK', 0), '[ACK-3]')
        pid = message_id(p1)
        v1 = self.message('v1', 'delegate-5', 'VOTE', 2, pid, 11, {
            'resolution': pid.hex(), 'mandate': mid.hex(), 'choice': 'for', 'statement': ''}, refs=[mid])
        self.submit('gyor@A', 'v1 VOTE for', v1, ('ACK', 0), '[ACK-3]')
        tally = {'outcome': 'adopted', 'for': 1, 'against': 0, 'abstain': 0, 'seats_voted': 1}
        wrong = self.message('tally-mismatch', 'delegate-5', 'CLOSE', 3, message_id(v1), 30,
                             {'resolution': pid.hex(), 'tally': tally})
        self.submit('szolnok@A', 'CLOSE declaring for=1', wrong, ('REJECT', 'TALLY_MISMATCH'), '[CLOSE-4]')
        c1 = self.message('c1', 'delegate-5', 'CLOSE', 3, message_id(v1), 30,
                          {'resolution': pid.hex(), 'tally': dict(tally, **{'for': 2})})
        self.submit('gyor@A', 'c1 CLOSE, adopted 2-0-0', c1, ('ACK', 0), '[ACK-3]')
        self.c1 = message_id(c1)
        self.submit('gyor@A', 'm1 again', m1, ('ACK', 1), '[RELAY-3]')
        never = self.message('held-for-ever', 'pecs', 'RECALL', 1, None, 40,
                             {'mandate': mid.hex(), 'reason': ''}, refs=[message_id(b'a message nobody sent')])
        self.submit('gyor@A', 'a RECALL by pecs with a ref nobody has (held for ever)', never, ('ACK', 2),
                    '[CORE-2]')
        # held first, then released by its dependency, which another peer sends
        d = self.message('d', 'csepel', 'MANDATE', 1, None, 50, mandate(d6, seat='csepel'))
        h = self.message('h', 'delegate-6', 'PROPOSAL', 1, None, 51, {
            'mandate': message_id(d).hex(), 'question': 'march', 'kind': 'strike', 'rule': 'majority',
            'quorum': 1, 'closes_at': t + 3_600_000, 'title': 'March?', 'text': ''}, refs=[message_id(d)])
        self.submit('gyor@A', 'h PROPOSAL by delegate-6 under the mandate d, before d', h, ('ACK', 2), '[CORE-2]')
        self.submit('szolnok@A', 'd MANDATE by csepel (delegate-6), releasing h', d, ('ACK', 0), '[ORDER-5]')
        self.accepted[message_id(h)] = h            # released and accepted with d; the digests check it

        ids = {name: i for i, name in self.names.items()}
        rejected = [ids['bad-signature'], ids['seat-occupied'], ids['tally-mismatch'], ids['held-for-ever']]
        everything = set(self.accepted)
        expectations = {'pecs@C': everything, 'gyor@A': {ids['d']}, 'szolnok@A': everything - {ids['d']}}
        self.wait_for_relays(expectations)
        self.check_relays('pecs@C', everything, rejected, '[RELAY-1] [RELAY-2] [RELAY-4] [ACK-4]',
                          'every accepted message via B and C, no rejected or held one ')
        self.check_relays('gyor@A', {ids['d']}, rejected + list(everything - {ids['d']}),
                          '[RELAY-1]', "only d: none of its own, not h, which A held from it first ")
        self.check_relays('szolnok@A', everything - {ids['d']}, rejected + [ids['d']],
                          '[RELAY-1]', "gyor's accepted messages and h, not its own d ")

        self.mark()
        self.submit('pecs@C', 'm1 sent again at C (C has it by relay)', m1, ('ACK', 1), '[RELAY-3]')
        pump(self.live_links(), QUIET)
        again = {w: self.seen(w) for w in ('gyor@A', 'szolnok@A')}
        r.check('a duplicate at C is not forwarded again: nothing reaches A\'s peers [RELAY-3]',
                'gyor@A {}, szolnok@A {}', ', '.join(f'{w} {self.show(v)}' for w, v in again.items()),
                not any(again.values()))
        self.check_digests('after the story', {'A': 1, 'B': 0, 'C': 0})

    def check_digests(self, when, held):
        ours = self.digest_of(self.accepted)
        n = len(self.accepted)
        states = self.converge(lambda s: all(s[x]['digest'] == ours and s[x]['accepted'] == n for x in 'ABC'))
        seen = ', '.join(f"{x} {s['digest'][:16]}" for x, s in states.items())
        self.report.check(f'{when}: the digest computed here = A = B = C (`council status --json`'
                          f'{self.wire_note()}) [DIGEST-1] [DIGEST-2]', f'all {ours[:16]}', seen,
                          all(s['digest'] == ours for s in states.values()))
        held = {x: '?' if x in self.blind else h for x, h in held.items()}      # not visible on the wire
        self.report.check(f'{when}: accepted, held per node ([RELAY-2]: held messages stay at A) [SYNC-1]',
                          ', '.join(f'{x} {n}/{held[x]}' for x in 'ABC'),
                          ', '.join(f"{x} {s['accepted']}/{s['held']}" for x, s in states.items()))
        return states

    # -- 2. B stops, A moves on, B restarts: catch-up

    def catch_up(self):
        r = self.report
        r.section('B stops; more at A; B restarts and B and C catch up (§9.2)')
        before = self.digest_of(self.accepted)
        logs = self.log_sizes('AC')
        r.check('B stops on SIGTERM [DAEMON-1]', 'exit status 0', f"exit status {self.nodes['B'].stop()}")
        self.mark()
        t, mid = self.t, self.m1
        p2 = self.message('p2', 'delegate-5', 'PROPOSAL', 4, self.c1, 60, {
            'mandate': mid.hex(), 'question': 'march', 'kind': 'strike', 'rule': 'two-thirds', 'quorum': 1,
            'closes_at': t + 3_600_000, 'title': 'March on the square?', 'text': ''}, refs=[mid])
        self.submit('gyor@A', 'p2 PROPOSAL (B down)', p2, ('ACK', 0), '[ACK-3]')
        v2 = self.message('v2', 'delegate-5', 'VOTE', 5, message_id(p2), 61, {
            'resolution': message_id(p2).hex(), 'mandate': mid.hex(), 'choice': 'abstain', 'statement': ''},
            refs=[mid])
        self.submit('gyor@A', 'v2 VOTE abstain (B down)', v2, ('ACK', 0), '[ACK-3]')
        r1 = self.message('r1', 'gyor', 'RECALL', 2, mid, 70, {'mandate': mid.hex(), 'reason': 'recalled'},
                          refs=[self.c1])
        self.submit('gyor@A', 'r1 RECALL of m1 by gyor (B down)', r1, ('ACK', 0), '[ACK-3]')
        self.r1 = message_id(r1)
        new = {message_id(x) for x in (p2, v2, r1)}
        self.wait_for_relays({'szolnok@A': new})
        self.check_relays('szolnok@A', new, [], '[RELAY-1]', 'the new messages from A ')
        r.check('pecs@C receives nothing while B is down: the only path is down [RELAY-1]', '{}',
                self.show(set(self.seen('pecs@C'))), not self.seen('pecs@C'))
        states = self.statuses('AC')
        r.check("C's digest while B is down: still the story's [DIGEST-2]", before[:16], states['C']['digest'][:16])
        r.check("A's digest while B is down = the digest computed here [DIGEST-1]", self.digest_of(self.accepted)[:16],
                states['A']['digest'][:16])
        relinked = self.log_lines_since(logs, 'csepel', 'link up')
        r.check('B dials no peer from SIGTERM on: no link with csepel came up at A or C since (their logs, '
                'OPERATOR.md §3.4) [DAEMON-1]', 'A 0, C 0', ', '.join(f'{n} {len(v)}' for n, v in relinked.items()))

        self.nodes['B'].start(peers=[('budapest', self.address('A')), ('miskolc', self.address('C'))])
        self.mark()
        self.check_digests('after B restarts and catches up [SYNC-3] [SYNC-5]', {'A': 1, 'B': 0, 'C': 0})
        self.wait_for_relays({'pecs@C': new})
        self.check_relays('pecs@C', new, [], '[RELAY-1] [RELAY-3] [RELAY-4]',
                          'the messages B caught up, relayed by C ')
        self.check_relays('gyor@A', set(), [], '[RELAY-1]', 'nothing back from A after the catch-up ')

    def address(self, name):
        return f'{HOST}:{self.nodes[name].listen_port}'

    # -- 3. two histories of one author

    def equivocation(self):
        r = self.report
        r.section("one key, two histories: szolnok's sequence 1-3, held at A and at C on one message g, "
                  "then g (§14, [CORE-6], [ACK-6])")
        base = dict(self.accepted)
        self.mark()
        g = self.message('g', 'gyor', 'MANDATE', 3, self.r1, 79, self.mandate(test_key('delegate-6'), weight=1))
        gid = message_id(g)

        def history(tag, delegates, where):
            chain, prev = [], None
            for seq, kind in enumerate(('MANDATE', 'RECALL', 'MANDATE'), start=1):
                if kind == 'RECALL':
                    payload = {'mandate': prev.hex(), 'reason': f'history {tag}'}
                else:
                    payload = self.mandate(test_key(delegates[seq // 2]), seat='szolnok', weight=1)
                raw = self.message(f'{tag}{seq}', 'szolnok', kind, seq, prev, 80 + seq, payload,
                                   refs=[gid] if seq == 1 else ())
                self.submit(where, f'{tag}{seq} {kind} by szolnok, sequence {seq}, waiting for g', raw,
                            ('ACK', 2), '[CORE-2]')
                chain.append(raw)
                prev = message_id(raw)
            return chain

        # each history is held at its entry node, so neither is relayed ([RELAY-2]); g then releases x at
        # A, which relays g and x to B, which relays them to C, where g releases y before x arrives
        # ([ORDER-5]): C relays y to B; B and C each reject the history the other relays
        xs = history('x', ('delegate-7', 'delegate-9'), 'gyor@A')
        ys = history('y', ('delegate-8', 'delegate-10'), 'pecs@C')
        self.submit('gyor@A', 'g MANDATE by gyor (delegate-6; the seat is free after r1), releasing x', g,
                    ('ACK', 0), '[ORDER-5]')
        base[gid] = g
        x_ids, y_ids = [message_id(x) for x in xs], [message_id(y) for y in ys]
        with_x = {**base, **dict(zip(x_ids, xs))}
        with_y = {**base, **dict(zip(y_ids, ys))}
        dx, dy = self.digest_of(with_x), self.digest_of(with_y)

        self.converge(lambda s: s['A']['digest'] == dx and s['C']['digest'] == dy and s['B']['digest'] in (dx, dy))
        pump(self.live_links(), QUIET)
        states = self.statuses()
        kept = {dx: 'x', dy: 'y'}
        r.check('A keeps x, C keeps y, B the one it decided first: digests = those computed here '
                '[CORE-6] [DIGEST-1]', f'A {dx[:16]} (x), B x or y, C {dy[:16]} (y)',
                ', '.join(f"{n} {s['digest'][:16]} ({kept.get(s['digest'], '?')})" for n, s in states.items()),
                states['A']['digest'] == dx and states['C']['digest'] == dy and states['B']['digest'] in kept)
        b_kept = kept.get(states['B']['digest'], 'x')
        self.accepted = with_x if b_kept == 'x' else with_y

        # what each node knows of the other history (OPERATOR.md §4.5 `has`)
        kept_ids, other_ids = (x_ids, y_ids) if b_kept == 'x' else (y_ids, x_ids)
        same_side, other_side = ('A', 'C') if b_kept == 'x' else ('C', 'A')
        rejected = 'rejected EQUIVOCATION, rejected DEPENDENCY_REJECTED, rejected DEPENDENCY_REJECTED'
        for node, ids, expected, reqs in (
                ('B', other_ids, rejected, '[CORE-6] [CORE-3]: it got both by relay'),
                (other_side, kept_ids, rejected, "[RELAY-1]: B relays the history it kept to the other side"),
                (same_side, other_ids, 'unknown, unknown, unknown', '[RELAY-2] [ACK-4]: B relays no rejected message')):
            names = ''.join(self.names[i][0] for i in ids[:1])
            check = f'{node} ({self.nodes[node].council}) on {names}1-{names}3 {reqs}'
            if node in self.blind:
                r.skip(check, 'node.py has no operator channel (`has`), and sending them to it again would show '
                       'its answer now, not what the relay brought it; its digest above shows the history it kept')
                continue
            r.check(check, expected, ', '.join(self.has(node, i) for i in ids))
        self.check_relays('pecs@C', {gid}, x_ids + y_ids, '[RELAY-1] [RELAY-2] [ACK-4]',
                          'g; not x (rejected at C), not its own y (held from it first) ')
        self.check_relays('gyor@A', set(), x_ids + y_ids + [gid], '[RELAY-1] [RELAY-2] [ACK-4]',
                          'nothing: g and x are its own, y is rejected at B ')
        self.check_relays('szolnok@A', {gid, *x_ids}, y_ids, '[RELAY-1] [RELAY-2]', 'g and x from A, never y ')

        polls = []
        for _ in range(5):
            polls.append(self.links_up('B', ['budapest', 'miskolc'])[0])
            pump(self.live_links(), 0.2)
        logs = [n for n, lines in self.log_lines_since({n: 0 for n in self.nodes}, 'TOO_MANY_INVALID_FRAMES').items()
                if lines]
        r.check(f"B's links stay up ({self.seen_by('B')}) although B and C each rejected the 3 messages of the other history that "
                f'the other relayed (> max_invalid_frames {MAX_INVALID_FRAMES}) [ACK-6] [LINK-5]',
                'up in 5 of 5 polls of B; no TOO_MANY_INVALID_FRAMES in any log',
                f'up in {sum(polls)} of 5 polls of B; TOO_MANY_INVALID_FRAMES in the log of '
                + (', '.join(logs) or 'no node'), all(polls) and not logs)

        # a later message that depends on neither history still travels the whole line
        self.mark()
        z = self.message('z', 'gyor', 'RECALL', 4, gid, 90, {'mandate': gid.hex(), 'reason': 'after the split'})
        self.submit('gyor@A', 'z RECALL of g by gyor', z, ('ACK', 0), '[ACK-3]')
        zid = message_id(z)
        self.wait_for_relays({'pecs@C': {zid}, 'szolnok@A': {zid}})
        self.check_relays('pecs@C', {zid}, [], '[RELAY-1]', 'z, after the equivocation ')
        with_x[zid] = with_y[zid] = z
        dx, dy = self.digest_of(with_x), self.digest_of(with_y)
        want = {'A': dx, 'B': dx if b_kept == 'x' else dy, 'C': dy}
        states = self.converge(lambda s: all(s[n]['digest'] == want[n] for n in 'ABC'))
        r.check("z accepted everywhere: each node's digest = the one computed here for its history "
                '[DIGEST-1]', ', '.join(f'{n} {d[:16]}' for n, d in want.items()),
                ', '.join(f"{n} {s['digest'][:16]}" for n, s in states.items()),
                all(states[n]['digest'] == want[n] for n in 'ABC'))
        self.invalid_budget_at_c(xs, z)

    def log_sizes(self, names):
        return {n: os.path.getsize(self.nodes[n].log_path) for n in names}

    def log_lines_since(self, sizes, *words):
        """node -> the lines its log got after byte sizes[node] that contain every one of `words`."""
        found = {}
        for name, size in sizes.items():
            with open(self.nodes[name].log_path, encoding='utf-8', errors='replace') as f:
                f.seek(size)
                found[name] = [line for line in f if all(w in line for w in words)]
        return found

    def has(self, node, mid):
        control = Control(self.nodes[node].control_port)
        try:
            answer = control.request(op='has', id=mid.hex())
        finally:
            control.close()
        return ' '.join([answer.get('state', str(answer))] + ([answer['code']] if 'code' in answer else []))

    def invalid_budget_at_c(self, xs, z):
        """[ACK-6] at one node: C holds y; its own Python peer now sends x, then bad signatures."""
        r = self.report
        link = self.links['pecs@C']
        answers = []
        for raw in xs:
            answer = link.submit(raw, WAIT)
            answers.append(error_name(answer['code']) if answer['type'] == 'REJECT' else f"ACK {answer['status']}")
        r.check('pecs@C sends x1-x3 to C, which keeps y: rejected, not counted, link kept [ACK-6] [CORE-3]',
                'EQUIVOCATION, DEPENDENCY_REJECTED, DEPENDENCY_REJECTED; link kept',
                ', '.join(answers) + '; ' + self.run.still_up(link))
        answers, error = [], None
        for i in range(MAX_INVALID_FRAMES + 1):
            forged = bytearray(z)
            forged[-64 + i] ^= 0x01                  # a bit of R: a distinct message, BAD_SIGNATURE
            try:
                answer = link.submit(bytes(forged), WAIT)
                answers.append(f"REJECT {error_name(answer['code'])}" if answer['type'] == 'REJECT'
                               else f"ACK {answer['status']}")
            except PeerError as e:
                error = e.code
                answers.append(f'ERROR {e.code}')
                break
        then = ''
        if error is None:                            # every message got a REJECT: what came after?
            try:
                error = error_name(link.wait_for(lambda d: d['type'] == 'ERROR', 3)['code'])
                then = f', then ERROR {error}'
            except (ProtocolError, EOFError, OSError, TimeoutError) as e:
                error = f'none ({type(e).__name__})'
        closed = Run.closed(link)
        r.check(f'then {MAX_INVALID_FRAMES + 1} messages with bad signatures: the link closes with '
                'TOO_MANY_INVALID_FRAMES (the limit was live) [LINK-5]',
                'ERROR TOO_MANY_INVALID_FRAMES, link closed', f'ERROR {error}, {closed}',
                error == 'TOO_MANY_INVALID_FRAMES' and closed == 'link closed')
        expected = ['REJECT BAD_SIGNATURE'] * (MAX_INVALID_FRAMES + 1)
        r.check('the message whose rejection exceeds the limit gets its REJECT, then the closing ERROR [ACK-1]',
                '; '.join(expected) + ', then ERROR TOO_MANY_INVALID_FRAMES', '; '.join(answers) + then)
        link.sock.close()


# ---------------------------------------------------------------- main

def main():
    parser = script_arguments(__doc__, 'the council CLI binary (`status --json`; default: the operator '
                                       'channel directly)')
    parser.add_argument('--middle', choices=('councild', 'python'), default='councild',
                        help='what runs B (csepel): councild (default) or node.py')
    args = parser.parse_args()

    if not ready('relay.py', args):
        return 2

    root = tempfile.mkdtemp(prefix='council1-relay-')
    report = Report()
    nodes = {name: make_node(args, root, name, council) for name, council in NODES.items()}
    relay = None

    def checks():
        nonlocal relay
        nodes['A'].start()
        nodes['C'].start()
        nodes['B'].start(peers=[('budapest', f"{HOST}:{nodes['A'].listen_port}"),
                                ('miskolc', f"{HOST}:{nodes['C'].listen_port}")])
        for name, d in nodes.items():
            control = f', control {HOST}:{d.control_port}' if d.control_port else ''
            print(f'{os.path.basename(d.binary)} {name} ({d.council}) listening on {HOST}:{d.listen_port}'
                  f'{control}', flush=True)
        relay = Relay(args, report, nodes)
        steps = [('the line comes up', relay.line_up), ('relay of a story', relay.story),
                 ('catch-up after a restart', relay.catch_up), ('two histories', relay.equivocation)]
        run_steps(report, steps, keep_going=False)
        if report.skipped:
            print(f'{report.skipped} skipped: B is node.py, which has no operator channel')

    def stop():
        for link in (relay.links.values() if relay else ()):
            try:
                link.sock.close()
            except OSError:
                pass
        for daemon in nodes.values():
            daemon.stop()

    return run_script('relay.py', report, checks, stop, root, args.keep,
                      'A, B, C: node.json, councild.log (node.py: node.log), data')


if __name__ == '__main__':
    sys.exit(main())
