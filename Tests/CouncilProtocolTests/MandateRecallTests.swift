import CouncilProtocol
import CouncilWire
import Testing

@Suite("Mandates and recalls (§12.5)")
struct MandateRecallTests {
    @Test("[MANDATE-4] a council may fill only its own seats")
    func onlyOwnSeats() {
        var scenario = Scenario()
        let (_, decision) = scenario.act(Scenario.gyor, .mandate(Mandate(
            body: "parliament", seat: "budapest", delegate: Scenario.delegate(1).publicKey, weight: 1,
            validFrom: 0, validUntil: .max, scope: ["strike"])))
        #expect(decision.code == .notAuthorised)
    }

    @Test("[MANDATE-3] unknown bodies and seats are refused")
    func unknownBodyAndSeat() {
        var scenario = Scenario()
        let key = Scenario.delegate(1).publicKey
        #expect(scenario.act(Scenario.budapest, .mandate(Mandate(body: "senate", seat: "budapest", delegate: key, weight: 1, validFrom: 0,
                                                                  validUntil: 10, scope: ["strike"]))).1.code == .unknownBody)
        #expect(scenario.act(Scenario.budapest, .mandate(Mandate(body: "parliament", seat: "vienna", delegate: key, weight: 1, validFrom: 0,
                                                                  validUntil: 10, scope: ["strike"]))).1.code == .unknownSeat)
    }

    @Test("[MANDATE-5][MANDATE-6] weight within the seat's maximum; a non-empty validity period")
    func weightAndValidity() {
        var scenario = Scenario()
        let key = Scenario.delegate(1).publicKey
        #expect(scenario.act(Scenario.budapest, .mandate(Mandate(body: "parliament", seat: "budapest", delegate: key, weight: 4, validFrom: 0,
                                                                  validUntil: .max, scope: ["strike"]))).1.code == .badWeight)
        #expect(scenario.act(Scenario.budapest, .mandate(Mandate(body: "parliament", seat: "budapest", delegate: key, weight: 0, validFrom: 0,
                                                                  validUntil: .max, scope: ["strike"]))).1.code == .badWeight)
        #expect(scenario.act(Scenario.budapest, .mandate(Mandate(body: "parliament", seat: "budapest", delegate: key, weight: 1, validFrom: 9,
                                                                  validUntil: 9, scope: ["strike"]))).1.code == .invalidField)
    }

    @Test("[MANDATE-7] one mandate in force per seat; a recall frees the seat")
    func seatOccupied() {
        var scenario = Scenario()
        let first = scenario.mandate(Scenario.budapest, seat: "budapest", delegate: Scenario.delegate(1))
        let second = scenario.act(Scenario.budapest, .mandate(Mandate(
            body: "parliament", seat: "budapest", delegate: Scenario.delegate(2).publicKey, weight: 1, validFrom: 0, validUntil: .max,
            scope: ["strike"])))
        #expect(second.1.code == .seatOccupied)
        #expect(scenario.act(Scenario.budapest, .recall(Recall(mandate: first.id, reason: "diverged"))).1.isAccepted)
        #expect(scenario.mandate(Scenario.budapest, seat: "budapest", delegate: Scenario.delegate(2)).id != first.id)
        #expect(scenario.ledger.standingMandates().count == 1)
    }

    @Test("[RECALL-2] only the issuing council may recall")
    func onlyIssuerRecalls() {
        var scenario = Scenario()
        let mandate = scenario.mandate(Scenario.budapest, seat: "budapest", delegate: Scenario.delegate(1))
        #expect(scenario.act(Scenario.gyor, .recall(Recall(mandate: mandate.id, reason: "not ours"))).1.code == .notAuthorised)
        #expect(scenario.act(Scenario.budapest, .recall(Recall(mandate: mandate.id, reason: "ours"))).1.isAccepted)
    }

    @Test("[RECALL-1][RECALL-3] a recall names a mandate in its past, still standing")
    func recallNeedsStandingMandate() {
        var scenario = Scenario()
        #expect(scenario.act(Scenario.budapest, .recall(Recall(mandate: Hashing.sha256([1]), reason: ""))).1.code == .unknownMandate)
        let mandate = scenario.mandate(Scenario.budapest, seat: "budapest", delegate: Scenario.delegate(1))
        #expect(scenario.act(Scenario.budapest, .recall(Recall(mandate: mandate.id, reason: ""))).1.isAccepted)
        #expect(scenario.act(Scenario.budapest, .recall(Recall(mandate: mandate.id, reason: ""))).1.code == .mandateRecalled)
    }

    @Test("[RECALL-4][VOTE-5][PROPOSE-3] after a recall the delegate's votes and proposals are refused")
    func voteAfterRecall() {
        var scenario = Scenario()
        let mandate = scenario.mandate(Scenario.budapest, seat: "budapest", delegate: Scenario.delegate(1))
        let other = scenario.mandate(Scenario.csepel, seat: "csepel", delegate: Scenario.delegate(2))
        let resolution = scenario.propose(Scenario.delegate(2), mandate: other)
        scenario.act(Scenario.budapest, .recall(Recall(mandate: mandate.id, reason: "diverged")))
        #expect(scenario.vote(Scenario.delegate(1), on: resolution, mandate: mandate, .yes).1.code == .mandateRecalled)
        let proposal = scenario.act(Scenario.delegate(1), .proposal(Proposal(
            mandate: mandate.id, question: "other", kind: "strike", rule: .majority, quorum: 1, closesAt: 0, title: "t", text: "")))
        #expect(proposal.1.code == .mandateRecalled)
    }
}
