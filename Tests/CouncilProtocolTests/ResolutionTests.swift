import CouncilProtocol
import CouncilWire
import Testing

@Suite("Resolutions, votes and tallies (§12.7, §12.8)")
struct ResolutionTests {
    /// Budapest (weight 3) and Csepel (weight 2) seated in the parliament, Csepel's delegate proposing.
    struct Parliament {
        var scenario = Scenario()
        let budapestMandate: SignedMessage
        let csepelMandate: SignedMessage
        let resolution: SignedMessage

        init(instructions: [Mandate.Instruction] = [], rule: DecisionRule = .majority, quorum: UInt16 = 2) {
            budapestMandate = scenario.mandate(Scenario.budapest, seat: "budapest", delegate: Scenario.delegate(1), weight: 3,
                                               instructions: instructions)
            csepelMandate = scenario.mandate(Scenario.csepel, seat: "csepel", delegate: Scenario.delegate(2), weight: 2)
            resolution = scenario.propose(Scenario.delegate(2), mandate: csepelMandate, question: "nine-points", rule: rule, quorum: quorum)
        }
    }

    @Test("[PROPOSE-2][VOTE-3] only the mandate's delegate acts under it")
    func onlyTheDelegate() {
        var parliament = Parliament()
        let stranger = parliament.scenario.vote(Scenario.delegate(2), on: parliament.resolution, mandate: parliament.budapestMandate, .yes)
        #expect(stranger.1.code == .notAuthorised)
        let nobody = parliament.scenario.vote(Scenario.delegate(3), on: parliament.resolution, mandate: parliament.budapestMandate, .yes)
        #expect(nobody.1.code == .unknownAuthor, "a key with no mandate at all has no role")
    }

    @Test("[PROPOSE-5][VOTE-8] acts outside the mandate's scope are refused")
    func scope() {
        var parliament = Parliament()
        let scoped = parliament.scenario.mandate(Scenario.gyor, seat: "gyor", delegate: Scenario.delegate(4), scope: ["production"])
        #expect(parliament.scenario.vote(Scenario.delegate(4), on: parliament.resolution, mandate: scoped, .yes).1.code == .outOfScope)
        let proposal = parliament.scenario.act(Scenario.delegate(4), .proposal(Proposal(
            mandate: scoped.id, question: "national-council", kind: "federation", rule: .majority, quorum: 1, closesAt: 0,
            title: "A National Workers' Council", text: "")))
        #expect(proposal.1.code == .outOfScope, "they only had a mandate to form a CWC for Greater Budapest")
    }

    @Test("[VOTE-9] a vote against a binding instruction is refused")
    func instruction() {
        var parliament = Parliament(instructions: [.init(question: "nine-points", choice: .yes)])
        #expect(parliament.scenario.vote(Scenario.delegate(1), on: parliament.resolution, mandate: parliament.budapestMandate, .no).1.code
            == .instructionViolated)
        #expect(parliament.scenario.vote(Scenario.delegate(1), on: parliament.resolution, mandate: parliament.budapestMandate, .yes).1.isAccepted)
    }

    @Test("[VOTE-10] one vote per delegate and mandate on a resolution")
    func alreadyVoted() {
        var parliament = Parliament()
        #expect(parliament.scenario.vote(Scenario.delegate(1), on: parliament.resolution, mandate: parliament.budapestMandate, .yes).1.isAccepted)
        #expect(parliament.scenario.vote(Scenario.delegate(1), on: parliament.resolution, mandate: parliament.budapestMandate, .no).1.code
            == .alreadyVoted)
    }

    @Test("[VOTE-4] a mandate for another body cannot vote")
    func wrongBody() {
        var parliament = Parliament()
        let cwc = parliament.scenario.mandate(Scenario.budapest, seat: "budapest-1", body: "cwc", delegate: Scenario.delegate(5))
        #expect(parliament.scenario.vote(Scenario.delegate(5), on: parliament.resolution, mandate: cwc, .yes).1.code == .wrongBody)
    }

    @Test("[CLOSE-1][CLOSE-2][CLOSE-3][CLOSE-4][CLOSE-5][VOTE-7][TALLY-3] who may close, when, with which tally; no vote after")
    func closing() {
        var parliament = Parliament()
        #expect(parliament.scenario.vote(Scenario.delegate(1), on: parliament.resolution, mandate: parliament.budapestMandate, .yes).1.isAccepted)
        #expect(parliament.scenario.close(Scenario.delegate(2), parliament.resolution).1.code == .closeTooEarly)
        parliament.scenario.now += TestFederation.day
        var wrong = parliament.scenario.ledger.draftClose(author: Scenario.delegate(2).publicKey, resolution: parliament.resolution.id,
                                                         now: parliament.scenario.now)!
        wrong.payload = .close(Close(resolution: parliament.resolution.id, tally: Tally(outcome: .adopted, yes: 99, no: 0, abstain: 0, seatsVoted: 1)))
        #expect(parliament.scenario.sign(wrong, Scenario.delegate(2)).1.code == .tallyMismatch)
        #expect(parliament.scenario.close(Scenario.delegate(1), parliament.resolution).1.code == .notAuthorised)
        let (close, decision) = parliament.scenario.close(Scenario.miskolc, parliament.resolution)
        #expect(decision.isAccepted, "any council seated in the body may close: members disappear")
        #expect(parliament.scenario.tally(parliament.resolution) == Tally(outcome: .noQuorum, yes: 3, no: 0, abstain: 0, seatsVoted: 1))
        #expect(parliament.scenario.vote(Scenario.delegate(2), on: parliament.resolution, mandate: parliament.csepelMandate, .no).1.code
            == .resolutionClosed)
        #expect(parliament.scenario.ledger.effectiveClose(of: parliament.resolution.id)?.id == close.id)
    }

    @Test("[CLOSE-3] a resolution closes early once every seat has voted")
    func earlyWhenAllVoted() {
        var scenario = Scenario()
        let one = scenario.mandate(Scenario.budapest, seat: "budapest-1", body: "cwc", delegate: Scenario.delegate(1))
        let two = scenario.mandate(Scenario.budapest, seat: "budapest-2", body: "cwc", delegate: Scenario.delegate(2))
        let three = scenario.mandate(Scenario.csepel, seat: "csepel-1", body: "cwc", delegate: Scenario.delegate(3))
        let resolution = scenario.propose(Scenario.delegate(1), mandate: one, question: "strike-48h", rule: .twoThirds, quorum: 3)
        #expect(scenario.vote(Scenario.delegate(1), on: resolution, mandate: one, .yes).1.isAccepted)
        #expect(scenario.vote(Scenario.delegate(2), on: resolution, mandate: two, .yes).1.isAccepted)
        #expect(scenario.vote(Scenario.delegate(3), on: resolution, mandate: three, .no).1.isAccepted)
        #expect(scenario.close(Scenario.delegate(1), resolution).1.isAccepted)
        #expect(scenario.tally(resolution) == Tally(outcome: .adopted, yes: 2, no: 1, abstain: 0, seatsVoted: 3))
    }

    @Test("[TALLY-4] decision rules", arguments: [
        (DecisionRule.majority, UInt32(3), UInt32(2), Outcome.adopted), (.majority, 2, 2, .rejected), (.majority, 0, 0, .rejected),
        (.twoThirds, 2, 1, .adopted), (.twoThirds, 3, 2, .rejected), (.twoThirds, 0, 0, .rejected),
        (.unanimity, 5, 0, .adopted), (.unanimity, 5, 1, .rejected), (.unanimity, 0, 0, .rejected),
    ])
    func rules(rule: DecisionRule, yes: UInt32, no: UInt32, outcome: Outcome) {
        #expect(Ledger.outcome(yes: yes, no: no, seatsVoted: 2, quorum: 2, rule: rule) == outcome)
        #expect(Ledger.outcome(yes: yes, no: no, seatsVoted: 1, quorum: 2, rule: rule) == .noQuorum)
    }

    @Test("[PROPOSE-6][PROPOSE-7] the body's rules and seats bound a proposal")
    func proposalBounds() {
        var scenario = Scenario()
        let cwc = scenario.mandate(Scenario.budapest, seat: "budapest-1", body: "cwc", delegate: Scenario.delegate(1))
        func propose(_ rule: DecisionRule, _ quorum: UInt16) -> ErrorCode? {
            scenario.act(Scenario.delegate(1), .proposal(Proposal(mandate: cwc.id, question: "q", kind: "strike", rule: rule, quorum: quorum,
                                                                  closesAt: 0, title: "", text: ""))).1.code
        }
        #expect(propose(.unanimity, 1) == .ruleNotAllowed)
        #expect(propose(.majority, 4) == .invalidField)
        #expect(propose(.majority, 3) == nil)
    }

    @Test("[TALLY-2] a seat's new delegate's vote replaces the recalled delegate's seen vote")
    func seatCountsOnce() {
        var parliament = Parliament(quorum: 1)
        #expect(parliament.scenario.vote(Scenario.delegate(1), on: parliament.resolution, mandate: parliament.budapestMandate, .yes).1.isAccepted)
        parliament.scenario.act(Scenario.budapest, .recall(Recall(mandate: parliament.budapestMandate.id, reason: "")))
        let successor = parliament.scenario.mandate(Scenario.budapest, seat: "budapest", delegate: Scenario.delegate(6), weight: 1)
        #expect(parliament.scenario.vote(Scenario.delegate(6), on: parliament.resolution, mandate: successor, .no).1.isAccepted)
        #expect(parliament.scenario.tally(parliament.resolution) == Tally(outcome: .rejected, yes: 0, no: 1, abstain: 0, seatsVoted: 1))
    }
}
