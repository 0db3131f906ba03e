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
DISSOLVE), and, after a restart with a `peers` entry, the handshake as responder. `--slow` adds
HANDSHAKE_TIMEOUT and IDLE_TIMEOUT (§11; about 15 s more).

Prints one PASS/FAIL line per check. Exit status: 0 every check passed, 1 some check failed,
2 the run could not start (missing `cryptography` module, binary, or a daemon that does not come up).
The daemons it starts are always stopped; the temporary folder is kept (and named) when a check
fails or with --keep.
"""
import argparse
import json
import os
import random
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

from council1 import (ERROR_CODES, AcceptedSet, PeerError, ProtocolError, Roster, build_message, decode_plaintext_frame,
                      encode_content, error_name, message_id, public_bytes, test_key, with_length)
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

    def start(self, peers=()):
        config = dict(self.config, peers=[{'council': c, 'address': a} for c, a in peers])
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

    def control(self, op):
        """One request on the operator channel (OPERATOR.md §4.1: a JSON line answered by a JSON line)."""
        with socket.create_connection((HOST, self.daemon.control_port), timeout=WAIT) as sock:
            sock.sendall(json.dumps({'op': op}).encode() + b'\n')
            answer = json.loads(sock.makefile('rb').readline())
        if not answer.get('ok'):
            raise RuntimeError(f"operator channel, {op}: {answer.get('error')}")
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
            first = link.recv_frame(WAIT)['type']
            kept = self.still_up(link)
            return f"link up, first frame {first}, PING -> {'PONG' if kept == 'link kept' else kept}"
        except PeerError as e:
            return f'ERROR {e.code}'
        except (EOFError, OSError, ProtocolError) as e:
            return f'no answer ({e!r})'
        finally:
            link.close()

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
        r.check('council status: accepted, held', (len(self.accepted), 1), (status['accepted'], status['held']))

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
    parser.add_argument('--slow', action='store_true', help='also check HANDSHAKE_TIMEOUT and IDLE_TIMEOUT')
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
                 ('catch-up and digest', run.catch_up_and_digest)]
        if args.slow:
            steps.append(('timeouts', run.timeouts))
        steps.append(('responder side', run.responder))
        run_steps(report, steps)

    return run_script('interop.py', report, checks, daemon.stop, folder, args.keep, 'config, councild.log, data')


if __name__ == '__main__':
    sys.exit(main())
