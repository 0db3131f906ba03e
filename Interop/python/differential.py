"""Differential test of the governance semantics (PROTOCOL.md §12): validator.py against `councild`.

    python3 Interop/python/differential.py --councild .build/debug/councild [--council .build/debug/council]
                                           [--seeds N] [--seed S] [--messages M] [--verbose] [--keep]
                                           [--max-pending N] [--no-late]

For each seed: generate a random but plausible story of governance messages by the councils, electors
and delegates of the conformance roster (Appendix A test keys) — mandates (some for occupied seats,
bad weights, unknown seats), recalls, proposals (some out of scope, under recalled or expired
mandates), votes (instructed, after a recall, duplicates, concurrent with recalls), closes (right and
wrong tallies, too early), replaces, dissolves, equivocations, resends, bad signatures, bad sequences
and timestamps, refs to rejected or unknown messages, acts dated far ahead (2200: held for their time
to the end, [ORDER-7]) and refs to them — with random refs among earlier messages so that causal
pasts differ. The story is then delivered in a shuffled order (some messages after their dependents,
so those are held and released; a few never) to a fresh `councild` (council `budapest`) over links
opened as `gyor` and `miskolc`, and to validator.Node; every message refused with PENDING_LIMIT is
then sent once more. Every PENDING_EVERY-th seed runs with a small `limits.max_pending` ([ORDER-6]);
every LATE_EVERY-th seed ends with a late phase: a few more acts dated just beyond the wall clock +
MAX_CLOCK_SKEW, held when they arrive and decided by both nodes a second later ([ORDER-7]), then the
refused ones again. Compared:

- every answer, message by message: ACK status 0/1/2 or REJECT code;
- at the end, what the daemon knows of every ID sent (operator `has`: accepted, held, rejected with
  code), the `accepted` and `held` counts, and the state digest (`council status --json`, §12.10)
  against AcceptedSet's.

One line per seed; the first disagreement of each seed is printed with its context. Exit status:
0 no disagreement, 1 some disagreement, 2 could not run.
"""
import argparse
import functools
import hashlib
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True

try:
    import cryptography  # noqa: F401
except ImportError:
    print('differential.py: the Python module "cryptography" is missing (pip install cryptography)')
    sys.exit(2)

from council1 import (Roster, ZERO32, build_message, decode_message, error_name, message_id,
                      public_bytes, test_key)
from interop import HOST, Daemon, StartFailure, free_port, interrupt_on_signals, usable_binaries
from peer import dial
from validator import MAX_CLOCK_SKEW, Ambiguous, Node, wall_clock

HERE = os.path.dirname(os.path.abspath(__file__))
WAIT = 10
COUNCILS = ['budapest', 'csepel', 'gyor', 'miskolc', 'pecs', 'szolnok']
DELEGATES = [f'delegate-{i}' for i in range(1, 13)]
SCOPES = ['strike', 'wages', 'bread', 'arms', 'talks']
QUESTIONS = ['general-strike', 'march', 'return-to-work', 'negotiate', 'nine-points']
CHOICES = ['for', 'against', 'abstain']
MINUTE, HOUR, DAY = 60_000, 3_600_000, 86_400_000
EPOCH = 1_600_000_000_000        # scenario time starts here (2020): every timestamp is in the past
FAR_AHEAD = 7_258_118_400_000    # 2200: "far-ahead" acts, held for their time ([ORDER-7]) throughout
STORY_NOW = 4_102_444_800_000    # 2100: the clock of the Nodes that make and rehearse a story (after every
                                 # late timestamp, long before FAR_AHEAD)
PENDING_EVERY = 3                # every third seed runs with a small limits.max_pending ([ORDER-6])
LATE_EVERY = 4                   # every fourth seed ends with a late phase ([ORDER-7] releases)
LATE_ACTS = 10                   # acts in a late phase
LATE_LEAD = 600                  # ms from making the late acts to the first one's release
SEND_GUARD = 300                 # ms: the last late message is sent at least this long before a release
RACE_GUARD = 2 * MINUTE          # late timestamps this close to the run's moments of release are not sent
RELEASE_WAIT = 4                 # s to wait for the daemon's release, after the validator's
RELEASE_SETTLE = 1.5             # s to give the daemon when the validator releases nothing


# ---------------------------------------------------------------- generating a story

class Story:
    """Creates messages in causal order, deciding each with its own Node (creation order) to keep the
    story plausible: chains follow accepted messages, refs are picked among accepted ones."""

    def __init__(self, roster, rng):
        self.roster, self.rng = roster, rng
        self.gen = Node(roster, clock=lambda: STORY_NOW)
        self.keys = {}                 # public key bytes -> (label, private key)
        for label in COUNCILS + [f'electors-{c}' for c in COUNCILS] + DELEGATES:
            self.key(label)
        self.order = []                # accepted IDs in creation order (the pool for refs)
        self.created = []              # dicts: id, raw, kind, label, seq, refs, prev, note, verdict
        self.index = {}                # id -> index in created
        self.clock = EPOCH + rng.randrange(DAY)
        self.spacing = (MINUTE // 6, 8 * MINUTE)     # from one message's timestamp to the next
        self.new_keys = 0
        self.dissolves = 0
        self.replace_of = {}           # new key -> the accepted REPLACE that installed it
        self.extra_refs = []           # refs the next message must have (far_ahead)

    def key(self, label):
        private = test_key(label)
        self.keys[public_bytes(private)] = (label, private)
        return private

    def label(self, pub):
        return self.keys.get(pub, (pub.hex()[:12], None))[0]

    def world(self):
        return self.gen.aset.view()

    def council_key(self, council, current=True):
        """The council's current key in the creation-order accepted set, as (label, private)."""
        return self.keys[self.world().current_keys()[council]]

    # -- the generic builder

    def build(self, label_key, kind, payload_of, required=(), note='', when=None):
        rng = self.rng
        label, private = label_key
        pub = public_bytes(private)
        aset = self.gen.aset
        seq = aset.head.get(pub, 0) + 1
        prev = aset.chain.get((pub, seq - 1))
        replace = self.replace_of.get(pub)
        if pub in self.world().retired_keys() and rng.random() < 0.5:
            councils = {c for c, k in self.roster.key_of.items() if k == pub}
            councils |= {m['payload']['council'] for _, m in self.world().of_kind('REPLACE')
                         if bytes.fromhex(m['payload']['new_key']) == pub}
            replaces = [mid for mid, m in self.world().of_kind('REPLACE') if m['payload']['council'] in councils]
            replace = rng.choice(replaces) if replaces else None
        refs = set(r for r in list(required) + [replace] if r is not None and rng.random() < 0.92)
        refs.update(self.extra_refs)
        if self.order:
            horizon = len(self.order) if rng.random() < 0.5 else rng.randint(0, len(self.order))
            pool = self.order[:horizon]
            for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
                if pool:
                    refs.add(rng.choice(pool[-12:] if rng.random() < 0.6 else pool))
        mutation = ''
        roll = rng.random()
        if roll < 0.025 and prev is not None:
            mutation = 'bad-sequence'
            if rng.random() < 0.5:
                seq += 1                          # prev names sequence seq-2
            else:
                others = [x for x in self.order if aset.msgs[x]['author'] != pub.hex()]
                if others:
                    prev = rng.choice(others)
                else:
                    seq += 1
        elif roll < 0.05:
            rejected = [x for x, code in self.gen.rejected.items() if code != 'MALFORMED_MESSAGE']
            if rejected:
                mutation = 'rejected-ref'
                refs.add(rng.choice(rejected))
        elif roll < 0.06:
            mutation = 'unknown-ref'
            refs.add(hashlib.sha256(b'never sent %d' % rng.getrandbits(64)).digest())
        elif roll < 0.075:
            ahead = [x for x, (_, m) in self.gen.held.items() if self.gen.ahead(m)]
            if ahead:
                mutation = 'ahead-ref'                # held with it ([CORE-2], [ORDER-7])
                refs.add(rng.choice(ahead))
        refs.discard(prev)
        refs = sorted(refs)[:32]
        deps = [d for d in [prev] + refs if d is not None and d in aset.msgs]
        latest = max([aset.msgs[d]['timestamp'] for d in deps] + [0])
        self.clock += rng.randint(*self.spacing)
        timestamp = max(self.clock, latest)
        if when is not None:
            wanted = when()
            if wanted is not None and wanted >= latest:
                timestamp, note = wanted, note + ' boundary-time'
        if not mutation and deps and rng.random() < 0.025 and latest > EPOCH:
            mutation, timestamp = 'bad-timestamp', latest - rng.randint(1, 5 * MINUTE)
        past = aset.past([d for d in deps if d in aset.msgs]) if all(d in aset.msgs for d in deps) else None
        payload = payload_of(timestamp, past, refs, prev)
        raw = build_message(private, self.roster.hash, kind, seq, prev, timestamp, payload, refs)
        if not mutation and rng.random() < 0.03:
            mutation = 'bad-signature'
            raw = raw[:-1] + bytes([raw[-1] ^ (1 << rng.randrange(8))])
        return self.record(raw, label, note, mutation)

    def record(self, raw, label, note, mutation=''):
        mid = message_id(raw)
        m = decode_message(raw)
        verdict = self.gen.receive(raw)
        far = 'far-ahead' if self.gen.ahead(m) else ''
        entry = {'id': mid, 'raw': raw, 'kind': m['kind'], 'label': label, 'seq': m['sequence'],
                 'author': bytes.fromhex(m['author']), 'prev': bytes.fromhex(m['prev']),
                 'refs': [bytes.fromhex(r) for r in m['refs']], 'ts': m['timestamp'], 'verdict': verdict,
                 'note': ' '.join(x for x in (note, mutation, far) if x)}
        if mid not in self.index:
            self.index[mid] = len(self.created)
        self.created.append(entry)
        if verdict == ('ACK', 0):
            self.order.append(mid)
            if m['kind'] == 'REPLACE':
                self.replace_of.setdefault(bytes.fromhex(m['payload']['new_key']), mid)
        return entry

    # -- the acts

    def pick_mandate(self, standing_bias=0.8, body=None):
        W = self.world()
        mandates = [mid for mid, m in W.of_kind('MANDATE') if body is None or m['payload']['body'] == body]
        if not mandates:
            return None
        standing = [mid for mid in mandates if W.standing(mid)]
        live = [mid for mid in standing if W.msgs[mid]['payload']['valid_until'] > self.clock + 10 * MINUTE]
        if live and self.rng.random() < standing_bias:
            return self.rng.choice(live)
        if standing and self.rng.random() < 0.5:
            return self.rng.choice(standing)
        return self.rng.choice(mandates)

    def pick_resolution(self):
        W = self.world()
        proposals = [mid for mid, _ in W.of_kind('PROPOSAL')]
        if not proposals:
            return None
        open_ = [mid for mid in proposals if not W.closes_of(mid)]
        if open_ and self.rng.random() < 0.85:
            return self.rng.choice(open_[-6:])
        return self.rng.choice(proposals)

    def some_council_key(self, council):
        """Usually the council's current key; sometimes a retired one, its electors', another's."""
        rng = self.rng
        replaced = self.world().current_keys()[council] != self.roster.key_of[council]
        if replaced and rng.random() < 0.35:
            return self.keys[self.roster.key_of[council]], 'retired key'
        if rng.random() < 0.87:
            return self.council_key(council), ''
        roll = rng.random()
        if roll < 0.35 and self.world().current_keys()[council] != self.roster.key_of[council]:
            return self.keys[self.roster.key_of[council]], 'retired key'
        if roll < 0.6:
            return (f'electors-{council}', self.key(f'electors-{council}')), 'electors key'
        other = rng.choice([c for c in COUNCILS if c != council])
        return self.council_key(other), f'{other} key'

    def mandate(self):
        rng = self.rng
        W = self.world()
        alive = [c for c in COUNCILS if c not in W.dissolved()]
        council = rng.choice(alive if alive and rng.random() < 0.95 else COUNCILS)
        author, note = self.some_council_key(council)
        seats = [(b, s) for (b, s), (c, _) in self.roster.seats.items() if c == council]
        roll = rng.random()
        if roll < 0.05:
            body, seat = 'senate', 'budapest'
            note += ' unknown body'
        elif roll < 0.1:
            body, seat = rng.choice(['cwc', 'parliament']), 'nowhere'
            note += ' unknown seat'
        elif roll < 0.16:
            body, seat = rng.choice([k for k, (c, _) in self.roster.seats.items() if c != council])
            note += ' seat of another council'
        else:
            body, seat = rng.choice(seats) if seats else ('parliament', council)
        max_weight = self.roster.seats.get((body, seat), (None, 1))[1]
        weight = rng.randint(1, max_weight) if rng.random() < 0.92 else rng.choice([0, max_weight + 1])
        delegate = rng.choice(DELEGATES)

        def payload(t, past, refs, prev):
            if rng.random() < 0.85:
                valid_from = t - rng.randint(0, 2 * HOUR)
            else:
                valid_from = t + rng.randint(5 * MINUTE, HOUR)
            span = rng.randint(20 * MINUTE, 2 * HOUR) if rng.random() < 0.4 else rng.randint(3 * HOUR, 3 * DAY)
            valid_until = valid_from + span if rng.random() > 0.04 else valid_from - rng.choice([0, 1])
            instructions = {}
            if rng.random() < 0.5:
                for q in rng.sample(QUESTIONS, rng.randint(1, 2)):
                    instructions[q] = rng.choice(CHOICES)
            return {'body': body, 'seat': seat, 'delegate': public_bytes(self.key(delegate)).hex(),
                    'weight': weight, 'valid_from': valid_from, 'valid_until': max(valid_until, 0),
                    'scope': rng.sample(SCOPES, rng.randint(1, 3)),
                    'instructions': [{'question': q, 'choice': c} for q, c in instructions.items()]}
        W = self.world()
        occupying = [m['payload']['valid_until'] for mid, m in W.of_kind('MANDATE')
                     if (m['payload']['body'], m['payload']['seat']) == (body, seat) and W.standing(mid)]
        when = self.at_edges(*occupying, p=0.25) if occupying else None
        return self.build(author, 'MANDATE', payload, when=when,
                          note=f'{body}/{seat} -> {delegate} w{weight} {note}'.strip())

    def confuse(self, mid, p=0.04):
        """Sometimes an accepted ID of another kind in place of mid (UNKNOWN_MANDATE, UNKNOWN_RESOLUTION)."""
        kind = self.gen.aset.msgs[mid]['kind']
        others = [x for x in self.order if self.gen.aset.msgs[x]['kind'] != kind]
        if others and self.rng.random() < p:
            return self.rng.choice(others), ' wrong-kind id'
        return mid, ''

    def at_edges(self, *times, p=0.12):
        """Sometimes a timestamp exactly at (or 1 ms before) one of the given instants."""
        if self.rng.random() >= p:
            return None
        t = self.rng.choice(times)
        return lambda: t - self.rng.choice([0, 1])

    def recall(self):
        mandate = self.pick_mandate()
        if mandate is None:
            return self.mandate()
        council = self.world().seat_council(self.gen.aset.msgs[mandate])
        author, note = self.some_council_key(council)
        mandate, confused = self.confuse(mandate)
        note += confused
        return self.build(author, 'RECALL', lambda t, past, refs, prev: {'mandate': mandate.hex(), 'reason': 'recalled'},
                          required=[mandate], note=f'of #{self.index[mandate]} {note}'.strip())

    def delegate_of(self, mandate):
        rng = self.rng
        delegate = bytes.fromhex(self.gen.aset.msgs[mandate]['payload']['delegate'])
        if rng.random() < 0.9:
            return self.keys[delegate], ''
        label = rng.choice(DELEGATES)
        return (label, self.key(label)), 'other delegate'

    def proposal(self):
        rng = self.rng
        mandate = self.pick_mandate()
        if mandate is None:
            return self.mandate()
        mp = self.gen.aset.msgs[mandate]['payload']
        author, note = self.delegate_of(mandate)
        seats = sum(1 for (b, _) in self.roster.seats if b == mp['body'])
        kind = rng.choice(mp['scope']) if rng.random() < 0.85 else rng.choice(SCOPES)
        rule = rng.choice(['majority', 'majority', 'two-thirds', 'unanimity'])
        quorum = rng.randint(0, seats) if rng.random() < 0.93 else seats + 1
        question = rng.choice(QUESTIONS)
        when = self.at_edges(mp['valid_from'], mp['valid_until'])
        mandate, confused = self.confuse(mandate)
        note += confused

        def payload(t, past, refs, prev):
            return {'mandate': mandate.hex(), 'question': question, 'kind': kind, 'rule': rule, 'quorum': quorum,
                    'closes_at': t + rng.randint(-30 * MINUTE, 2 * HOUR), 'title': question, 'text': ''}
        return self.build(author, 'PROPOSAL', payload, required=[mandate], when=when,
                          note=f'under #{self.index[mandate]} {mp["body"]} {question}/{kind} {rule} q{quorum} {note}'.strip())

    def vote(self):
        rng = self.rng
        resolution = self.pick_resolution()
        if resolution is None:
            return self.proposal()
        W = self.world()
        body = W.body_of_resolution(resolution)
        rp = W.msgs[resolution]['payload']
        voted = {v['payload']['mandate'] for _, v in W.of_kind('VOTE') if v['payload']['resolution'] == resolution.hex()}
        fresh = [mid for mid, m in W.of_kind('MANDATE')
                 if m['payload']['body'] == body and W.standing(mid) and mid.hex() not in voted
                 and rp['kind'] in m['payload']['scope'] and m['payload']['valid_until'] > self.clock]
        if fresh and rng.random() < 0.75:
            mandate = rng.choice(fresh)
        else:
            mandate = self.pick_mandate(body=body if rng.random() < 0.9 else None)
        if mandate is None:
            return self.mandate()
        mp = self.gen.aset.msgs[mandate]['payload']
        author, note = self.delegate_of(mandate)
        instructed = [i['choice'] for i in mp['instructions'] if i['question'] == rp['question']]
        choice = instructed[0] if instructed and rng.random() < 0.6 else rng.choice(CHOICES)
        when = self.at_edges(mp['valid_from'], mp['valid_until'])
        resolution, confused = self.confuse(resolution)
        mandate, confused2 = self.confuse(mandate)
        note += confused + confused2
        return self.build(author, 'VOTE', when=when, payload_of=lambda t, past, refs, prev: {
            'resolution': resolution.hex(), 'mandate': mandate.hex(), 'choice': choice, 'statement': ''},
            required=[resolution, mandate],
            note=f'on #{self.index[resolution]} under #{self.index[mandate]} {choice} {note}'.strip())

    def close(self):
        rng = self.rng
        resolution = self.pick_resolution()
        if resolution is None:
            return self.proposal()
        r = self.gen.aset.msgs[resolution]
        roll = rng.random()
        if roll < 0.5:
            author, note = self.keys[bytes.fromhex(r['author'])], 'by proposer'
        else:
            body = self.world().body_of_resolution(resolution)
            seated = sorted({c for (b, _), (c, _) in self.roster.seats.items() if b == body})
            council = rng.choice(seated if roll < 0.92 else COUNCILS)
            author, note = self.council_key(council), f'by {council}'
        wrong = rng.random() < 0.15
        when = self.at_edges(r['payload']['closes_at'], p=0.2)
        resolution, confused = self.confuse(resolution)
        note += confused

        def payload(t, past, refs, prev):
            if past is not None and past.has(resolution) and past.msgs[resolution]['kind'] == 'PROPOSAL':
                tally = past.tally(resolution)
            else:
                tally = {'outcome': 'no-quorum', 'for': 0, 'against': 0, 'abstain': 0, 'seats_voted': 0}
            if wrong:
                field = rng.choice(['outcome', 'for', 'against', 'abstain', 'seats_voted'])
                if field == 'outcome':
                    tally['outcome'] = rng.choice([o for o in ('adopted', 'rejected', 'no-quorum') if o != tally['outcome']])
                else:
                    tally[field] += 1
            return {'resolution': resolution.hex(), 'tally': tally}
        return self.build(author, 'CLOSE', payload, required=[resolution], when=when,
                          note=f'of #{self.index[resolution]} {note}{" wrong tally" if wrong else ""}')

    def replace(self):
        rng = self.rng
        W = self.world()
        council = rng.choice(COUNCILS)
        roll = rng.random()
        if roll < 0.85:
            author, note = (f'electors-{council}', self.key(f'electors-{council}')), ''
        else:
            author, note = self.council_key(council), 'by the council key'
        roll = rng.random()
        if roll < 0.08:
            label = rng.choice(DELEGATES)
            new_key = public_bytes(self.key(label))
            note += ' a delegate key'
        elif roll < 0.85:
            self.new_keys += 1
            label = 'csepel-new' if council == 'csepel' and self.new_keys == 1 else f'diff-new-{council}-{self.new_keys}'
            new_key = public_bytes(self.key(label))
        else:
            used = [bytes.fromhex(m['payload']['new_key']) for _, m in W.of_kind('REPLACE')]
            new_key = rng.choice(used + [self.roster.key_of[rng.choice(COUNCILS)]])
            label, note = self.label(new_key), note + ' reused key'
        return self.build(author, 'REPLACE', lambda t, past, refs, prev: {
            'council': council, 'new_key': new_key.hex(), 'reason': 'new council'},
            note=f'{council} -> {label} {note}'.strip())

    def dissolve(self):
        rng = self.rng
        council = rng.choice(COUNCILS)
        roll = rng.random()
        if roll < 0.5:
            author, note = self.council_key(council), 'by the council'
        elif roll < 0.9:
            author, note = (f'electors-{council}', self.key(f'electors-{council}')), 'by the electors'
        else:
            other = rng.choice(COUNCILS)
            author, note = self.council_key(other), f'by {other}'
        self.dissolves += 1
        return self.build(author, 'DISSOLVE', lambda t, past, refs, prev: {'council': council, 'statement': ''},
                          note=f'{council} {note}')

    def equivocation(self):
        """Another message with the sequence number of an author's latest accepted one."""
        if not self.order:
            return self.mandate()
        original_id = self.rng.choice(self.order[-10:])
        m = self.gen.aset.msgs[original_id]
        label, private = self.keys[bytes.fromhex(m['author'])]
        raw = build_message(private, self.roster.hash, m['kind'], m['sequence'],
                            None if m['sequence'] == 1 else bytes.fromhex(m['prev']), m['timestamp'] + 1,
                            m['payload'], [bytes.fromhex(r) for r in m['refs']])
        entry = self.record(raw, label, f'equivocates #{self.index[original_id]}')
        entry['original'] = original_id
        return entry

    def succession(self):
        """A seat whose delegate voted on an open resolution gets a new mandate (after a recall that saw
        the vote, or once the old one expired), and the new delegate votes too, seeing the first vote or
        not: several counted votes for one seat ([TALLY-2]), concurrent or not."""
        rng = self.rng
        W = self.world()
        options = []
        for vid, v in W.of_kind('VOTE'):
            rid = bytes.fromhex(v['payload']['resolution'])
            mid = bytes.fromhex(v['payload']['mandate'])
            if not W.closes_of(rid) and W.counted(vid) and W.standing(mid):
                options.append((vid, rid, mid))
        if not options:
            return self.vote()
        vid, rid, mid = rng.choice(options[-8:])
        mp = W.msgs[mid]['payload']
        council = W.seat_council(W.msgs[mid])
        author = self.council_key(council)
        if rng.random() < 0.5:
            self.build(author, 'RECALL', lambda t, past, refs, prev: {'mandate': mid.hex(), 'reason': 'succession'},
                       required=[mid, vid], note=f'of #{self.index[mid]} (succession, saw #{self.index[vid]})')
            when = None
        else:
            when = lambda: max(mp['valid_until'], self.clock)
        delegate = rng.choice(DELEGATES)
        rp = W.msgs[rid]['payload']

        def payload(t, past, refs, prev):
            return {'body': mp['body'], 'seat': mp['seat'], 'delegate': public_bytes(self.key(delegate)).hex(),
                    'weight': rng.randint(1, self.roster.seats[(mp['body'], mp['seat'])][1]),
                    'valid_from': t - MINUTE, 'valid_until': t + DAY, 'scope': [rp['kind']], 'instructions': []}
        new = self.build(author, 'MANDATE', payload, when=when,
                         note=f"{mp['body']}/{mp['seat']} -> {delegate} (succession of #{self.index[mid]})")
        if new['verdict'] != ('ACK', 0):
            return new
        required = [rid, new['id']] + ([vid] if rng.random() < 0.5 else [])
        return self.build(self.keys[public_bytes(self.key(delegate))], 'VOTE', lambda t, past, refs, prev: {
            'resolution': rid.hex(), 'mandate': new['id'].hex(), 'choice': rng.choice(CHOICES), 'statement': ''},
            required=required, note=f"on #{self.index[rid]} under #{self.index[new['id']]} (succession)")

    def resend(self):
        if not self.created:
            return self.mandate()
        entry = self.rng.choice(self.created)
        return self.record(entry['raw'], entry['label'], f'resend of #{self.index[entry["id"]]}')

    def far_ahead(self):
        """An ordinary act dated long after any clock of the run: every node holds it for its time
        ([ORDER-7]) to the end, whatever it is, and with it what names it ('ahead-ref'). Sometimes it names
        a recent rejected message and overtakes it in the delivery: held, then DEPENDENCY_REJECTED ([CORE-3])."""
        act = self.rng.choice([self.mandate, self.recall, self.proposal, self.vote, self.close])
        rejected = [x for x, code in self.gen.rejected.items() if code != 'MALFORMED_MESSAGE'][-6:]
        doomed = self.rng.choice(rejected) if rejected and self.rng.random() < 0.3 else None
        clock, self.clock = self.clock, FAR_AHEAD + self.rng.randrange(DAY)
        self.extra_refs = [doomed] if doomed else []
        try:
            entry = act()
        finally:
            self.clock, self.extra_refs = clock, []
        if doomed in entry['refs']:
            entry['overtakes'] = doomed
            entry['note'] += f' overtakes #{self.index[doomed]}'
        return entry

    def acts(self, i, total):
        """The acts a step chooses from, with their weights."""
        acts = [(self.mandate, 17), (self.recall, 7), (self.proposal, 14), (self.vote, 30), (self.close, 10),
                (self.resend, 4), (self.equivocation, 2), (self.succession, 4), (self.far_ahead, 2)]
        if self.new_keys < 2:
            acts.append((self.replace, 3))
        if self.dissolves < 1 and i > total * 0.4:
            acts.append((self.dissolve, 1.5))
        return acts

    def step(self, i, total, leave_out=()):
        if i < 6:
            return self.mandate()
        functions, weights = zip(*[(f, w) for f, w in self.acts(i, total) if f not in leave_out])
        return self.rng.choices(functions, weights)[0]()


def refused_for_room(answered):
    """The messages answered PENDING_LIMIT, once each, in order: a sender sends them again later, as the
    catch-up of [SYNC-6] would (the refusal is no decision, [CORE-4], and not remembered)."""
    refused = {}
    for e, answer in answered:
        if answer == ('REJECT', 'PENDING_LIMIT'):
            refused.setdefault(e['id'], e)
    return list(refused.values())


def delivery_order(story, rng, new_node):
    """Shuffle the story: some messages arrive up to 12 places late (their dependents are held), a few
    never. Returns the list of entries, or the creation order when every shuffle was ambiguous (checked
    with a rehearsal of the delivery and its PENDING_LIMIT retries on new_node)."""
    entries = story.created
    for _ in range(8):
        keyed, placed = [], {}
        for i, e in enumerate(entries):
            roll = rng.random()
            if roll < 0.01 and i > 0.75 * len(entries) and 'resend' not in e['note']:
                continue                                     # never delivered (late in the story, so
                                                             # that its dependents stay held, not all)
            key = i + rng.randint(1, 12) + 0.5 if roll < 0.13 else i
            original = story.index.get(e.get('original'))
            if original is not None and rng.random() < 0.9:
                # an equivocation usually arrives after the message it equivocates: the other way
                # round, everything built on the original is DEPENDENCY_REJECTED and the story withers
                key = max(key, placed.get(original, original) + 0.25)
            overtaken = story.index.get(e.get('overtakes'))
            if overtaken in placed:
                key = min(key, placed[overtaken] - 0.25)     # held before its dependency is rejected
            placed.setdefault(i, key)
            keyed.append((key, i, e))
        order = [e for _, _, e in sorted(keyed, key=lambda k: (k[0], k[1]))]
        node = new_node(clock=lambda: STORY_NOW)
        try:
            answered = [(e, node.receive(e['raw'])) for e in order]
            for e in refused_for_room(answered):
                node.receive(e['raw'])
            return order
        except Ambiguous:
            continue
    return list(entries)


def late_entries(story):
    """LATE_ACTS more acts dated from a little more than MAX_CLOCK_SKEW ahead of the wall clock, a few ms
    apart: held for their time when they arrive, due within a second ([ORDER-7]). Returns the entries to
    deliver (clear of races with the clock, one per author and sequence) and the first and last instant
    of that span."""
    start = len(story.created)
    first = wall_clock() + MAX_CLOCK_SKEW + LATE_LEAD
    story.clock, story.spacing = first, (1, 25)
    for _ in range(LATE_ACTS):
        story.step(len(story.created), len(story.created), leave_out=(story.equivocation, story.far_ahead))
    last = story.clock
    entries = [e for e in story.created[start:] if clear_of_races(e['ts'], first, last)]
    for e in entries:
        e['note'] += ' late'
    return one_per_sequence(entries), first, last


def clear_of_races(timestamp, first, last):
    """A late message is sent only when both nodes must agree whether it is ahead ([ORDER-7]), when it
    arrives and when they are compared: already due when made (by RACE_GUARD), due in [first, last], or
    due long after the run (edge timestamps, far-ahead resends)."""
    return timestamp <= first - LATE_LEAD - RACE_GUARD or first <= timestamp <= last or timestamp >= last + RACE_GUARD


def one_per_sequence(entries):
    """Of the late messages with one author and sequence number only one ID is sent (the one the story
    accepted, if any): the clock releases them together, in an order the Spec leaves open (Ambiguous)."""
    chosen = {}
    for e in entries:
        key = (e['author'], e['seq'])
        if key not in chosen or chosen[key]['verdict'] != ('ACK', 0):
            chosen[key] = e
    return [e for e in entries if chosen[(e['author'], e['seq'])]['id'] == e['id']]


def seed_max_pending(args, seed):
    """limits.max_pending for a seed: --max-pending, else a small one (3-7) every PENDING_EVERY-th seed."""
    if args.max_pending:
        return args.max_pending
    return 3 + seed % 5 if seed % PENDING_EVERY == 0 else None


def configure(daemon, max_pending):
    """max_invalid_frames raised, so that rejections never close the links; max_pending if given."""
    daemon.config['limits'] = {'max_invalid_frames': 1_000_000}
    if max_pending:
        daemon.config['limits']['max_pending'] = max_pending


# ---------------------------------------------------------------- running against the daemon

class Control:
    """The operator channel (OPERATOR.md §4): one JSON request per line."""

    def __init__(self, port):
        self.sock = socket.create_connection((HOST, port), timeout=WAIT)
        self.file = self.sock.makefile('rwb')

    def request(self, **fields):
        self.file.write(json.dumps(fields).encode() + b'\n')
        self.file.flush()
        return json.loads(self.file.readline())

    def close(self):
        self.file.close()
        self.sock.close()


def normalise(answer):
    if answer['type'] == 'ACK':
        return ('ACK', answer['status'])
    return ('REJECT', error_name(answer['code']))


def show(answer):
    return ' '.join(map(str, answer))


def describe(story, e, position=None):
    refs = ', '.join(f"#{story.index[r]}" if r in story.index else r.hex()[:8] + '(unknown)' for r in e['refs'])
    prev = f"#{story.index[e['prev']]}" if e['prev'] in story.index else ('-' if e['prev'] == ZERO32 else e['prev'].hex()[:8])
    where = f' delivered {position}' if position is not None else ''
    return (f"#{story.index[e['id']]}{where} {e['kind']} by {e['label']} seq {e['seq']} t+{e['ts'] - EPOCH} "
            f"prev {prev} refs [{refs}] {e['note']} (id {e['id'].hex()[:16]})")


class Session:
    """One seed against one councild: sends messages over the links to the daemon and to the validator,
    compares the answers and then the final states; keeps the first disagreement."""

    def __init__(self, args, story, node, daemon, links, rng):
        self.args, self.story, self.node, self.daemon, self.links, self.rng = args, story, node, daemon, links, rng
        self.sent = []                 # entries in the order sent, the disagreeing one included
        self.answered = []             # (entry, answer) of the agreed answers
        self.disagreements = []
        self.counts = {'ACK 0': 0, 'ACK 1': 0, 'ACK 2': 0, 'REJECT': 0, 'PENDING_LIMIT': 0}
        self.late = None               # the late phase's numbers, if it ran

    def send(self, entries):
        """Send entries in order; False at the first disagreement."""
        return all(self.send_one(e) for e in entries)

    def send_one(self, e):
        p = len(self.sent)
        self.sent.append(e)
        seen = normalise(self.rng.choice(self.links).submit(e['raw'], WAIT))
        before = len(self.node.released)
        expected = self.node.receive(e['raw'])
        self.count(expected)
        if self.args.verbose:
            mark = '' if seen == expected else f'   <-- validator: {show(expected)}'
            print(f"  {p:3} {show(seen):28} {describe(self.story, e)}{mark}{self.releases(before)}")
        if seen != expected:
            self.disagree(f'answer to message {p}', show(seen), show(expected), describe(self.story, e, p))
            return False
        self.answered.append((e, seen))
        return True

    def count(self, answer):
        self.counts['REJECT' if answer[0] == 'REJECT' else show(answer)] += 1
        self.counts['PENDING_LIMIT'] += answer == ('REJECT', 'PENDING_LIMIT')

    def releases(self, before):
        return ''.join(f"\n      released #{self.story.index[i]}: {show(a)}" for i, a in self.node.released[before:])

    def disagree(self, *what):
        if not self.disagreements:
            self.disagreements.append(what)

    def play(self, order, late):
        """The delivery and its PENDING_LIMIT retries, then, if `late`, the late phase."""
        if self.send(order) and self.send(refused_for_room(self.answered)) and late:
            self.late_phase()

    def late_phase(self):
        """[ORDER-7] with releases: late messages sent while ahead (ACK 2, or PENDING_LIMIT), both nodes
        decide them once due, the refused ones are sent again."""
        entries, first, last = late_entries(self.story)
        start, sent = len(self.answered), 0
        for e in entries:
            if wall_clock() > first - MAX_CLOCK_SKEW - SEND_GUARD:
                break                                       # too slow: the rest could arrive due
            if not self.send_one(e):
                return
            sent += 1
        held = set(self.node.held)
        before = len(self.node.released)
        self.await_release(last - MAX_CLOCK_SKEW)
        if self.args.verbose:
            print(f'  late phase: {sent} of {len(entries)} sent, then due{self.releases(before)}')
        self.late = {'sent': sent, 'released': len(held - set(self.node.held))}
        self.send(refused_for_room(self.answered[start:]))

    def await_release(self, due):
        """Wait until `due` (wall clock, ms), let the validator decide what is due, then wait (at most
        RELEASE_WAIT s) until the daemon has as many accepted and held messages. When the validator
        decides nothing, those numbers match before the daemon looks at its clock: give it RELEASE_SETTLE s."""
        time.sleep(max(0, due - wall_clock() + 5) / 1000)
        before = (len(self.node.aset.msgs), len(self.node.held))
        self.node.tick()
        wanted = (len(self.node.aset.msgs), len(self.node.held))
        if wanted == before:
            time.sleep(RELEASE_SETTLE)
        control = Control(self.daemon.control_port)
        deadline = time.monotonic() + RELEASE_WAIT
        try:
            while time.monotonic() < deadline:
                status = control.request(op='status')
                if (status['accepted'], status['held']) == wanted:
                    return
                time.sleep(0.05)
        finally:
            control.close()

    def compare_final(self):
        """What the daemon knows of every ID sent (`has`), its accepted and held counts and digest."""
        control = Control(self.daemon.control_port)
        try:
            for mid in dict.fromkeys(e['id'] for e in self.sent):
                self.compare_has(control, mid)
        finally:
            control.close()
        status = daemon_status(self.args, self.daemon)
        ours = {'accepted': len(self.node.aset.msgs), 'held': len(self.node.held), 'digest': self.node.aset.digest().hex()}
        theirs = {k: status[k] for k in ours}
        if theirs != ours:
            self.disagree('status', json.dumps(theirs), json.dumps(ours), '')
        return theirs['digest'] == ours['digest']

    def compare_has(self, control, mid):
        has = control.request(op='has', id=mid.hex())
        theirs = (has['state'],) + ((has['code'],) if has['state'] == 'rejected' else ())
        ours = self.node.state(mid)
        if theirs != ours:
            position = next(p for p, e in enumerate(self.sent) if e['id'] == mid)
            released = [show(a) for i, a in self.node.released if i == mid]
            self.disagree(f'final state of message {position}', ' '.join(theirs),
                          ' '.join(ours) + (f' (released: {released[0]})' if released else ''),
                          describe(self.story, self.sent[position], position))

    def ahead(self):
        """The messages the validator holds for their time."""
        return sum(1 for _, m in self.node.held.values() if self.node.ahead(m))


def run_seed(args, roster, seed):
    rng = random.Random(seed)
    story = Story(roster, rng)
    for i in range(args.messages):
        story.step(i, args.messages)
    max_pending = seed_max_pending(args, seed)
    new_node = functools.partial(Node, roster, max_pending=max_pending)
    order = delivery_order(story, rng, new_node)
    folder = tempfile.mkdtemp(prefix='council1-differential-')
    daemon = Daemon(args.councild, folder, args.spec, free_port(), free_port())
    configure(daemon, max_pending)
    session, links, ambiguous = None, [], None
    try:
        daemon.start()
        links = [dial(HOST, daemon.listen_port, roster, c, test_key(c), None, WAIT) for c in ('gyor', 'miskolc')]
        session = Session(args, story, new_node(), daemon, links, rng)
        try:
            session.play(order, late=bool(LATE_EVERY) and seed % LATE_EVERY == 0 and not args.no_late)
            digest = session.compare_final()
        except Ambiguous as e:
            ambiguous, digest = str(e), None
        for link in links:
            link.close()
        return {'seed': seed, 'messages': len(session.sent), 'agreed': len(session.answered),
                'counts': session.counts, 'released': len(session.node.released), 'max_pending': max_pending,
                'accepted': len(session.node.aset.msgs), 'held': len(session.node.held), 'ahead': session.ahead(),
                'late': session.late, 'digest': digest, 'ambiguous': ambiguous,
                'disagreements': session.disagreements, 'folder': folder}
    finally:
        for link in links:
            try:
                link.sock.close()
            except OSError:
                pass
        daemon.stop()
        if session is not None:
            with open(os.path.join(folder, 'delivered.json'), 'w', encoding='utf-8') as f:
                json.dump([e['raw'].hex() for e in session.sent], f)          # for --replay
        if not args.keep and session is not None and not session.disagreements:
            shutil.rmtree(folder, ignore_errors=True)


def replay(args, roster, path):
    """--replay FILE: send the messages of FILE (a JSON list of hex strings) in order to a fresh councild
    and to validator.Node; print both answers and final states. For minimal reproductions."""
    with open(path, encoding='utf-8') as f:
        raws = [bytes.fromhex(x) for x in json.load(f)]
    node = Node(roster, max_pending=args.max_pending)
    folder = tempfile.mkdtemp(prefix='council1-replay-')
    daemon = Daemon(args.councild, folder, args.spec, free_port(), free_port())
    configure(daemon, args.max_pending)
    differ = False
    try:
        daemon.start()
        link = dial(HOST, daemon.listen_port, roster, 'gyor', test_key('gyor'), None, WAIT)
        for i, raw in enumerate(raws):
            seen = normalise(link.submit(raw, WAIT))
            try:
                expected = node.receive(raw)
            except Ambiguous as e:
                print(f'validator: {e}: the Spec leaves the rest undefined')
                expected = seen
            m = decode_message(raw)
            differ |= seen != expected
            print(f"{i}: {m['kind']} seq {m['sequence']} id {message_id(raw).hex()[:16]}: "
                  f"councild {show(seen)}; validator {show(expected)}{'' if seen == expected else '   <-- differ'}")
        control = Control(daemon.control_port)
        for raw in raws:
            mid = message_id(raw)
            has = control.request(op='has', id=mid.hex())
            theirs = (has['state'],) + ((has['code'],) if has['state'] == 'rejected' else ())
            differ |= theirs != node.state(mid)
            print(f"final {mid.hex()[:16]}: councild {' '.join(theirs)}; validator {' '.join(node.state(mid))}")
        status = control.request(op='status')
        control.close()
        print(f"digest: councild {status['digest']}; validator {node.aset.digest().hex()}")
        differ |= status['digest'] != node.aset.digest().hex()
        link.close()
    finally:
        daemon.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return 1 if differ else 0


def daemon_status(args, daemon):
    if args.council:
        out = subprocess.run([args.council, 'status', '--control', f'{HOST}:{daemon.control_port}', '--json'],
                             capture_output=True, text=True, timeout=WAIT)
        if out.returncode != 0:
            raise RuntimeError(f'council status exited {out.returncode}: {out.stderr.strip()}')
        return json.loads(out.stdout)
    control = Control(daemon.control_port)
    try:
        return control.request(op='status')
    finally:
        control.close()


def seed_line(r):
    """One line per seed: the verdict, the answers, the limits and phases, the final state."""
    c = r['counts']
    verdict = 'DISAGREE' if r['disagreements'] else 'UNDEFINED' if r['ambiguous'] else 'AGREE'
    pending = f"; max_pending {r['max_pending']}: PENDING_LIMIT {c['PENDING_LIMIT']}" if r['max_pending'] else ''
    late = f"; late {r['late']['sent']} sent, {r['late']['released']} released by the clock" if r['late'] else ''
    digest = 'not compared' if r['digest'] is None else 'equal' if r['digest'] else 'DIFFERENT'
    undefined = f"\n  {r['ambiguous']}: the Spec leaves the rest undefined" if r['ambiguous'] else ''
    return (f"seed {r['seed']}: {verdict} {r['agreed']}/{r['messages']} answers "
            f"(ACK0 {c['ACK 0']}, ACK1 {c['ACK 1']}, ACK2 {c['ACK 2']}, REJECT {c['REJECT']}; "
            f"released {r['released']}{pending}{late}); final accepted {r['accepted']}, held {r['held']} "
            f"({r['ahead']} for their time), digest {digest}{undefined}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--councild', required=True, help='the councild binary')
    parser.add_argument('--council', help='the council CLI (for `status --json`; default: the operator channel)')
    parser.add_argument('--spec', default=os.path.normpath(os.path.join(HERE, '..', '..', 'Spec')))
    parser.add_argument('--seeds', type=int, default=20, help='number of seeds (default 20)')
    parser.add_argument('--seed', type=int, default=1, help='first seed (default 1)')
    parser.add_argument('--messages', type=int, default=200, help='messages per seed (default 200)')
    parser.add_argument('--verbose', action='store_true', help='print every message and answer')
    parser.add_argument('--keep', action='store_true', help='keep the temporary folders')
    parser.add_argument('--max-pending', type=int, metavar='N',
                        help=f'limits.max_pending for every seed (default: 3-7 every {PENDING_EVERY}rd seed, else unset)')
    parser.add_argument('--no-late', action='store_true', help=f'no late phase (default: every {LATE_EVERY}th seed)')
    parser.add_argument('--replay', metavar='FILE', help='send the messages of a JSON list of hex strings, in order')
    args = parser.parse_args()
    if args.council is None:
        guess = os.path.join(os.path.dirname(os.path.abspath(args.councild)), 'council')
        args.council = guess if os.path.isfile(guess) else None
    if not usable_binaries('differential.py', args):
        return 2
    interrupt_on_signals()

    roster = Roster.load(os.path.join(args.spec, 'conformance', 'roster.json'))
    if args.replay:
        try:
            return replay(args, roster, args.replay)
        except StartFailure as e:
            print(f'differential.py: could not start councild: {e}')
            return 2
    started = time.monotonic()
    total = {'seeds': 0, 'messages': 0, 'agreed': 0, 'disagreeing seeds': 0, 'ambiguous seeds': 0}
    try:
        for seed in range(args.seed, args.seed + args.seeds):
            r = run_seed(args, roster, seed)
            total['seeds'] += 1
            total['messages'] += r['messages']
            total['agreed'] += r['agreed']
            total['ambiguous seeds'] += r['ambiguous'] is not None
            print(seed_line(r), flush=True)
            if r['disagreements']:
                total['disagreeing seeds'] += 1
                what, theirs, ours, context = r['disagreements'][0]
                print(f'  first disagreement, seed {seed}, {what}: councild {theirs}; validator {ours}')
                if context:
                    print(f'    {context}')
                print(f'    reproduce: differential.py --councild ... --seed {seed} --seeds 1 '
                      f'--messages {args.messages} --verbose   (daemon folder kept: {r["folder"]})', flush=True)
    except StartFailure as e:
        print(f'differential.py: could not start councild: {e}')
        return 2
    except KeyboardInterrupt:
        print('differential.py: interrupted')
        return 2
    print(f"{total['seeds']} seeds, {total['messages']} messages, {total['agreed']} answers agreed, "
          f"{total['disagreeing seeds']} seeds with a disagreement, {total['ambiguous seeds']} left undefined "
          f"by the Spec, in {time.monotonic() - started:.1f} s")
    return 1 if total['disagreeing seeds'] else 0


if __name__ == '__main__':
    sys.exit(main())
