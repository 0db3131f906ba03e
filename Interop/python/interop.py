"""End-to-end interoperability check: this independent Python peer against the reference `councild`.

    python3 Interop/python/interop.py --councild .build/debug/councild [--council .build/debug/council]
                                      [--slow] [--keep] [--trace]

Starts councild as council `budapest` of the conformance roster (Spec/conformance/) in a temporary
folder, on free 127.0.0.1 ports, and checks over real TCP links (PROTOCOL.md section in brackets):
the handshake as initiator (§7) and the first sealed frame (SYNC, [LINK-1]), PING/PONG ([LINK-2]),
catch-up ([SYNC-3]), a small valid story and its ACKs ([ACK-3]), invalid messages and their REJECT
codes (§5.6, §12.4-§12.8), the council key lifecycle (REPLACE and DISSOLVE: retired keys, revoked
mandates, the current key in the handshake, checked only when a link is set up; §12.2, §12.5, §12.6,
[HS-13]), malformed frames after and during the handshake ([FRAME-8], [FRAME-10], [HS-9], [HS-15],
[SEAL-3]), the state digest (§12.10, against `council status --json`, also after the REPLACE and the
DISSOLVE), the operator channel (OPERATOR.md §4: every operation, its answers predicted from what was
sent, its failures, cut and restore), DUPLICATE_LINK ([NODE-4]), durability (SIGKILL right after the
acknowledgements, [ACK-2]) and, restarted with `limits.max_peers` 1, TOO_MANY_PEERS ([NODE-1]), and,
after a restart with a `peers` entry, the handshake as responder. `--slow` adds HANDSHAKE_TIMEOUT and
IDLE_TIMEOUT (§11) and the operator channel's size limits ([OPS-4], [OPS-15]); about 20 s more.

Prints one PASS/FAIL line per check. Exit status: 0 every check passed, 1 some check failed,
2 the run could not start (missing `cryptography` module, binary, or a daemon that does not come up).
The daemons it starts are always stopped; the temporary folder is kept (and named) when a check
fails or with --keep.
"""
import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True      # keep the source folder clean

try:
    import cryptography  # noqa: F401  (council1 needs it; say so in one line)
except ImportError:
    print('interop.py: the Python module "cryptography" is missing (pip install cryptography)')
    sys.exit(2)

from council1 import (ERROR_CODES, MAX_REFS, ZERO32, AcceptedSet, PeerError, ProtocolError, Roster, build_message,
                      decode_message, decode_plaintext_frame, encode_content, error_name, message_id, public_bytes,
                      signing_input, test_key, verify_message, with_length)
from peer import accept, dial, now_ms, read_plaintext_frame, recv_exact

HERE = os.path.dirname(os.path.abspath(__file__))
HOST = '127.0.0.1'
COUNCIL = 'budapest'
WAIT = 10            # seconds for any single answer


class StartFailure(Exception):
    """The run could not start (exit status 2)."""


class Report:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, expected, seen, ok=None):
        ok = expected == seen if ok is None else ok
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        print(f"{'PASS' if ok else 'FAIL'}  {name}: expected {expected}; saw {seen}", flush=True)
        return ok

    def section(self, title):
        print(f'-- {title}', flush=True)


# ---------------------------------------------------------------- the daemon

def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def port_open(port):
    try:
        with socket.create_connection((HOST, port), timeout=0.5):
            return True
    except OSError:
        return False


class Daemon:
    """One councild process, started in its own session so that Ctrl-C reaches only us."""

    def __init__(self, binary, folder, spec, listen_port, control_port):
        self.binary, self.folder = binary, folder
        self.listen_port, self.control_port = listen_port, control_port
        self.config_path = os.path.join(folder, 'budapest.json')
        self.log_path = os.path.join(folder, 'councild.log')
        self.config = {
            'description': 'interop.py: budapest of the conformance roster',
            'council': COUNCIL,
            'key': os.path.join(spec, 'conformance', 'budapest.key'),
            'roster': os.path.join(spec, 'conformance', 'roster.json'),
            'data': os.path.join(folder, 'data'),
            'listen': f'{HOST}:{listen_port}',
            'control': f'{HOST}:{control_port}',
        }
        self.process = None

    def start(self, peers=(), limits=None):
        """Writes the config (with `limits`, OPERATOR.md §2.2, if given; else the defaults) and starts."""
        config = dict(self.config, peers=[{'council': c, 'address': a} for c, a in peers])
        if limits:
            config['limits'] = limits
        with open(self.config_path, 'w', encoding='utf-8') as f:
            json.dump(config, f, indent=2)
        with open(self.log_path, 'a', encoding='utf-8') as log:
            self.process = subprocess.Popen([self.binary, '--config', self.config_path, '--log-level', 'info'],
                                            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:          # control binds after listen (OPERATOR.md §3.2)
            if self.process.poll() is not None:
                raise StartFailure(f'councild exited with status {self.process.returncode}: '
                                   + self.log_tail())
            if port_open(self.control_port):
                return
            time.sleep(0.1)
        raise StartFailure('councild did not listen within 30 s: ' + self.log_tail())

    def stop(self):
        """SIGTERM ([DAEMON-1]), then SIGKILL after 5 s; returns the exit status."""
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self.process.terminate()
        try:
            return self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return 'killed'

    def kill(self):
        """SIGKILL at once, a crash ([ACK-2]); returns the exit status."""
        self.process.kill()
        return self.process.wait()

    def log_tail(self, lines=5):
        try:
            with open(self.log_path, encoding='utf-8', errors='replace') as f:
                return ' | '.join(line.strip() for line in f.readlines()[-lines:])
        except OSError:
            return '(no log)'


# ---------------------------------------------------------------- payloads (§6), authors

DAY = 86_400_000


def mandate_payload(seat, delegate, valid_from, valid_until, weight=1):
    """A MANDATE (§6.2) for a parliament seat, scope `strike`, no instructions; delegate is a private key."""
    return {'body': 'parliament', 'seat': seat, 'delegate': public_bytes(delegate).hex(), 'weight': weight,
            'valid_from': valid_from, 'valid_until': valid_until, 'scope': ['strike'], 'instructions': []}


def proposal_payload(mandate, question, closes_at, rule='majority', title='', text=''):
    """A PROPOSAL (§6.4) of kind `strike`, quorum 1."""
    return {'mandate': mandate.hex(), 'question': question, 'kind': 'strike', 'rule': rule, 'quorum': 1,
            'closes_at': closes_at, 'title': title, 'text': text}


def vote_payload(resolution, mandate, choice, statement=''):
    return {'resolution': resolution.hex(), 'mandate': mandate.hex(), 'choice': choice, 'statement': statement}


def tally(outcome, votes_for, against, abstain, seats_voted):
    return {'outcome': outcome, 'for': votes_for, 'against': against, 'abstain': abstain, 'seats_voted': seats_voted}


class Author:
    """A test key (Appendix A label) and its chain: the next message follows the last one accepted."""

    def __init__(self, label):
        self.key = test_key(label)
        self.sequence, self.head = 0, None

    def accepted(self, mid):
        self.sequence, self.head = self.sequence + 1, mid


# ---------------------------------------------------------------- the checks

class Run:
    def __init__(self, args, report, daemon):
        self.args, self.report, self.daemon = args, report, daemon
        self.roster = Roster.load(daemon.config['roster'])
        self.trace = (lambda line: print('   ', line, flush=True)) if args.trace else None
        self.accepted = {}           # what we expect the daemon to have accepted: id -> bytes
        self.held = set()            # the IDs it answered ACK 2 (held for ever: their refs exist nowhere)
        self.link = None             # the gyor link of step 1, reused by the story
        self.authors = {}            # label -> Author, for the key lifecycle
        self.ids = {}                # name -> ID of the key lifecycle's messages

    def dial(self, council, key=None):
        """A link as council, authenticating with key (default: its roster key)."""
        key = key or test_key(council)
        return dial(HOST, self.daemon.listen_port, self.roster, council, key, self.trace, WAIT)

    def message(self, signer, kind, sequence, prev, timestamp, payload, refs=()):
        return build_message(signer, self.roster.hash, kind, sequence, prev, timestamp, payload, refs)

    def submit(self, link, name, raw, expected):
        """Send a message; expected is ('ACK', status) or ('REJECT', code name)."""
        answer = link.submit(raw, WAIT)
        if answer['type'] == 'ACK':
            seen = ('ACK', answer['status'])
        else:
            seen = ('REJECT', error_name(answer['code']))
        detail = f" ({answer['detail']!r})" if answer['type'] == 'REJECT' and seen != expected else ''
        self.report.check(name, ' '.join(map(str, expected)), ' '.join(map(str, seen)) + detail)
        if seen == ('ACK', 0):
            self.accepted[message_id(raw)] = raw
        elif seen == ('ACK', 2):
            self.held.add(message_id(raw))
        return answer

    # -- 1. handshake as initiator, first sealed frame, heartbeat, empty catch-up

    def handshake_and_catch_up(self):
        r = self.report
        r.section('handshake as initiator (§7), first frames ([LINK-1], [LINK-2]), catch-up ([SYNC-3])')
        link = self.dial('gyor')
        r.check('handshake as gyor (initiator)', 'link up with budapest', f'link up with {link.peer}')
        first = link.recv_frame(WAIT)
        r.check("the daemon's first sealed frame", 'SYNC', first['type'])
        nonce = random.getrandbits(64)
        link.send({'type': 'PING', 'nonce': nonce})
        pong = link.wait_for(lambda d: d['type'] == 'PONG', WAIT)
        r.check('PING -> PONG with the same nonce', nonce, pong['nonce'])
        messages, count = link.catch_up(WAIT)
        r.check('empty SYNC on a fresh node -> SYNC_DONE', 'SYNC_DONE 0 after 0 MESSAGEs',
                f'SYNC_DONE {count} after {len(messages)} MESSAGEs')
        self.link = link

    # -- 2. a valid story and invalid messages

    def story(self):
        r = self.report
        link = self.link or self.dial('gyor')
        r.section('governance messages: ACK statuses ([ACK-3]) and REJECT codes (§5.6, §12.4-§12.8)')
        gyor, d5, d6 = test_key('gyor'), test_key('delegate-5'), test_key('delegate-6')
        t = now_ms()

        def mandate(**changes):
            return dict(mandate_payload('gyor', d5, t - 60_000, t + 30 * DAY, weight=2), **changes)

        m = self.message(gyor, 'MANDATE', 1, None, t, mandate())
        mid = message_id(m)
        self.submit(link, 'MANDATE by gyor (delegate-5, parliament/gyor)', m, ('ACK', 0))
        flipped = bytearray(m)
        flipped[-1] ^= 0x01
        self.submit(link, 'the MANDATE with one signature bit flipped', bytes(flipped), ('REJECT', 'BAD_SIGNATURE'))
        self.submit(link, 'gyor sequence 3 whose prev is its sequence 1',
                    self.message(gyor, 'MANDATE', 3, mid, t + 1, mandate(seat='budapest')), ('REJECT', 'BAD_SEQUENCE'))
        self.submit(link, 'another gyor message with sequence 1',
                    self.message(gyor, 'MANDATE', 1, None, t, mandate(valid_until=t + 86_400_000)),
                    ('REJECT', 'EQUIVOCATION'))
        self.submit(link, "gyor mandates budapest's parliament seat",
                    self.message(gyor, 'MANDATE', 2, mid, t + 1, mandate(seat='budapest', weight=1)),
                    ('REJECT', 'NOT_AUTHORISED'))
        self.submit(link, "a second mandate for gyor's occupied seat",
                    self.message(gyor, 'MANDATE', 2, mid, t + 1, mandate(delegate=public_bytes(d6).hex())),
                    ('REJECT', 'SEAT_OCCUPIED'))

        p = self.message(d5, 'PROPOSAL', 1, None, t + 10, proposal_payload(
            mid, 'general-strike', t + 20, title='General strike?', text='A 48-hour general strike.'), refs=[mid])
        self.submit(link, 'PROPOSAL by delegate-5 under the mandate', p, ('ACK', 0))
        pid = message_id(p)
        v = self.message(d5, 'VOTE', 2, pid, t + 11, vote_payload(pid, mid, 'for', 'Gyor strikes.'), refs=[mid])
        self.submit(link, 'VOTE for, weight 2', v, ('ACK', 0))
        vid = message_id(v)
        wrong = tally('adopted', 1, 0, 0, 1)
        self.submit(link, 'CLOSE declaring for=1 (the tally is for=2)',
                    self.message(d5, 'CLOSE', 3, vid, t + 30, {'resolution': pid.hex(), 'tally': wrong}),
                    ('REJECT', 'TALLY_MISMATCH'))
        right = tally('adopted', 2, 0, 0, 1)
        c = self.message(d5, 'CLOSE', 3, vid, t + 30, {'resolution': pid.hex(), 'tally': right})
        self.submit(link, 'CLOSE with the right tally (adopted 2-0-0, 1 seat)', c, ('ACK', 0))
        cid = message_id(c)

        # an open resolution whose only vote crosses the recall below ([TALLY-1], §12.9): the digest
        # must count it out
        p2 = self.message(d5, 'PROPOSAL', 4, cid, t + 40, proposal_payload(
            mid, 'march', t + 3_600_000, rule='two-thirds', title='March on the square?'), refs=[mid])
        self.submit(link, 'a second PROPOSAL, left open', p2, ('ACK', 0))
        v2 = self.message(d5, 'VOTE', 5, message_id(p2), t + 41, vote_payload(message_id(p2), mid, 'abstain'),
                          refs=[mid])
        self.submit(link, 'VOTE abstain on it', v2, ('ACK', 0))
        recall = self.message(gyor, 'RECALL', 2, mid, t + 50, {'mandate': mid.hex(), 'reason': 'recalled'},
                              refs=[cid])
        self.submit(link, 'RECALL by gyor (has the CLOSE, not the abstention, in its past)', recall, ('ACK', 0))

        self.submit(link, 'the MANDATE again', m, ('ACK', 1))
        unknown_ref = message_id(b'a message nobody sent')
        self.submit(link, 'a message with a ref the daemon lacks',
                    self.message(test_key('miskolc'), 'RECALL', 1, None, t + 60,
                                 {'mandate': mid.hex(), 'reason': ''}, refs=[unknown_ref]), ('ACK', 2))
        malformed = m[:-65] + b'\xff' + m[-64:]        # 255 instructions: not canonical ([MSG-7])
        answer = link.submit(malformed, WAIT)
        seen = (answer['type'], error_name(answer['code']) if 'code' in answer else answer.get('status'),
                answer['id'] == message_id(malformed).hex())
        r.check('a malformed message', "REJECT MALFORMED_MESSAGE naming SHA-256 of the MESSAGE body",
                f'{seen[0]} {seen[1]} ' + ('naming SHA-256 of the body' if seen[2] else f"naming {answer['id']}"),
                seen == ('REJECT', 'MALFORMED_MESSAGE', True))
        link.close()

    # -- 2b. the council key lifecycle (§12.2, §12.5, §12.6): pecs is replaced, then dissolved
    #
    # Scenario time starts an hour ago (T), so nothing is held for its timestamp ([ORDER-7]). pecs's
    # parliament seat (max weight 1) is held in turn by delegate-7 (mandate A, seen by the REPLACE),
    # delegate-8 (mandate B, issued by the old key concurrently with the REPLACE) and delegate-9
    # (mandate C, by the new key); delegate-7's resolution stays open until csepel closes it.

    def author(self, label):
        if label not in self.authors:
            self.authors[label] = Author(label)
        return self.authors[label]

    def act(self, link, name, label, kind, timestamp, payload, refs=(), expected=('ACK', 0)):
        """Sign the next message of `label`'s chain, submit it, advance the chain if accepted; its ID."""
        author = self.author(label)
        raw = self.message(author.key, kind, author.sequence + 1, author.head, timestamp, payload, refs)
        answer = self.submit(link, name, raw, expected)
        if answer['type'] == 'ACK' and answer['status'] == 0:
            author.accepted(message_id(raw))
        return message_id(raw)

    def operator(self, *requests):
        """Requests (dicts, or raw lines as bytes) sent together on one operator connection (OPERATOR.md
        §4.1: a JSON line answered by a JSON line, in order); their answers, None for each one the node
        closed the connection before answering."""
        lines = b''.join((q if isinstance(q, bytes) else json.dumps(q).encode()) + b'\n' for q in requests)
        with socket.create_connection((HOST, self.daemon.control_port), timeout=WAIT) as sock:
            sock.sendall(lines)
            answers = sock.makefile('rb')
            return [json.loads(line) if (line := answers.readline()) else None for _ in requests]

    def control(self, op, **members):
        """One request on the operator channel; its answer, which must have `ok` true."""
        answer = self.operator(dict(members, op=op))[0]
        if not (answer or {}).get('ok'):
            raise RuntimeError(f"operator channel, {op}: {answer and answer.get('error')}")
        return answer

    def standing_of(self, council):
        """The daemon's standing mandates (OPERATOR.md §4.5 `mandates`) for council's seats, by our names."""
        names = {mid.hex(): name for name, mid in self.ids.items()}
        return sorted(names.get(m['id'], m['id'][:16]) for m in self.control('mandates')['mandates']
                      if m['council'] == council)

    def replacement(self):
        r, ids = self.report, self.ids
        r.section("key replacement: REPLACE ([REPLACE-1]-[REPLACE-4]), retired keys ([CORE-9]), §12.5's revocations")
        link = self.dial('csepel')
        t = self.t0 = now_ms() - 3_600_000
        new_key = public_bytes(test_key('successor-pecs')).hex()
        ids['mandate A'] = self.act(link, 'MANDATE by pecs: delegate-7, valid until T+10 s', 'pecs', 'MANDATE', t,
                                    mandate_payload('pecs', test_key('delegate-7'), t - 60_000, t + 10_000))
        ids['resolution'] = self.act(link, 'PROPOSAL by delegate-7 under A, left open', 'delegate-7', 'PROPOSAL',
                                     t + 1, proposal_payload(ids['mandate A'], 'stop-the-trains', t + 20),
                                     refs=[ids['mandate A']])
        before = self.dial('pecs')          # [HS-13]: set up with the roster key, before the REPLACE
        before.recv_frame(WAIT)             # the daemon's SYNC ([LINK-1]), answered
        replace = {'council': 'pecs', 'new_key': new_key, 'reason': 'new council elected'}
        self.act(link, '[REPLACE-1] REPLACE of pecs signed by pecs itself', 'pecs', 'REPLACE', t + 2, replace,
                 expected=('REJECT', 'NOT_AUTHORISED'))
        ids['replace'] = self.act(link, "[REPLACE-1] REPLACE of pecs by pecs's electors, having seen A",
                                  'electors-pecs', 'REPLACE', t + 2, replace, refs=[ids['mandate A']])
        self.act(link, '[REPLACE-2] a second REPLACE giving back the retired roster key', 'electors-pecs', 'REPLACE',
                 t + 3, dict(replace, new_key=self.roster.key_of['pecs'].hex()), expected=('REJECT', 'INVALID_FIELD'))
        self.act(link, "[REPLACE-2] a second REPLACE installing the first one's new_key again", 'electors-pecs',
                 'REPLACE', t + 3, replace, expected=('REJECT', 'INVALID_FIELD'))
        self.act(link, '[CORE-9][REPLACE-4] RECALL of A by the retired key, the REPLACE in its past', 'pecs',
                 'RECALL', t + 3, {'mandate': ids['mandate A'].hex(), 'reason': ''}, refs=[ids['replace']],
                 expected=('REJECT', 'KEY_REPLACED'))
        self.replaced_mandates(link, t)
        # checked only now, so that the link outlives everything the daemon does with the REPLACE
        r.check('[HS-13] the link set up as pecs with the roster key before the REPLACE, after it',
                'still up: the REPLACE relayed on it, PING -> PONG', self.kept_after_replace(before))
        self.close_and_drain(before)
        self.check_digest('after the REPLACE (B revoked by it alone, its vote out of the open tally)')
        link.close()

    def kept_after_replace(self, link):
        """Whether link is still up: the accepted REPLACE is relayed on it ([RELAY-1]), then PING -> PONG."""
        try:
            link.wait_for(lambda d: d['type'] == 'MESSAGE' and message_id(d['message']) == self.ids['replace'], WAIT)
        except (PeerError, EOFError, OSError, ProtocolError) as e:
            return f'the REPLACE not relayed on it ({e!r})'
        kept = self.still_up(link)
        if kept != 'link kept':
            return f'the REPLACE relayed on it, PING -> {kept}'
        return 'still up: the REPLACE relayed on it, PING -> PONG'

    @staticmethod
    def close_and_drain(link):
        """An orderly close ([LINK-7]) that waits for the daemon to close its end, so that the next
        link as the same council is not a duplicate ([NODE-4])."""
        try:
            link.send({'type': 'ERROR', 'code': ERROR_CODES['NORMAL_CLOSE'], 'detail': 'done'})
            while True:
                link.recv_frame(WAIT)
        except (EOFError, OSError, ProtocolError):
            pass
        finally:
            link.sock.close()

    def replaced_mandates(self, link, t):
        r, ids = self.report, self.ids
        d8, d9 = test_key('delegate-8'), test_key('delegate-9')
        ids['mandate B'] = self.act(
            link, '[ORDER-1] MANDATE B by the retired key, sent after the REPLACE but without it in its past',
            'pecs', 'MANDATE', t + 10_000, mandate_payload('pecs', d8, t + 10_000, t + DAY))
        ids['vote B'] = self.act(link, 'VOTE against by delegate-8 under B (crosses the REPLACE)', 'delegate-8',
                                 'VOTE', t + 10_001, vote_payload(ids['resolution'], ids['mandate B'], 'against'),
                                 refs=[ids['mandate B'], ids['resolution']])
        self.act(link, '[PROPOSE-3] PROPOSAL under B with the concurrent REPLACE in its past (§12.5)', 'delegate-8',
                 'PROPOSAL', t + 10_002, proposal_payload(ids['mandate B'], 'stop-the-mines', t + 20),
                 refs=[ids['replace']], expected=('REJECT', 'MANDATE_RECALLED'))
        ids['vote A'] = self.act(link, '[REPLACE-4] VOTE for by delegate-7 under A after the REPLACE', 'delegate-7',
                                 'VOTE', t + 3, vote_payload(ids['resolution'], ids['mandate A'], 'for'),
                                 refs=[ids['replace']])
        r.check("[REPLACE-4] pecs's standing mandates in the daemon's state (op mandates)", ['mandate A'],
                self.standing_of('pecs'))
        mandate_c = mandate_payload('pecs', d9, t, t + DAY)
        self.act(link, "[REPLACE-4][MANDATE-7] MANDATE by the new key while A holds the seat", 'successor-pecs',
                 'MANDATE', t + 4, mandate_c, refs=[ids['replace']], expected=('REJECT', 'SEAT_OCCUPIED'))
        ids['recall A'] = self.act(link, '[REPLACE-4][RECALL-2] RECALL of A by the new key', 'successor-pecs',
                                   'RECALL', t + 5, {'mandate': ids['mandate A'].hex(), 'reason': 'inherited'},
                                   refs=[ids['vote A']])
        ids['mandate C'] = self.act(link, 'MANDATE C by the new key: delegate-9', 'successor-pecs', 'MANDATE', t + 6,
                                    mandate_c)

    def current_key_handshake(self):
        r = self.report
        r.section('the key a council authenticates with after a REPLACE ([HS-13])')
        r.check("handshake as pecs with the retired roster key", 'ERROR AUTHENTICATION_FAILED',
                self.handshake_outcome('pecs', test_key('pecs')))
        r.check("handshake as pecs with the REPLACE's new key", 'link up, first frame SYNC, PING -> PONG',
                self.handshake_outcome('pecs', test_key('successor-pecs')))

    def handshake_outcome(self, council, key):
        """Dial as council with key; the daemon's answer to our AUTH ([HS-14]): its first frame or its ERROR,
        and whether the link then answers PING (it is not closed right after completing)."""
        link = self.dial(council, key)
        try:
            return self.outcome(link)
        finally:
            link.close()

    def outcome(self, link):
        """A link's first frame from the daemon or its ERROR, and whether it then answers PING."""
        try:
            first = link.recv_frame(WAIT)['type']
            kept = self.still_up(link)
            return f"link up, first frame {first}, PING -> {'PONG' if kept == 'link kept' else kept}"
        except PeerError as e:
            return f'ERROR {e.code}'
        except (EOFError, OSError, ProtocolError) as e:
            return f'no answer ({e!r})'

    def dissolution(self):
        r, ids, t = self.report, self.ids, self.t0
        r.section('dissolution: DISSOLVE ([DISSOLVE-1]-[DISSOLVE-3], [CORE-10]) and the mandates it returns')
        link = self.dial('csepel')
        dissolve = {'council': 'pecs', 'statement': 'We are returning our mandate into the hands of the workers.'}
        self.act(link, '[DISSOLVE-1] DISSOLVE of pecs by csepel', 'csepel', 'DISSOLVE', t + 7, dissolve,
                 expected=('REJECT', 'NOT_AUTHORISED'))
        ids['dissolve'] = self.act(link, "[DISSOLVE-1] DISSOLVE of pecs by its current (new) key", 'successor-pecs',
                                   'DISSOLVE', t + 7, dissolve)
        vote_c = vote_payload(ids['resolution'], ids['mandate C'], 'abstain')
        self.act(link, '[VOTE-5][DISSOLVE-3] VOTE by delegate-9 under C, the DISSOLVE in its past', 'delegate-9',
                 'VOTE', t + 8, vote_c, refs=[ids['dissolve'], ids['resolution']],
                 expected=('REJECT', 'COUNCIL_DISSOLVED'))
        ids['vote C'] = self.act(link, '[ORDER-1] the same VOTE without the DISSOLVE in its past (crosses it)',
                                 'delegate-9', 'VOTE', t + 8, vote_c, refs=[ids['mandate C'], ids['resolution']])
        self.act(link, '[PROPOSE-3][DISSOLVE-3] PROPOSAL under C after the DISSOLVE', 'delegate-9', 'PROPOSAL',
                 t + 9, proposal_payload(ids['mandate C'], 'stop-the-mines', t + 20), refs=[ids['dissolve']],
                 expected=('REJECT', 'COUNCIL_DISSOLVED'))
        self.act(link, '[VOTE-5] VOTE under A, recalled and then returned by the DISSOLVE', 'delegate-7', 'VOTE',
                 t + 9, vote_payload(ids['resolution'], ids['mandate A'], 'for'), refs=[ids['dissolve']],
                 expected=('REJECT', 'COUNCIL_DISSOLVED'))
        self.check_digest("after the DISSOLVE (C returned, its crossing vote out of the open tally)")
        self.after_dissolution(link, t, dissolve)
        link.close()
        r.check('[HS-13] handshake as pecs, dissolved, with its current (new) key',
                'link up, first frame SYNC, PING -> PONG', self.handshake_outcome('pecs', test_key('successor-pecs')))

    def after_dissolution(self, link, t, dissolve):
        r, ids = self.report, self.ids
        self.act(link, '[DISSOLVE-2] a second DISSOLVE, by the electors', 'electors-pecs', 'DISSOLVE', t + 9,
                 dissolve, refs=[ids['dissolve']], expected=('REJECT', 'COUNCIL_DISSOLVED'))
        self.act(link, '[REPLACE-3] a REPLACE of the dissolved council', 'electors-pecs', 'REPLACE', t + 9,
                 {'council': 'pecs', 'new_key': public_bytes(test_key('successor-pecs-2')).hex(), 'reason': ''},
                 refs=[ids['dissolve']], expected=('REJECT', 'COUNCIL_DISSOLVED'))
        self.act(link, "[CORE-10] MANDATE by the dissolved council's current key", 'successor-pecs', 'MANDATE',
                 t + 10, mandate_payload('pecs', test_key('delegate-10'), t, t + DAY),
                 expected=('REJECT', 'COUNCIL_DISSOLVED'))
        # in every past holding the DISSOLVE: A recalled (after delegate-7's vote), B voided by the REPLACE
        # it crossed, C returned: only delegate-7's vote counts ([TALLY-1])
        counted = {'resolution': ids['resolution'].hex(), 'tally': tally('adopted', 1, 0, 0, 1)}
        self.act(link, "[CORE-10][CLOSE-2] CLOSE by the dissolved council's current key", 'successor-pecs', 'CLOSE',
                 t + 30, counted, expected=('REJECT', 'COUNCIL_DISSOLVED'))
        self.act(link, "[CLOSE-2] CLOSE by the proposer, its mandate no longer standing", 'delegate-7', 'CLOSE',
                 t + 30, counted, refs=[ids['dissolve']], expected=('REJECT', 'NOT_AUTHORISED'))
        self.act(link, '[DISSOLVE-3][TALLY-1] CLOSE by csepel: adopted 1-0-0, the voided votes not counted',
                 'csepel', 'CLOSE', t + 10_010, counted, refs=[ids['dissolve'], ids['vote B'], ids['vote C']])
        r.check("[DISSOLVE-3] pecs's standing mandates in the daemon's state (op mandates)", [],
                self.standing_of('pecs'))
        pecs = next(c for c in self.control('councils')['councils'] if c['name'] == 'pecs')
        r.check("§12.10 pecs in the daemon's state (op councils): current key, dissolved",
                f"key {public_bytes(test_key('successor-pecs')).hex()[:16]}..., dissolved",
                f"key {pecs['key'][:16]}..., {'dissolved' if pecs['dissolved'] else 'not dissolved'}")

    # -- 3. malformed frames after the handshake

    def frames_after_handshake(self):
        r = self.report
        r.section('malformed frames after the handshake ([FRAME-8], [FRAME-9], [SEAL-3])')
        link = self.dial('miskolc')
        link.catch_up(WAIT)
        for name, content, code in (
                ('PING with a 7-byte nonce', bytes([1, 0x10, 0]) + bytes(7), 'MALFORMED_FRAME'),
                ('frame type 0x05', bytes([1, 0x05, 0]), 'UNKNOWN_FRAME_TYPE'),
                ('PING with flags 0x01', bytes([1, 0x10, 1]) + bytes(8), 'RESERVED_FLAGS')):
            link.send_content(content)
            error = link.wait_for(lambda d: d['type'] == 'ERROR', WAIT)
            r.check(name, f'ERROR {code}, link kept', f"ERROR {error_name(error['code'])}, {self.still_up(link)}")
        link.send_content(bytes([1, 0x80, 0xFF, 1, 2, 3]))
        r.check('extension frame 0x80 with flags', 'ignored, link kept', 'ignored, ' + self.still_up(link))
        tampered = bytearray(link.send_sealer.seal(bytes([1, 0x10, 0]) + bytes(8)))
        tampered[6] ^= 0x01
        link.send_raw(bytes(tampered))
        try:
            error = link.wait_for(lambda d: d['type'] == 'ERROR', WAIT)
            seen = f"ERROR {error_name(error['code'])}, {self.closed(link)}"
        except (EOFError, OSError) as e:
            seen = f'no ERROR ({e!r})'
        r.check('a sealed frame with one ciphertext bit flipped', 'ERROR DECRYPTION_FAILED, link closed', seen)
        link.sock.close()

    def still_up(self, link):
        nonce = random.getrandbits(64)
        try:
            link.send({'type': 'PING', 'nonce': nonce})
            link.wait_for(lambda d: d['type'] == 'PONG' and d['nonce'] == nonce, WAIT)
            return 'link kept'
        except (PeerError, EOFError, OSError) as e:
            return f'link lost ({e})'

    @staticmethod
    def closed(link, timeout=3):
        try:
            while True:
                link.recv_frame(timeout)
        except (EOFError, ConnectionResetError):
            return 'link closed'
        except socket.timeout:
            return 'link still open'
        except ProtocolError as e:
            return f'link closed ({e})'

    # -- 4. refused handshakes

    def refused_handshakes(self, spec):
        r = self.report
        r.section("refused handshakes: plaintext ERROR, then close ([HS-9], [HS-11], [HS-15], [FRAME-10])")
        with open(os.path.join(spec, 'vectors', 'handshake.json'), encoding='utf-8') as f:
            vectors = json.load(f)
        # the invalid HELLO vectors that mean the same to any responder (hello.self names gyor)
        probes = [(f"vector {v['name']}", bytes.fromhex(v['frame']), v['error']) for v in vectors
                  if v['step'] == 'responder-receives-hello' and not v['valid'] and v['name'] != 'hello.self']
        hello = {'type': 'HELLO', 'min_version': 1, 'max_version': 1, 'roster_hash': self.roster.hash.hex(),
                 'council': COUNCIL, 'ephemeral': bytes(range(32)).hex()}
        probes.append(('HELLO naming budapest to budapest', with_length(encode_content(hello)), 'SELF_LINK'))
        probes.append(('extension frame 0x80 first', with_length(bytes([1, 0x80, 0])), 'UNEXPECTED_FRAME'))
        for name, wire, code in probes:
            r.check(name, f'ERROR {code}, connection closed', self.probe(wire))

    def probe(self, wire):
        with socket.create_connection((HOST, self.daemon.listen_port), timeout=WAIT) as sock:
            sock.sendall(wire)
            try:
                d = decode_plaintext_frame(read_plaintext_frame(sock, WAIT))
            except (EOFError, OSError, ProtocolError) as e:
                return f'no ERROR ({e!r})'
            if d['type'] != 'ERROR':
                return d['type']
            try:
                sock.settimeout(3)
                closed = 'connection closed' if sock.recv(1) == b'' else 'more bytes followed'
            except socket.timeout:
                closed = 'connection left open'
            except ConnectionResetError:
                closed = 'connection closed'
            return f"ERROR {error_name(d['code'])}, {closed}"

    # -- 5. catch-up of the story and the state digest

    def catch_up_and_digest(self):
        r = self.report
        r.section('catch-up of the story ([SYNC-3]) and the state digest (§12.10)')
        link = self.dial('szolnok')
        messages, count = link.catch_up(WAIT)
        link.close()
        fetched = {message_id(raw): raw for raw in messages}
        r.check('empty SYNC after the story -> catch-up, SYNC_DONE',
                f'{len(self.accepted)} MESSAGEs (the accepted ones), SYNC_DONE {len(self.accepted)}',
                f"{len(messages)} MESSAGEs ({'the accepted ones' if fetched.keys() == self.accepted.keys() else 'others'}),"
                f' SYNC_DONE {count}')
        if not self.args.council:
            print('SKIP  state digest: no --council given')
            return
        status = self.status()
        ours = AcceptedSet(self.roster, fetched).digest().hex()
        r.check('state digest of the fetched messages = council status digest', ours, status['digest'])
        r.check('council status: accepted, held', (len(self.accepted), len(self.held)),
                (status['accepted'], status['held']))

    def check_digest(self, when):
        """[DIGEST-1] of the messages we saw accepted, against the daemon's digest now."""
        if not self.args.council:
            print(f'SKIP  state digest {when}: no --council given')
            return
        ours = AcceptedSet(self.roster, self.accepted).digest().hex()
        self.report.check(f'[DIGEST-1] state digest {when} = council status digest', ours, self.status()['digest'])

    def status(self):
        out = subprocess.run([self.args.council, 'status', '--control', f'{HOST}:{self.daemon.control_port}',
                              '--json'], capture_output=True, text=True, timeout=WAIT)
        if out.returncode != 0:
            raise RuntimeError(f'council status exited {out.returncode}: {out.stderr.strip()}')
        return json.loads(out.stdout)

    # -- 8. the operator channel (OPERATOR.md §4), its answers predicted from what we sent
    #
    # budapest's own key acts through `act` (a mandate of cwc's budapest-1 seat for delegate-11, and a
    # CLOSE); delegate-11 acts through `draft`, signed here, and `submit` (a resolution and a vote). A
    # miskolc link watches the relays, which give us the bytes of the node's own messages.

    def operator_channel(self):
        self.report.section('the operator channel (OPERATOR.md §4): acts, drafts, state, has/missing, errors, '
                            'cut/restore')
        watch = self.dial('miskolc')
        watch.catch_up(WAIT)
        self.operator_status()
        ids = self.operator_story(watch)
        self.operator_decisions(ids)
        self.compare_state('after the CLOSE')
        self.operator_has_and_missing(ids)
        self.operator_errors(ids)
        self.operator_cut(watch)

    def operator_status(self):
        """OPERATOR.md §4.5 `status` with the miskolc link up, against what we know."""
        s = self.control('status')
        ours = {'council': COUNCIL, 'federation': self.roster.federation, 'roster_hash': self.roster.hash.hex(),
                'accepted': len(self.accepted), 'held': len(self.held), 'cut': [], 'storage': 'ok',
                'key': self.roster.key_of[COUNCIL].hex(),
                'peers': [{'council': 'miskolc', 'address': '(inbound)', 'state': 'up'}]}
        theirs = {k: s.get(k) for k in ours}
        theirs['peers'] = [{k: p.get(k) for k in ('council', 'address', 'state')} for p in s.get('peers', [])]
        absent = [k for k in STATUS_MEMBERS if k not in s]
        absent += [f'peers.{i}.queue' for i, p in enumerate(s.get('peers', [])) if not isinstance(p.get('queue'), int)]
        difference = first_difference(ours, theirs) or (absent and f'members missing: {absent}')
        self.report.check('[OPS-6] status (OPERATOR §4.5): every member; council, federation, roster hash, key, counts, '
                          'storage, cut, miskolc (inbound) up', 'as known here', difference or 'as known here',
                          not difference)

    def operator_story(self, watch):
        r, ids, t = self.report, {}, now_ms()
        mandate = {'act': 'MANDATE', 'body': 'cwc', 'seat': 'budapest-1',
                   'delegate': public_bytes(test_key('delegate-11')).hex(), 'valid_from': t - 60_000,
                   'valid_until': t + DAY, 'scope': ['wages', 'strike'],
                   'instructions': [{'question': 'wages-b', 'choice': 'for'},
                                    {'question': 'wages-a', 'choice': 'against'}]}
        ids['mandate'], m = self.act_by_node('act MANDATE: cwc budapest-1 for delegate-11, no weight, scope and '
                                             'instructions out of order', watch, mandate, [])
        canonical = dict(without_act(mandate), weight=1, scope=['strike', 'wages'],
                         instructions=mandate['instructions'][::-1])
        self.compare('[OPS-8] its payload', 'as asked, weight 1, scope and instructions in canonical order',
                     canonical, m['payload'])
        proposal = {'act': 'PROPOSAL', 'mandate': ids['mandate'].hex(), 'question': 'wage-rise', 'kind': 'wages',
                    'rule': 'majority', 'closes_at': m['timestamp'] + 1}
        ids['resolution'], _ = self.draft_and_submit(
            'PROPOSAL by delegate-11 (timestamp given; quorum, title, text left out)', watch, 'delegate-11',
            proposal, [ids['mandate']], m['timestamp'] + 1, dict(without_act(proposal), quorum=1, title='', text=''))
        vote = {'act': 'VOTE', 'resolution': ids['resolution'].hex(), 'mandate': ids['mandate'].hex(), 'choice': 'for'}
        ids['vote'], draft = self.draft_and_submit(
            'VOTE for by delegate-11 (timestamp 1: raised to the latest of prev and refs)', watch, 'delegate-11',
            vote, [ids['resolution'], ids['mandate']], 1, dict(without_act(vote), statement=''))
        ids['draft'] = message_id(draft)
        self.compare_state('with the vote (the resolution open)', only='resolutions')
        close = {'act': 'CLOSE', 'resolution': ids['resolution'].hex(), 'tally': tally('rejected', 0, 9, 0, 1)}
        ids['close'], m = self.act_by_node('act CLOSE, with a wrong tally in the request', watch, close,
                                           [ids['resolution']])
        aset = AcceptedSet(self.roster, self.accepted)
        r.check("[OPS-7][CLOSE-4] the CLOSE's tally: R's tally in its causal past, the request's ignored",
                aset.past(aset.dependencies(m)).tally(ids['resolution']), m['payload']['tally'])
        return ids

    def act_by_node(self, name, watch, payload, named):
        """[OPS-8] `act`: accepted, relayed on watch ([RELAY-1]), signed by the node's key and drafted as
        [OPS-11] says. Returns its ID and the decoded message."""
        before = now_ms()
        answer = self.control('act', payload=payload)
        clock = (before - 1000, now_ms() + 1000)       # the node's clock, give or take its rounding
        if not self.report.check(f'[OPS-8] {name}', 'accepted', decision(answer)):
            raise RuntimeError('the act was not accepted; the checks after it need it')
        mid = bytes.fromhex(answer['id'])
        raw = self.relayed(watch, mid)
        m = decode_message(raw)
        faults = [] if verify_message(self.roster.hash, raw) else ["not signed by budapest's key"]
        faults += self.ops11_faults(COUNCIL, m, named, clock=clock)
        what = "relayed, signed by budapest's key, drafted as [OPS-11] says"
        self.report.check(f'[OPS-8][OPS-11] {name}: the message', what, '; '.join(faults) or what, not faults)
        self.record(COUNCIL, mid, raw)
        return mid, m

    def draft_and_submit(self, name, watch, label, payload, named, timestamp, expected_payload):
        """OPERATOR.md §4.6: [OPS-9] `draft` for label's key at `timestamp`, checked as [OPS-11] says;
        signed here ([SIG-1]); [OPS-10] `submit`: accepted and relayed. Returns its ID and the draft."""
        r = self.report
        draft = bytes.fromhex(self.control('draft', author=public_bytes(self.author(label).key).hex(),
                                           payload=payload, timestamp=timestamp)['message'])
        m = decode_message(draft)
        faults = [] if draft[-64:] == bytes(64) else ['signature not all zero']
        faults += self.ops11_faults(label, m, named, requested=timestamp)
        faults += list(filter(None, [first_difference(expected_payload, m['payload'], 'payload')]))
        what = 'unsigned, drafted as [OPS-11] says, payload as asked with the defaults of §4.3'
        r.check(f'[OPS-9][OPS-11] draft {name}', what, '; '.join(faults) or what, not faults)
        signed = self.signed(label, draft)
        mid = message_id(signed)
        answer = self.control('submit', message=signed.hex())
        if not r.check('[OPS-10] submit it, signed here ([SIG-1])', 'accepted', decision(answer)):
            raise RuntimeError('the message was not accepted; the checks after it need it')
        r.check('[OPS-10][RELAY-1] the submitted message is relayed', 'relayed as submitted',
                'relayed as submitted' if self.relayed(watch, mid) == signed else 'other bytes relayed')
        self.record(label, mid, signed)
        return mid, draft

    def ops11_faults(self, label, m, named, requested=None, clock=None):
        """How a message drafted for label departs from [OPS-11]: sequence and prev follow label's chain;
        refs are the named messages the node accepted, then its heads, never prev (compared as a set when
        they fit in MAX_REFS: 'newest first' orders only which ones are cut); the timestamp is the
        requested one or the node's clock (between clock's bounds), no earlier than prev's and refs'."""
        author = self.author(label)
        prev = author.head or ZERO32
        faults = [] if m['author'] == public_bytes(author.key).hex() else [f"author {m['author'][:16]}"]
        if (m['sequence'], m['prev']) != (author.sequence + 1, prev.hex()):
            faults.append(f"sequence {m['sequence']}, prev {m['prev'][:16]} "
                          f"(expected {author.sequence + 1}, {prev.hex()[:16]})")
        refs = {x for x in set(named) | self.heads() if x in self.accepted and x != prev}
        if len(refs) <= MAX_REFS and set(m['refs']) != {x.hex() for x in refs}:
            faults.append(f"refs {sorted(x[:8] for x in m['refs'])} (expected {sorted(x.hex()[:8] for x in refs)})")
        latest = max((self.timestamp_of(bytes.fromhex(x)) for x in [m['prev']] + m['refs']
                      if bytes.fromhex(x) in self.accepted), default=0)
        low, high = clock or (requested, requested)
        if not max(low, latest) <= m['timestamp'] <= max(high, latest):
            faults.append(f"timestamp {m['timestamp']} (expected {max(low, latest)}"
                          + ('' if low == high else f' to {max(high, latest)}') + ')')
        return faults

    def heads(self):
        """The accepted messages that no other accepted message names ([OPS-11])."""
        named = set()
        for raw in self.accepted.values():
            named.update(AcceptedSet.dependencies(decode_message(raw)))
        return set(self.accepted) - named

    def timestamp_of(self, mid):
        return decode_message(self.accepted[mid])['timestamp']

    def signed(self, label, draft):
        """OPERATOR.md §4.6 step 2: the draft with label's signature in its last 64 bytes ([SIG-1])."""
        unsigned = draft[:-64]
        return unsigned + self.author(label).key.sign(signing_input(self.roster.hash, unsigned))

    def record(self, label, mid, raw):
        """A message of label's chain that the daemon accepted."""
        self.accepted[mid] = raw
        self.author(label).accepted(mid)

    @staticmethod
    def relayed(link, mid):
        """The bytes of message mid as the daemon relays it on link ([RELAY-1])."""
        return link.wait_for(lambda d: d['type'] == 'MESSAGE' and message_id(d['message']) == mid, WAIT)['message']

    def operator_decisions(self, ids):
        """The other decisions of §4.4: rejected (ok true, [OPS-6]), duplicate, held; [OPS-8]'s
        UNKNOWN_RESOLUTION with the all-zero ID; [OPS-10]'s MALFORMED_MESSAGE named by the bytes' SHA-256."""
        r, t = self.report, now_ms()
        answer = self.control('act', payload={'act': 'MANDATE', 'body': 'parliament', 'seat': 'gyor', 'valid_from': t,
                                              'delegate': public_bytes(test_key('delegate-12')).hex(),
                                              'valid_until': t + DAY, 'scope': ['strike']})
        r.check("[OPS-6][MANDATE-4] act MANDATE for gyor's seat", 'rejected NOT_AUTHORISED, with a detail',
                decision(answer) + (', with a detail' if answer.get('detail') else ', no detail'))
        ids['rejected'] = bytes.fromhex(answer['id'])
        answer = self.control('act', payload={'act': 'CLOSE', 'resolution': message_id(b'no resolution').hex()})
        zero = answer.get('id') == ZERO32.hex()
        r.check('[OPS-8] act CLOSE of a resolution the node lacks', 'rejected UNKNOWN_RESOLUTION, ID all zero',
                decision(answer) + (', ID all zero' if zero else f", ID {answer.get('id')}"))
        answer = self.control('submit', message=self.accepted[ids['vote']].hex())
        r.check('[OPS-10][CORE-4] submit the VOTE again', f"duplicate {ids['vote'].hex()[:16]}",
                f"{decision(answer)} {answer.get('id', '')[:16]}")
        junk = b'COUNCIL/1: these bytes are not a message'
        answer = self.control('submit', message=junk.hex())
        hashed = answer.get('id') == message_id(junk).hex()
        r.check('[OPS-10][ACK-1] submit hex that does not decode', 'rejected MALFORMED_MESSAGE, ID SHA-256 of the '
                'bytes', decision(answer) + (', ID SHA-256 of the bytes' if hashed else f", ID {answer.get('id')}"))
        held = self.message(test_key('szolnok'), 'RECALL', 1, None, t, {'mandate': ids['mandate'].hex(), 'reason': ''},
                            refs=[message_id(b'operator: a message nobody sent')])
        answer = self.control('submit', message=held.hex())
        if r.check('[OPS-10][CORE-2] submit a message with a ref the node lacks', 'held', decision(answer)):
            self.held.add(message_id(held))
        ids['held'] = message_id(held)

    def compare_state(self, when, only=None):
        """§4.5 `resolutions`, `mandates`, `councils` against the same computed here from the accepted set."""
        aset = AcceptedSet(self.roster, self.accepted)
        whole = aset.view()
        expected = {
            'resolutions': ('every PROPOSAL by ID: status, effective CLOSE ([CLOSE-5]), tally (§12.8), votes '
                            'counted or not ([TALLY-1])', [resolution_object(aset, whole, rid)
                                                           for rid in sorted(aset.by_kind['PROPOSAL'])]),
            'mandates': ('the standing mandates (§12.5) by ID', [mandate_object(aset, whole, mid)
                                                                for mid in sorted(whole.standing_mandates())]),
            'councils': ('roster order, current key, dissolved', councils_objects(whole))}
        for op, (what, ours) in expected.items():
            if only in (None, op):
                theirs = self.control(op)[op]
                if op == 'resolutions':          # §4.5 gives no order for a resolution's votes
                    for resolution in theirs:
                        resolution['votes'] = sorted(resolution.get('votes', []), key=lambda v: v.get('id', ''))
                self.compare(f'[OPERATOR §4.5] {op} {when}: {what}', f'the {len(ours)} computed here', ours, theirs)

    def compare(self, name, what, ours, theirs):
        """A check that the daemon's JSON value equals ours, naming the first difference."""
        difference = first_difference(ours, theirs)
        return self.report.check(name, what, difference or what, difference is None)

    def operator_has_and_missing(self, ids):
        r = self.report
        unknown = [message_id(b'operator: never sent'), message_id(b'operator: never sent either')]
        probes = {'accepted': ids['mandate'], 'held': ids['held'], 'rejected NOT_AUTHORISED': ids['rejected'],
                  'unknown': unknown[0]}
        answers = self.operator(*({'op': 'has', 'id': x.hex()} for x in probes.values()))
        r.check('[OPERATOR §4.5] has: an accepted, a held, a rejected (remembered, [CORE-4]) and an unknown ID', list(probes),
                [' '.join(str(a[k]) for k in ('state', 'code') if k in a) if a and a.get('ok') else decision(a or {})
                 for a in answers])
        asked = [unknown[0], *self.accepted, *sorted(self.held), ids['rejected'], ids['draft'], unknown[1]]
        expected = [x.hex() for x in asked if x not in self.accepted and x not in self.held]
        seen = self.control('missing', ids=[x.hex() for x in asked])['missing']
        r.check(f'[OPS-15] missing of {len(asked)} IDs: every one acknowledged here, a rejected one, the unsigned '
                'draft ([OPS-9]: not stored) and two unknown', [x[:8] for x in expected], [x[:8] for x in seen],
                expected == seen)

    def operator_errors(self, ids):
        """[OPS-5]: ill-formed requests answered `ok: false` with `error` alone, and nothing done; [OPS-3]:
        all sent at once on one connection, answered in order, the connection kept."""
        r = self.report
        vote = {'act': 'VOTE', 'resolution': ids['resolution'].hex(), 'mandate': ids['mandate'].hex(),
                'choice': 'maybe'}
        author = public_bytes(test_key('delegate-11')).hex()
        probes = [
            ('a line that is not JSON (`bad request: …`)', b'{"op": "status"', '^bad request'),
            ('a JSON array, not an object (`bad request: …`)', b'["status"]', '^bad request'),
            ('an object without op', {'id': ids['mandate'].hex()}, ''),
            ('an unknown op', {'op': 'frobnicate'}, ''),
            ('has without id', {'op': 'has'}, r'^request:\d+: id: '),
            ('has with an id of 3 bytes', {'op': 'has', 'id': 'abcdef'}, r'^request:\d+: id: '),
            ('act VOTE with choice "maybe"', {'op': 'act', 'payload': vote}, r'^request:\d+: payload\.choice: '),
            ('[OPS-10] submit a message that is not hex (an ill-formed member)',
             {'op': 'submit', 'message': 'not hex'}, r'^request:\d+: message: '),
            ('[OPS-9] draft CLOSE of a resolution the node lacks',
             {'op': 'draft', 'author': author, 'payload': {'act': 'CLOSE', 'resolution': ZERO32.hex()}}, '')]
        answers = self.operator(*(q for _, q, _ in probes), {'op': 'has', 'id': ids['mandate'].hex()})
        for (name, _, pattern), answer in zip(probes, answers):
            seen, ok = failure(answer, pattern)
            r.check(f'[OPS-5] {name}', 'ok false, error alone' + (f' matching {pattern!r}' if pattern else ''),
                    seen, ok)
        r.check('[OPS-3] then, on the same connection, has of an accepted ID', 'accepted',
                (answers[-1] or {}).get('state', f'no answer: {answers[-1]}'))
        s = self.control('status')
        r.check('[OPS-5] the node did nothing: accepted, held', (len(self.accepted), len(self.held)),
                (s['accepted'], s['held']))

    def operator_limits(self):
        """The operator channel's size limits (--slow: the debug daemon takes seconds over 4 MiB lines)."""
        r = self.report
        r.section('the operator channel\'s limits ([OPS-15], [OPS-4]): a few seconds')
        seen, ok = failure(self.operator({'op': 'missing', 'ids': [f'{i:064x}' for i in range(50_001)]})[0], r'^request:\d+: ids: ')
        r.check('[OPS-15] missing with 50,001 IDs', "ok false, error alone matching 'request:LINE: ids: '", seen, ok)
        with socket.create_connection((HOST, self.daemon.control_port), timeout=WAIT) as sock:
            try:
                sock.sendall(b'x' * (4 * 1024 * 1024 + 1))
                seen = 'answered' if sock.recv(1) else 'closed, unanswered'
            except socket.timeout:
                seen = f'left open for {WAIT} s'
            except OSError:
                seen = 'closed, unanswered'
        r.check("[OPS-4] 4 MiB + 1 bytes without LF (the reference takes the MAY)", 'closed, unanswered', seen)

    def operator_cut(self, watch):
        """[OPS-14] cut: the link closed with NORMAL_CLOSE, handshakes refused until restore."""
        r = self.report
        cut = self.control('cut', peer='miskolc').get('cut')
        r.check('[OPS-14] cut miskolc: the answer, its link, status',
                "cut miskolc; ERROR NORMAL_CLOSE, link closed; cut ['miskolc']",
                f"cut {cut}; {self.closing_error(watch)}; cut {self.control('status')['cut']}")
        watch.sock.close()
        seen = self.refusal('miskolc')
        r.check('[OPS-14][HS-11] a handshake as miskolc while cut', 'sealed ERROR NORMAL_CLOSE, link closed', seen,
                seen.startswith('sealed ERROR NORMAL_CLOSE') and seen.endswith('link closed'))
        for peer, why in (('budapest', "the node's own council"), ('kecskemet', 'a council the roster lacks')):
            seen, ok = failure(self.operator({'op': 'cut', 'peer': peer})[0], r'^request:\d+: peer: ')
            r.check(f'[OPS-14][OPS-5] cut {why}', "ok false, error alone matching 'request:LINE: peer: '", seen, ok)
        restored = self.control('restore', peer='miskolc').get('restored')
        r.check('[OPS-14] restore miskolc: the answer, status', 'restored miskolc; cut []',
                f"restored {restored}; cut {self.control('status')['cut']}")
        r.check('[OPS-14] a handshake as miskolc after the restore', 'link up, first frame SYNC, PING -> PONG',
                self.handshake_outcome('miskolc', test_key('miskolc')))

    def closing_error(self, link):
        """The ERROR the daemon sends on link (after any other frames), and whether it then closes it."""
        try:
            error = link.wait_for(lambda d: d['type'] == 'ERROR', WAIT)
        except (EOFError, OSError, ProtocolError) as e:
            return f'no ERROR ({e!r})'
        return f"ERROR {error_name(error['code'])}, {self.closed(link)}"

    def refusal(self, council):
        """Dial as council where the daemon should refuse the link once the handshake has completed
        ([HS-11]: a sealed ERROR, then close); what it did."""
        try:
            link = self.dial(council)
        except PeerError as e:
            return f'plaintext ERROR {e.code} instead of WELCOME'
        try:
            first = link.recv_frame(WAIT)
            if first['type'] != 'ERROR':
                return f"link up (first frame {first['type']}), {self.still_up(link)}"
            return f"sealed ERROR {error_name(first['code'])}, {self.closed(link)}"
        except PeerError as e:
            return f'plaintext ERROR {e.code} after AUTH ([HS-14])'
        except (EOFError, OSError, ProtocolError) as e:
            return f'no ERROR ({e!r})'
        finally:
            link.sock.close()

    # -- 9. two links as one council ([NODE-4]); the other case, links opened by two councils, is
    #       checked on the link the daemon dials (duplicate_of_dialled)

    def duplicate_links(self):
        r = self.report
        r.section('two links as one council: DUPLICATE_LINK ([NODE-4], [HS-11])')
        older = self.dial('gyor')
        older.recv_frame(WAIT)                   # its SYNC ([LINK-1]): the link is up at the daemon
        newer = self.dial('gyor')
        r.check('[NODE-4] a second link opened by gyor: the newer one', 'link up, first frame SYNC, PING -> PONG',
                self.outcome(newer))
        r.check('[NODE-4] the older one', 'ERROR DUPLICATE_LINK, link closed', self.closing_error(older))
        older.sock.close()
        self.close_and_drain(newer)

    def duplicate_of_dialled(self, dialled):
        """[NODE-4] of links opened by two councils: the one opened by the lower name (budapest) stays."""
        r = self.report
        r.check('[NODE-4][HS-11] a link opened by gyor while the one budapest (the lower name) opened is up',
                'sealed ERROR DUPLICATE_LINK, link closed', self.refusal('gyor'))
        r.check('[NODE-4] the link budapest opened', 'link kept', self.still_up(dialled))

    # -- 10. durability ([ACK-2], [OPS-12]) and MAX_PEERS ([NODE-1])

    def durability(self):
        self.report.section('durability: SIGKILL right after the acknowledgements ([ACK-2], [OPS-12]), then a '
                            'restart with limits.max_peers 1 ([NODE-1])')
        last = self.acknowledged_then_killed()
        self.daemon.start(limits={'max_peers': 1})
        self.survived(last)
        self.too_many_peers()

    def acknowledged_then_killed(self):
        """An act (answered once durable, [OPS-12]), a MESSAGE accepted (ACK 0) and one held (ACK 2), then
        SIGKILL at once; their IDs."""
        link = self.dial('csepel')
        link.catch_up(WAIT)
        t = now_ms()
        last = {}
        d12 = test_key('delegate-12')
        last['act'], _ = self.act_by_node('act MANDATE: cwc budapest-2 for delegate-12', link, {
            'act': 'MANDATE', 'body': 'cwc', 'seat': 'budapest-2', 'delegate': public_bytes(d12).hex(),
            'valid_from': t - 60_000, 'valid_until': t + DAY, 'scope': ['strike']}, [])
        last['accepted'] = self.act(link, 'MANDATE by csepel (parliament/csepel, delegate-12)', 'csepel', 'MANDATE', t,
                                    mandate_payload('csepel', d12, t - 60_000, t + DAY))
        held = self.message(test_key('electors-szolnok'), 'RECALL', 1, None, t, {'mandate': last['act'].hex(),
                            'reason': ''}, refs=[message_id(b'durability: a message nobody sent')])
        self.submit(link, 'a message with a ref nobody has', held, ('ACK', 2))
        last['held'] = message_id(held)
        status = self.daemon.kill()
        link.sock.close()
        self.report.check('councild killed at once after the last ACK', f'exit status {-signal.SIGKILL}',
                          f'exit status {status}')
        return last

    def survived(self, last):
        r = self.report
        acknowledged = [*self.accepted, *sorted(self.held)]
        r.check(f'[ACK-2] restarted: missing of the {len(acknowledged)} IDs acknowledged as accepted or held', [],
                self.control('missing', ids=[x.hex() for x in acknowledged])['missing'])
        r.check('[ACK-2][OPS-12] has of the last act, the last accepted and the last held message',
                ['accepted', 'accepted', 'held'],
                [self.control('has', id=last[k].hex())['state'] for k in ('act', 'accepted', 'held')])
        s = self.control('status')
        r.check('status after the restart: accepted, held', (len(self.accepted), len(self.held)),
                (s['accepted'], s['held']))
        self.check_digest('after the SIGKILL and the restart')

    def too_many_peers(self):
        r = self.report
        link = self.dial('gyor')
        messages, count = link.catch_up(WAIT)
        r.check('[ACK-2][SYNC-3] catch-up after the restart', f'{len(self.accepted)} MESSAGEs, the accepted ones',
                f"{len(messages)} MESSAGEs, "
                + ('the accepted ones' if {message_id(m) for m in messages} == self.accepted.keys() else 'others'))
        r.check('[NODE-1][HS-11] a second link, limits.max_peers 1', 'sealed ERROR TOO_MANY_PEERS, link closed',
                self.refusal('szolnok'))
        r.check('[NODE-1] the first link', 'link kept', self.still_up(link))
        self.close_and_drain(link)

    # -- 6. timeouts (--slow)

    def timeouts(self):
        r = self.report
        r.section('timeouts (§11, [HS-10], [LINK-4]): about 15 s')
        results = {}

        def silent_tcp():
            t0 = time.monotonic()
            with socket.create_connection((HOST, self.daemon.listen_port), timeout=WAIT) as sock:
                d = decode_plaintext_frame(read_plaintext_frame(sock, 20))
            results['handshake'] = (error_name(d['code']) if d['type'] == 'ERROR' else d['type'],
                                    time.monotonic() - t0)

        def silent_link():
            link = self.dial('csepel')
            t0 = time.monotonic()
            link.sock.settimeout(30)
            while True:                      # open frames but answer nothing, not even PING
                prefix = recv_exact(link.sock, 4)
                content = link.receive_sealer.open(prefix, recv_exact(link.sock, int.from_bytes(prefix, 'big')))
                if content[1] == 0x04:
                    results['idle'] = (error_name(int.from_bytes(content[3:5], 'big')), time.monotonic() - t0)
                    return

        threads = [threading.Thread(target=guard(f), daemon=True) for f in (silent_tcp, silent_link)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(40)
        code, seconds = results.get('handshake', ('nothing', 0))
        r.check('a connection that sends no HELLO', 'ERROR HANDSHAKE_TIMEOUT after about 10 s',
                f'ERROR {code} after {seconds:.1f} s', code == 'HANDSHAKE_TIMEOUT' and 9 <= seconds <= 13)
        code, seconds = results.get('idle', ('nothing', 0))
        r.check('a link that sends nothing after the handshake', 'ERROR IDLE_TIMEOUT after 15-20 s',
                f'ERROR {code} after {seconds:.1f} s', code == 'IDLE_TIMEOUT' and 14 <= seconds <= 22)

    # -- 7. the responder side

    def responder(self):
        r = self.report
        r.section('the daemon dials us: handshake as responder (§7), after a restart ([NODE-3], §2.5)')
        with socket.socket() as listener:
            listener.bind((HOST, 0))
            listener.listen(4)
            listener.settimeout(20)
            status = self.daemon.stop()
            r.check('councild stops on SIGTERM', 'exit status 0', f'exit status {status}')
            self.daemon.start(peers=[('gyor', f'{HOST}:{listener.getsockname()[1]}')])
            link = accept(listener, self.roster, 'gyor', test_key('gyor'), self.trace, WAIT)
            r.check('handshake as gyor (responder), dialled by the daemon', 'link up with budapest',
                    f'link up with {link.peer}')
            first = link.recv_frame(WAIT)
            r.check("the daemon's first sealed frame", 'SYNC', first['type'])
            messages, count = link.catch_up(WAIT)
            r.check('catch-up after the restart', f'{len(self.accepted)} MESSAGEs, SYNC_DONE {len(self.accepted)}',
                    f'{len(messages)} MESSAGEs, SYNC_DONE {count}')
            r.check('PING -> PONG on the dialled link', 'link kept', self.still_up(link))
            self.duplicate_of_dialled(link)
            self.shutdown(link, listener)

    def shutdown(self, link, listener):
        """[DAEMON-1] On SIGTERM the daemon closes the link in order and dials no more."""
        r = self.report
        self.daemon.process.terminate()
        closing = 'no ERROR'
        try:
            while (frame := link.recv_frame(WAIT))['type'] != 'ERROR':
                pass
            closing = f"ERROR {error_name(frame['code'])}"
        except PeerError as e:
            closing = f'ERROR {e.code}'
        except (EOFError, OSError):
            pass
        r.check('SIGTERM: the dialled link gets an orderly close [DAEMON-1] [LINK-7]', 'ERROR NORMAL_CLOSE', closing)
        listener.settimeout(1.5)
        try:
            listener.accept()[0].close()
            dialled = 'a new connection'
        except socket.timeout:
            dialled = 'no connection'
        r.check('a daemon shutting down dials its peer no more [DAEMON-1]', 'no connection within 1.5 s', dialled,
                dialled == 'no connection')
        r.check('councild stops on SIGTERM', 'exit status 0', f'exit status {self.daemon.stop()}')


def guard(function):
    """Run a thread body, turning an exception into a printed line (the check then fails)."""
    def run():
        try:
            function()
        except Exception as e:                  # reported as a failed check by the caller
            print(f'      ({function.__name__}: {e!r})', flush=True)
    return run


STATUS_MEMBERS = ('council', 'federation', 'roster_hash', 'digest', 'accepted', 'held', 'peers', 'cut', 'storage',
                  'key')                                              # OPERATOR.md §4.5


def without_act(payload):
    """An act of OPERATOR.md §4.3 as the payload fields of PROTOCOL.md §6."""
    return {k: v for k, v in payload.items() if k != 'act'}


def decision(answer):
    """An operator answer in a few words: a decision (§4.4) and its code, or the failure ([OPS-5])."""
    if not answer.get('ok'):
        return f"ok {answer.get('ok')}: {answer.get('error')}"
    return ' '.join(str(answer[k]) for k in ('decision', 'code') if k in answer)


def failure(answer, pattern):
    """[OPS-5]: whether answer is `ok: false` with `error` alone, its error matching pattern; and what it was."""
    if answer is None:
        return 'no answer (connection closed)', False
    alone = set(answer) == {'ok', 'error'}
    ok = answer.get('ok') is False and alone and re.match(pattern, str(answer.get('error'))) is not None
    members = 'error alone' if alone else f'members {sorted(answer)}'
    return f"ok {answer.get('ok')}, {members}: {str(answer.get('error'))[:120]!r}", ok


def first_difference(ours, theirs, path='answer'):
    """Where the daemon's JSON value first departs from ours, as 'path: what', or None."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        for key in ours:
            if key not in theirs:
                return f'{path}.{key} missing'
            difference = first_difference(ours[key], theirs[key], f'{path}.{key}')
            if difference:
                return difference
        extra = sorted(set(theirs) - set(ours))
        return f'{path}: members not documented: {extra}' if extra else None
    if isinstance(ours, list) and isinstance(theirs, list):
        if len(ours) != len(theirs):
            return f'{path}: {len(theirs)} entries, expected {len(ours)}'
        return next(filter(None, (first_difference(o, t, f'{path}.{i}')
                                  for i, (o, t) in enumerate(zip(ours, theirs)))), None)
    if type(ours) is not type(theirs) or ours != theirs:
        return f'{path}: {theirs!r:.80}, expected {ours!r:.80}'
    return None


def resolution_object(aset, whole, rid):
    """OPERATOR.md §4.5 `resolutions`, one resolution, computed from the accepted set: the effective
    CLOSE's tally or the provisional one, each vote counted or not in that tally (a closed resolution's
    in the causal past of its effective CLOSE); votes by ID (§4.5 gives no order)."""
    p = aset.msgs[rid]['payload']
    close = whole.effective_close(rid)
    counting = aset.past(aset.dependencies(aset.msgs[close])) if close else whole
    votes = [{'id': vid.hex(), 'seat': aset.msgs[bytes.fromhex(v['payload']['mandate'])]['payload']['seat'],
              'choice': v['payload']['choice'], 'statement': v['payload']['statement'],
              'counted': counting.has(vid) and counting.counted(vid), 'delegate': v['author']}
             for vid, v in whole.of_kind('VOTE') if v['payload']['resolution'] == rid.hex()]
    return {'id': rid.hex(), 'body': whole.body_of_resolution(rid),
            **{k: p[k] for k in ('question', 'kind', 'title', 'rule', 'quorum', 'closes_at')},
            'status': 'closed' if close else 'open', 'close': close.hex() if close else None,
            'tally': aset.msgs[close]['payload']['tally'] if close else whole.tally(rid),
            'votes': sorted(votes, key=lambda v: v['id'])}


def mandate_object(aset, whole, mid):
    """OPERATOR.md §4.5 `mandates`, one standing mandate: its payload, `id`, `council`, `issued_at`."""
    m = aset.msgs[mid]
    return dict(m['payload'], id=mid.hex(), council=whole.seat_council(m), issued_at=m['timestamp'])


def councils_objects(whole):
    """OPERATOR.md §4.5 `councils`: every council in roster order (file and canonical order agree here)."""
    keys, dissolved = whole.current_keys(), whole.dissolved()
    return [{'name': c['name'], 'key': keys[c['name']].hex(), 'dissolved': c['name'] in dissolved}
            for c in whole.roster.councils]


# ---------------------------------------------------------------- main

def usable_binaries(program, args):
    """Whether --councild and --council (if given) are executables, saying why not; makes them absolute."""
    for option, path in (('--councild', args.councild), ('--council', args.council)):
        if path and not (os.path.isfile(path) and os.access(path, os.X_OK)):
            print(f'{program}: {option} {path}: not an executable file')
            return False
    args.councild = os.path.abspath(args.councild)
    args.council = args.council and os.path.abspath(args.council)
    return True


def interrupt_on_signals():
    """SIGINT, SIGTERM and SIGHUP raise KeyboardInterrupt, so that the daemons a run started are stopped."""
    def on_signal(signum, _frame):
        raise KeyboardInterrupt(signal.Signals(signum).name)
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, on_signal)


def script_arguments(doc, council_help):
    """The options every check against councild takes; the caller adds its own."""
    parser = argparse.ArgumentParser(description=doc.split('\n')[0])
    parser.add_argument('--councild', required=True, help='the councild binary')
    parser.add_argument('--council', help=council_help)
    parser.add_argument('--spec', default=os.path.normpath(os.path.join(HERE, '..', '..', 'Spec')),
                        help='the Spec folder (default: ../../Spec from this script)')
    parser.add_argument('--keep', action='store_true', help='keep the temporary folder')
    parser.add_argument('--trace', action='store_true', help='print every frame on the Python links')
    return parser


def ready(program, args):
    """Checks the binaries and makes the paths absolute, and has signals stop the run; False if it
    cannot start."""
    if not usable_binaries(program, args):
        return False
    args.spec = os.path.abspath(args.spec)
    interrupt_on_signals()
    return True


def run_steps(report, steps, keep_going=True):
    """Runs the steps in order. One that breaks off is one failed check, and unless `keep_going` the
    last step run, since later ones need it."""
    for name, step in steps:
        try:
            step()
        except Exception as e:
            report.check(f'{name} ran to the end', 'no error', f'{type(e).__name__}: {e}', False)
            if not keep_going:
                return


def run_script(program, report, checks, stop, folder, keep, contents):
    """Runs `checks` (which starts the daemons), prints the tally and always calls `stop`, also on
    Ctrl-C; the temporary folder is removed after a passing run. Returns the exit status."""
    started = time.monotonic()
    status = 1
    try:
        checks()
        print(f'{report.passed} passed, {report.failed} failed in {time.monotonic() - started:.1f} s')
        status = 0 if report.failed == 0 else 1
    except StartFailure as e:
        print(f'{program}: could not start: {e}')
        status = 2
    except KeyboardInterrupt as e:
        print(f'{program}: interrupted ({e}); stopping the daemons')
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)     # let the clean-up finish
        stop()
        if status == 0 and not keep:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            print(f'temporary folder kept: {folder} ({contents})')
    return status


def main():
    parser = script_arguments(__doc__, 'the council CLI binary (for the state digest via `status`)')
    parser.add_argument('--slow', action='store_true', help='also check HANDSHAKE_TIMEOUT and IDLE_TIMEOUT, and the '
                        "operator channel's size limits")
    args = parser.parse_args()

    if not ready('interop.py', args):
        return 2

    folder = tempfile.mkdtemp(prefix='council1-interop-')
    report = Report()
    daemon = Daemon(args.councild, folder, args.spec, free_port(), free_port())

    def checks():
        daemon.start()
        print(f'councild (budapest) listening on {HOST}:{daemon.listen_port}, control {HOST}:{daemon.control_port}',
              flush=True)
        run = Run(args, report, daemon)
        steps = [('handshake and catch-up', run.handshake_and_catch_up),
                 ('governance messages', run.story),
                 ('key replacement', run.replacement),
                 ('the current key in the handshake', run.current_key_handshake),
                 ('dissolution', run.dissolution),
                 ('frames after the handshake', run.frames_after_handshake),
                 ('refused handshakes', lambda: run.refused_handshakes(args.spec)),
                 ('operator channel', run.operator_channel),
                 ('duplicate links', run.duplicate_links),
                 ('catch-up and digest', run.catch_up_and_digest)]
        if args.slow:
            steps += [('timeouts', run.timeouts), ('operator channel limits', run.operator_limits)]
        steps += [('durability', run.durability), ('responder side', run.responder)]
        run_steps(report, steps)

    return run_script('interop.py', report, checks, daemon.stop, folder, args.keep, 'config, councild.log, data')


if __name__ == '__main__':
    sys.exit(main())
