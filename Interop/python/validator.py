"""A node's decision on one governance message, from PROTOCOL.md alone (§5.6, §12.3-§12.8).

    node = Node(roster, max_pending=None, clock=wall_clock)
    answer = node.receive(raw)      # ('ACK', 0 | 1 | 2) or ('REJECT', 'CODE_NAME')
    node.tick()                     # decide the held messages whose time has come ([ORDER-7])

`Node` keeps what a node keeps: the accepted set (council1.AcceptedSet, which holds the §12 terms:
causal past, current keys, revocations, standing, tallies), the rejections it remembers ([CORE-4])
and the held messages ([CORE-2], [ORDER-7]); `receive` answers exactly as a node answers a MESSAGE
([ACK-1]), and decides held messages when their dependencies are accepted ([ORDER-5]) and their time has
come. The decisions taken on release are logged in `node.released` and `node.state(id)` says what the
node knows of an ID, as the operator channel's `has` does (OPERATOR.md §4.5).

Held messages ([MSG-8] step 7): a message whose dependencies are not all accepted, or dated more than
MAX_CLOCK_SKEW ahead of `clock()` (ms since 1970), is held (ACK 2), whatever §12.4 will say of it; steps
1-6 (a bad signature, a rejected dependency) still come first. A message held for its time is decided
once its time has come and its dependencies are accepted — `tick()`, and every `receive` first, decide the
messages then due — so its dependents stay held with it. With `max_pending`, a message to be held while
MAX_PENDING messages are held (held for their time or their dependencies alike) is refused with
PENDING_LIMIT ([ORDER-6]), and that is not a decision ([CORE-4]): not remembered, `state` says `unknown`,
its dependents are held (not DEPENDENCY_REJECTED) and it is decided anew when it arrives again.

Not modelled: STORAGE_UNAVAILABLE (§10.5).

Where the Spec leaves a choice, `Node` takes one and names it:
- `remember='all'`: every rejection is remembered, BAD_SIGNATURE included ([CORE-4] lets a node forget
  any); `remember='valid-signature'` forgets BAD_SIGNATURE and MALFORMED_MESSAGE;
- a message's time has come ("once its clock has caught up", [ORDER-7]) when its timestamp is no longer
  more than MAX_CLOCK_SKEW ahead of the clock: the condition that held it no longer holds (not: when the
  clock reaches the timestamp). How soon after that a node decides it is not said; callers tick when
  they know the node has.

A held message one of whose dependencies is then rejected is DEPENDENCY_REJECTED at once ([CORE-3]),
held for its time or not ([CORE-3] "every message held on it", before [ORDER-7]'s "without deciding it",
as in [MSG-8], where step 6 comes before step 7).
"""
import time

from council1 import AcceptedSet, ProtocolError, decode_message, message_id, verify_message

RULE_BIT = {'majority': 0x01, 'two-thirds': 0x02, 'unanimity': 0x04}
MAX_CLOCK_SKEW = 300_000            # ms, §11: part of the protocol, not configurable


def wall_clock():
    """The node's clock: milliseconds since 1970-01-01T00:00:00Z."""
    return int(time.time() * 1000)


class Ambiguous(Exception):
    """The arrival order leaves the answer to the implementation: two held messages of one author with
    one sequence number decided in one cascade of releases, one of them accepted ([ORDER-5]: beyond
    sequence numbers per author the order of release is the implementation's; [CORE-6] makes the
    second EQUIVOCATION). Messages whose time comes between two ticks are released in one cascade."""


class Node:
    def __init__(self, roster, remember='all', max_pending=None, clock=wall_clock):
        self.roster = roster
        self.max_pending = max_pending      # MAX_PENDING ([ORDER-6]); None: no bound
        self.clock = clock
        self.aset = AcceptedSet(roster)
        self.rejected = {}          # id -> code ([CORE-4])
        self.held = {}              # id -> (raw, decoded)
        self.released = []          # (id, ('ACK', 0) | ('REJECT', code)) decided on release, in order
        self.remember = remember
        rules = {}
        for b in roster.bodies:
            rules[b['name']] = sum(RULE_BIT[r] for r in b['rules'])
        self.body_rules = rules
        self.body_seats = {}
        for (body, seat) in roster.seats:
            self.body_seats.setdefault(body, []).append(seat)
        self.electors_of = {c['name']: bytes.fromhex(c['electors_key']) for c in roster.councils}

    # ------------------------------------------------------------ §5.6 / §12.3 receiving

    def receive(self, raw):
        """The answer to one MESSAGE ([MSG-8]), once the messages whose time has come are decided."""
        self.tick()
        mid = message_id(raw)
        try:
            m = decode_message(raw)                                          # 1. canonical form
        except ProtocolError:
            if self.remember == 'all':
                self.rejected[mid] = 'MALFORMED_MESSAGE'
                self._on_rejected()
            return ('REJECT', 'MALFORMED_MESSAGE')
        if mid in self.aset.msgs:                                            # 2. accepted
            return ('ACK', 1)
        if mid in self.rejected:                                             # 3. remembered rejection
            return ('REJECT', self.rejected[mid])
        if mid in self.held:                                                 # 4. held
            return ('ACK', 2)
        if not verify_message(self.roster.hash, raw):                        # 5. signature
            if self.remember == 'all':
                self.rejected[mid] = 'BAD_SIGNATURE'
                self._on_rejected()
            return ('REJECT', 'BAD_SIGNATURE')
        deps = AcceptedSet.dependencies(m)
        if any(d in self.rejected for d in deps):                            # 6. [CORE-3]
            self.rejected[mid] = 'DEPENDENCY_REJECTED'
            self._on_rejected()
            return ('REJECT', 'DEPENDENCY_REJECTED')
        if any(d not in self.aset.msgs for d in deps) or self.ahead(m):      # 7. [CORE-2][ORDER-7]
            return self._hold(mid, raw, m)
        answer = self._decide(mid, raw, m)                                   # 8. §12.4
        if answer == ('ACK', 0):
            self._release()
        return answer

    def ahead(self, m):
        """[ORDER-7]: m is dated more than MAX_CLOCK_SKEW ahead of the node's clock."""
        return m['timestamp'] > self.clock() + MAX_CLOCK_SKEW

    def _hold(self, mid, raw, m):
        """[CORE-2][ORDER-7], bounded by MAX_PENDING ([ORDER-6]); PENDING_LIMIT is not remembered ([CORE-4])."""
        if self.max_pending is not None and len(self.held) >= self.max_pending:
            return ('REJECT', 'PENDING_LIMIT')
        self.held[mid] = (raw, m)
        return ('ACK', 2)

    def tick(self):
        """[ORDER-7]: decide the held messages whose time has come and whose dependencies are accepted."""
        self._release()

    def _decide(self, mid, raw, m):
        code = self.check(m)
        if code is None:
            self.aset.add(mid, raw, m)
            return ('ACK', 0)
        self.rejected[mid] = code
        self._on_rejected()
        return ('REJECT', code)

    def _on_rejected(self):
        changed = True
        while changed:
            changed = False
            for hid, (raw, m) in sorted(self.held.items(), key=lambda kv: kv[1][1]['sequence']):
                if any(d in self.rejected for d in AcceptedSet.dependencies(m)):
                    del self.held[hid]
                    self.rejected[hid] = 'DEPENDENCY_REJECTED'
                    self.released.append((hid, ('REJECT', 'DEPENDENCY_REJECTED')))
                    changed = True

    def _ready(self):
        """The held messages that may be decided now: dependencies accepted, time come."""
        return [(m['sequence'], m['author'], hid) for hid, (raw, m) in self.held.items()
                if not self.ahead(m) and all(d in self.aset.msgs for d in AcceptedSet.dependencies(m))]

    def _release(self):
        """[ORDER-5]: decide every held message whose dependencies are now accepted, by sequence.

        [ORDER-5] orders one author's held messages by sequence number only, so two held messages of one
        author with one sequence number (an equivocation) decided in one cascade have no defined order;
        when one of them is accepted the other's answer (EQUIVOCATION or not) depends on that order, and
        this raises Ambiguous."""
        cascade = {}                                      # (author, sequence) -> accepted?
        while True:
            ready = self._ready()
            if not ready:
                return
            ready.sort()
            seen = set()
            for seq, author, _ in ready:
                if (author, seq) in seen:
                    raise Ambiguous(f'two held messages of {author[:16]} with sequence {seq} released together')
                seen.add((author, seq))
            seq, author, hid = ready[0]
            raw, m = self.held.pop(hid)
            answer = self._decide(hid, raw, m)
            self.released.append((hid, answer))
            key = (author, seq)
            if key in cascade and (cascade[key] or answer == ('ACK', 0)):
                raise Ambiguous(f'held messages of {author[:16]} with sequence {seq} decided in one cascade')
            cascade[key] = cascade.get(key, False) or answer == ('ACK', 0)

    def state(self, mid):
        """What the node knows of an ID, as `has` answers it: ('accepted',), ('held',),
        ('rejected', code) or ('unknown',)."""
        if mid in self.aset.msgs:
            return ('accepted',)
        if mid in self.held:
            return ('held',)
        if mid in self.rejected:
            return ('rejected', self.rejected[mid])
        return ('unknown',)

    # ------------------------------------------------------------ §12.4-§12.8 validity

    def check(self, m):
        """The first failing check of §12.4 for m, whose dependencies are accepted; None if valid."""
        aset = self.aset
        author = bytes.fromhex(m['author'])
        seq = m['sequence']
        deps = AcceptedSet.dependencies(m)
        if seq > 1:                                                                      # [CORE-5]
            prev = aset.msgs[bytes.fromhex(m['prev'])]
            if prev['author'] != m['author'] or prev['sequence'] != seq - 1:
                return 'BAD_SEQUENCE'
        if (author, seq) in aset.chain:                                                  # [CORE-6]
            return 'EQUIVOCATION'
        if any(aset.msgs[d]['timestamp'] > m['timestamp'] for d in deps):                # [CORE-7]
            return 'BAD_TIMESTAMP'
        V = aset.past(deps)
        if author not in V.known_authors():                                              # [CORE-8]
            return 'UNKNOWN_AUTHOR'
        if author in V.retired_keys():                                                   # [CORE-9]
            return 'KEY_REPLACED'
        keys, dissolved = V.current_keys(), V.dissolved()
        if any(keys[c] == author for c in dissolved):                                    # [CORE-10]
            return 'COUNCIL_DISSOLVED'
        return getattr(self, 'check_' + m['kind'].lower())(m, V, author, keys, dissolved)

    def _mandate_in(self, V, mandate_hex):
        mid = bytes.fromhex(mandate_hex)
        return mid if V.has(mid) and V.msgs[mid]['kind'] == 'MANDATE' else None

    def _proposal_in(self, V, resolution_hex):
        rid = bytes.fromhex(resolution_hex)
        return rid if V.has(rid) and V.msgs[rid]['kind'] == 'PROPOSAL' else None

    @staticmethod
    def _not_in_force_code(V, mandate_id, timestamp):
        """[PROPOSE-3][PROPOSE-4], [VOTE-5][VOTE-6]: MANDATE_RECALLED, or COUNCIL_DISSOLVED when a
        DISSOLVE revoked it; MANDATE_EXPIRED when `timestamp` is outside its validity."""
        events = V.revocation_events(mandate_id)
        if any(V.msgs[e]['kind'] == 'DISSOLVE' for e in events):
            return 'COUNCIL_DISSOLVED'
        if events:
            return 'MANDATE_RECALLED'
        mandate = V.msgs[mandate_id]['payload']
        if not mandate['valid_from'] <= timestamp < mandate['valid_until']:
            return 'MANDATE_EXPIRED'
        return None

    def check_mandate(self, m, V, author, keys, dissolved):
        p = m['payload']
        if p['body'] not in self.body_seats:                                             # [MANDATE-3]
            return 'UNKNOWN_BODY'
        if (p['body'], p['seat']) not in self.roster.seats:
            return 'UNKNOWN_SEAT'
        council, max_weight = self.roster.seats[(p['body'], p['seat'])]
        if author != keys[council]:                                                      # [MANDATE-4]
            return 'NOT_AUTHORISED'
        if not 1 <= p['weight'] <= max_weight:                                           # [MANDATE-5]
            return 'BAD_WEIGHT'
        if not p['valid_until'] > p['valid_from']:                                       # [MANDATE-6]
            return 'INVALID_FIELD'
        for other, o in V.of_kind('MANDATE'):                                            # [MANDATE-7]
            op = o['payload']
            if op['body'] == p['body'] and op['seat'] == p['seat'] and V.occupies(other, m['timestamp']):
                return 'SEAT_OCCUPIED'
        return None

    def check_recall(self, m, V, author, keys, dissolved):
        mandate = self._mandate_in(V, m['payload']['mandate'])
        if mandate is None:                                                              # [RECALL-1]
            return 'UNKNOWN_MANDATE'
        if author != keys[V.seat_council(V.msgs[mandate])]:                              # [RECALL-2]
            return 'NOT_AUTHORISED'
        if not V.standing(mandate):                                                      # [RECALL-3]
            return 'MANDATE_RECALLED'
        return None

    def check_replace(self, m, V, author, keys, dissolved):
        p = m['payload']
        if p['council'] not in self.electors_of or author != self.electors_of[p['council']]:   # [REPLACE-1]
            return 'NOT_AUTHORISED'
        new_key = bytes.fromhex(p['new_key'])                                            # [REPLACE-2]
        roster_keys = {bytes.fromhex(c[k]) for c in self.roster.councils for k in ('key', 'electors_key')}
        if new_key in roster_keys or any(bytes.fromhex(r['payload']['new_key']) == new_key
                                         for _, r in V.of_kind('REPLACE')):
            return 'INVALID_FIELD'
        if p['council'] in dissolved:                                                    # [REPLACE-3]
            return 'COUNCIL_DISSOLVED'
        return None

    def check_dissolve(self, m, V, author, keys, dissolved):
        c = m['payload']['council']
        if c not in self.electors_of or author not in (keys[c], self.electors_of[c]):    # [DISSOLVE-1]
            return 'NOT_AUTHORISED'
        if c in dissolved:                                                               # [DISSOLVE-2]
            return 'COUNCIL_DISSOLVED'
        return None

    def check_proposal(self, m, V, author, keys, dissolved):
        p = m['payload']
        mandate = self._mandate_in(V, p['mandate'])
        if mandate is None:                                                              # [PROPOSE-1]
            return 'UNKNOWN_MANDATE'
        mp = V.msgs[mandate]['payload']
        if author != bytes.fromhex(mp['delegate']):                                      # [PROPOSE-2]
            return 'NOT_AUTHORISED'
        code = self._not_in_force_code(V, mandate, m['timestamp'])                       # [PROPOSE-3][PROPOSE-4]
        if code:
            return code
        if p['kind'] not in mp['scope']:                                                 # [PROPOSE-5]
            return 'OUT_OF_SCOPE'
        if not self.body_rules[mp['body']] & RULE_BIT[p['rule']]:                        # [PROPOSE-6]
            return 'RULE_NOT_ALLOWED'
        if p['quorum'] > len(self.body_seats[mp['body']]):                               # [PROPOSE-7]
            return 'INVALID_FIELD'
        return None

    def check_vote(self, m, V, author, keys, dissolved):
        p = m['payload']
        resolution = self._proposal_in(V, p['resolution'])
        if resolution is None:                                                           # [VOTE-1]
            return 'UNKNOWN_RESOLUTION'
        mandate = self._mandate_in(V, p['mandate'])
        if mandate is None:                                                              # [VOTE-2]
            return 'UNKNOWN_MANDATE'
        mp, rp = V.msgs[mandate]['payload'], V.msgs[resolution]['payload']
        if author != bytes.fromhex(mp['delegate']):                                      # [VOTE-3]
            return 'NOT_AUTHORISED'
        if mp['body'] != V.body_of_resolution(resolution):                               # [VOTE-4]
            return 'WRONG_BODY'
        code = self._not_in_force_code(V, mandate, m['timestamp'])                       # [VOTE-5][VOTE-6]
        if code:
            return code
        if V.closes_of(resolution):                                                      # [VOTE-7]
            return 'RESOLUTION_CLOSED'
        if rp['kind'] not in mp['scope']:                                                # [VOTE-8]
            return 'OUT_OF_SCOPE'
        for instruction in mp['instructions']:                                           # [VOTE-9]
            if instruction['question'] == rp['question'] and instruction['choice'] != p['choice']:
                return 'INSTRUCTION_VIOLATED'
        for vid, v in V.of_kind('VOTE'):                                                 # [VOTE-10]
            if (v['author'] == m['author'] and v['payload']['resolution'] == p['resolution']
                    and v['payload']['mandate'] == p['mandate']):
                return 'ALREADY_VOTED'
        return None

    def check_close(self, m, V, author, keys, dissolved):
        p = m['payload']
        resolution = self._proposal_in(V, p['resolution'])
        if resolution is None:                                                           # [CLOSE-1]
            return 'UNKNOWN_RESOLUTION'
        if V.closes_of(resolution):
            return 'RESOLUTION_CLOSED'
        r = V.msgs[resolution]
        body = V.body_of_resolution(resolution)
        proposer_ok = (author == bytes.fromhex(r['author'])                              # [CLOSE-2]
                       and V.standing(bytes.fromhex(r['payload']['mandate'])))
        seated = {self.roster.seats[(body, seat)][0] for seat in self.body_seats[body]}
        council_ok = any(keys[c] == author and c not in dissolved for c in seated)
        if not (proposer_ok or council_ok):
            return 'NOT_AUTHORISED'
        tally = V.tally(resolution)
        if m['timestamp'] < r['payload']['closes_at'] and tally['seats_voted'] < len(self.body_seats[body]):
            return 'CLOSE_TOO_EARLY'                                                     # [CLOSE-3]
        if p['tally'] != tally:                                                          # [CLOSE-4]
            return 'TALLY_MISMATCH'
        return None
