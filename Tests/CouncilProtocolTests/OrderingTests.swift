import CouncilProtocol
import CouncilWire
import Testing

@Suite("Receiving: duplicates, holding, signatures, sequence (§12.3, §12.4)")
struct OrderingTests {
    /// A small history made on one node: two mandates, a proposal, a vote.
    static func history() -> [SignedMessage] {
        var scenario = Scenario()
        let mandate = scenario.mandate(Scenario.budapest, seat: "budapest", delegate: Scenario.delegate(1))
        let resolution = scenario.propose(Scenario.delegate(1), mandate: mandate)
        _ = scenario.vote(Scenario.delegate(1), on: resolution, mandate: mandate, .yes)
        return scenario.ledger.acceptedMessages
    }

    @Test("[CORE-4][RELAY-3] the same message twice changes nothing the second time")
    func duplicate() {
        var ledger = Ledger(roster: TestFederation.roster)
        let first = Self.history()[0]
        #expect(ledger.receive(first, now: .max / 2).first?.isAccepted == true)
        let digest = ledger.digest()
        #expect(ledger.receive(first, now: .max / 2) == [.duplicate(first.id)])
        #expect(ledger.digest() == digest)
    }

    @Test("[CORE-1][CORE-2][ORDER-5] a message whose past is missing is held, then decided with it")
    func holding() {
        let history = Self.history()
        var ledger = Ledger(roster: TestFederation.roster)
        for message in history.reversed().dropLast() {
            #expect(ledger.receive(message, now: .max / 2) == [.held(message)])
        }
        let released = ledger.receive(history[0], now: .max / 2)
        #expect(released.map(\.id) == history.map(\.id))
        #expect(released.allSatisfy { $0.isAccepted })
        #expect(ledger.pendingCount == 0)
    }

    @Test("[SIG-3] a forged signature changes nothing and is remembered as rejected")
    func forgery() {
        var message = Self.history()[0].message
        message.signature = TestFederation.key("stranger").sign(message.signingInput(rosterHash: TestFederation.roster.hash))
        var ledger = Ledger(roster: TestFederation.roster)
        let decision = ledger.receive(bytes: message.encoded, now: .max / 2)
        #expect(decision.first?.code == .badSignature)
        #expect(ledger.acceptedCount == 0)
    }

    @Test("[CORE-3] messages held on a rejected one are rejected with it, whatever its code", arguments: [ErrorCode.notAuthorised, .badSignature])
    func dependencyRejected(code: ErrorCode) throws {
        var scenario = Scenario()
        let bad: SignedMessage
        if code == .badSignature {
            var forged = scenario.mandate(Scenario.budapest, seat: "budapest", delegate: Scenario.delegate(1)).message
            forged.signature = TestFederation.key("stranger").sign(forged.signingInput(rosterHash: TestFederation.roster.hash))
            bad = try SignedMessage(bytes: forged.encoded)
        } else {
            bad = scenario.act(Scenario.gyor, .mandate(Mandate(body: "parliament", seat: "budapest", delegate: Scenario.delegate(1).publicKey,
                                                                 weight: 1, validFrom: 0, validUntil: 1, scope: ["strike"]))).0
        }
        var fresh = Ledger(roster: TestFederation.roster)
        var child = scenario.ledger.draft(author: Scenario.gyor.publicKey, payload: .dissolution(Dissolution(council: "gyor", statement: "")),
                                          now: scenario.now)
        (child.sequence, child.prev, child.refs) = (1, .zero, [bad.id])
        let signedChild = SignedMessage(signing: child, with: Scenario.gyor, rosterHash: TestFederation.roster.hash)
        #expect(fresh.receive(signedChild, now: .max / 2) == [.held(signedChild)])
        let decisions = fresh.receive(bad, now: .max / 2)
        #expect(decisions.map(\.code) == [code, .dependencyRejected])
        #expect(fresh.pendingCount == 0)
        #expect(fresh.receive(signedChild, now: .max / 2).first?.code == .dependencyRejected)
    }

    @Test("[CORE-4] a node remembers its most recent rejections only; a forgotten one is decided anew, and what names it is held")
    func rejectionsForgotten() throws {
        var ledger = Ledger(roster: TestFederation.roster, rememberedRejections: 2)
        let forgeries = try (1...3).map { index in
            var forged = GovernanceMessage(author: Scenario.gyor.publicKey, sequence: 1, timestamp: UInt64(index), prev: .zero, refs: [],
                                           payload: .dissolution(Dissolution(council: "gyor", statement: "")))
            forged.signature = TestFederation.key("stranger").sign(forged.signingInput(rosterHash: TestFederation.roster.hash))
            return try SignedMessage(bytes: forged.encoded)
        }
        for forged in forgeries { #expect(ledger.receive(forged, now: 10).first?.code == .badSignature) }
        #expect(ledger.knowledge(of: forgeries[0].id) == .unknown)
        #expect(ledger.knowledge(of: forgeries[2].id) == .rejected(.badSignature))
        func naming(_ forged: SignedMessage) -> SignedMessage {
            let child = GovernanceMessage(author: Scenario.csepel.publicKey, sequence: 1, timestamp: 10, prev: .zero, refs: [forged.id],
                                          payload: .dissolution(Dissolution(council: "csepel", statement: "")))
            return SignedMessage(signing: child, with: Scenario.csepel, rosterHash: TestFederation.roster.hash)
        }
        #expect(ledger.receive(naming(forgeries[2]), now: 10).first?.code == .dependencyRejected)
        #expect(ledger.receive(naming(forgeries[0]), now: 10) == [.held(naming(forgeries[0]))])
        #expect(ledger.receive(forgeries[0], now: 10).first?.code == .badSignature, "decided anew")
    }

    /// Budapest's first message, a mandate, and an unsigned twin: another message of Budapest's
    /// with sequence 1.
    static func firstAndTwin(_ scenario: inout Scenario) -> (first: SignedMessage, twin: GovernanceMessage) {
        let first = scenario.mandate(Scenario.budapest, seat: "budapest", delegate: Scenario.delegate(1))
        var twin = scenario.ledger.draft(author: Scenario.budapest.publicKey, payload: .dissolution(Dissolution(council: "budapest", statement: "")),
                                         now: scenario.now)
        (twin.sequence, twin.prev, twin.refs) = (1, .zero, [])
        return (first, twin)
    }

    @Test("[CORE-5][CORE-6][CORE-7] chains, equivocation and time")
    func chainRules() {
        var scenario = Scenario()
        let (first, twin) = Self.firstAndTwin(&scenario)
        #expect(scenario.sign(twin, Scenario.budapest).1.code == .equivocation)
        var skipping = twin
        skipping.sequence = 3
        skipping.prev = first.id
        #expect(scenario.sign(skipping, Scenario.budapest).1.code == .badSequence)
        var backdated = scenario.ledger.draft(author: Scenario.budapest.publicKey, payload: .recall(Recall(mandate: first.id, reason: "")),
                                              now: scenario.now)
        backdated.timestamp = first.message.timestamp - 1
        #expect(scenario.sign(backdated, Scenario.budapest).1.code == .badTimestamp)
    }

    @Test("[ACK-6] a rejection that traces back to an equivocation is marked as such; one for a message's own fault is not")
    func equivocationRoots() {
        var scenario = Scenario()
        let (first, twin) = Self.firstAndTwin(&scenario)
        let (signedTwin, twinDecision) = scenario.sign(twin, Scenario.budapest)
        #expect(twinDecision.code == .equivocation)
        var child = scenario.ledger.draft(author: Scenario.gyor.publicKey, payload: .recall(Recall(mandate: first.id, reason: "")), now: scenario.now)
        child.refs = [signedTwin.id]
        let (signedChild, childDecision) = scenario.sign(child, Scenario.gyor)
        #expect(childDecision.code == .dependencyRejected)
        #expect(scenario.ledger.rejectionTracesToEquivocation(signedTwin.id) && scenario.ledger.rejectionTracesToEquivocation(signedChild.id))
        let (forged, forgedDecision) = scenario.sign(scenario.ledger.draft(author: Scenario.gyor.publicKey, payload: .dissolution(Dissolution(
            council: "budapest", statement: "")), now: scenario.now), Scenario.gyor)
        #expect(forgedDecision.code == .notAuthorised && !scenario.ledger.rejectionTracesToEquivocation(forged.id))
    }

    @Test("[CORE-8] a key with no role in the message's past is an unknown author")
    func unknownAuthor() {
        var scenario = Scenario()
        #expect(scenario.act(TestFederation.key("radio-budapest"), .dissolution(Dissolution(council: "budapest", statement: "The CWC is arrested")))
            .1.code == .unknownAuthor)
    }

    @Test("[ORDER-7] a message dated beyond the clock skew is held until the clock catches up")
    func clockSkew() {
        let message = Self.history()[0]
        var ledger = Ledger(roster: TestFederation.roster)
        #expect(ledger.receive(message, now: message.message.timestamp - 400_000) == [.held(message)])
        #expect(ledger.tick(now: message.message.timestamp - 350_000).isEmpty)
        #expect(ledger.tick(now: message.message.timestamp) == [.accepted(message)])
    }

    @Test("[ORDER-6] held messages are bounded")
    func pendingLimit() {
        let history = Self.history()
        var ledger = Ledger(roster: TestFederation.roster, maxPending: 1)
        #expect(ledger.receive(history[2], now: .max / 2) == [.held(history[2])])
        #expect(ledger.receive(history[1], now: .max / 2).first?.code == .pendingLimit)
        #expect(ledger.receive(history[0], now: .max / 2) == [.accepted(history[0])])
        let retry = ledger.receive(history[1], now: .max / 2)
        #expect(retry == [.accepted(history[1]), .accepted(history[2])], "the limit refuses without remembering: a retry succeeds")
    }

    @Test("[SYNC-1][SYNC-3] a sync vector names what is held; a peer sends exactly what is missing, in causal order")
    func syncVector() {
        let history = Self.history()
        var full = Ledger(roster: TestFederation.roster)
        var partial = Ledger(roster: TestFederation.roster)
        for message in history { _ = full.receive(message, now: .max / 2) }
        _ = partial.receive(history[0], now: .max / 2)
        let missing = full.messages(missingFrom: partial.syncVector())
        #expect(missing.map(\.id) == Array(history.dropFirst()).map(\.id))
        for message in missing { _ = partial.receive(message, now: .max / 2) }
        #expect(partial.digest() == full.digest())
        #expect(full.messages(missingFrom: partial.syncVector()).isEmpty)
    }
}
