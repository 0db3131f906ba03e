import CouncilProtocol
import CouncilWire
import Testing

/// §12.9: a recall and a vote that cross on the network are decided by causality, the same way at
/// every node, whatever the arrival order.
@Suite("A recall and a vote that cross (§12.9)")
struct CrossingTests {
    /// Budapest's node recalls delegate 1 while, at another node that has not heard, delegate 1 votes.
    struct Crossing {
        var councilNode = Scenario()
        var delegateNode: Scenario
        let mandate: SignedMessage
        let resolution: SignedMessage
        let recall: SignedMessage
        let vote: SignedMessage

        init() {
            mandate = councilNode.mandate(Scenario.budapest, seat: "budapest", delegate: Scenario.delegate(1), weight: 3)
            let other = councilNode.mandate(Scenario.csepel, seat: "csepel", delegate: Scenario.delegate(2))
            resolution = councilNode.propose(Scenario.delegate(2), mandate: other, quorum: 1)
            delegateNode = councilNode
            recall = councilNode.act(Scenario.budapest, .recall(Recall(mandate: mandate.id, reason: "diverged from the mandate"))).0
            let (vote, decision) = delegateNode.vote(Scenario.delegate(1), on: resolution, mandate: mandate, .yes)
            precondition(decision.isAccepted, "the delegate's own node accepts the vote")
            self.vote = vote
        }
    }

    @Test("[VOTE-5][TALLY-1] the crossing vote is accepted everywhere but counts nowhere the recall is known")
    func crossingVoteDoesNotCount() {
        var crossing = Crossing()
        #expect(crossing.delegateNode.tally(crossing.resolution)?.yes == 3, "before the recall arrives, the vote counts")
        #expect(crossing.councilNode.ledger.receive(crossing.vote, now: crossing.councilNode.now).first?.isAccepted == true)
        #expect(crossing.delegateNode.ledger.receive(crossing.recall, now: crossing.delegateNode.now).first?.isAccepted == true)
        for node in [crossing.councilNode, crossing.delegateNode] {
            #expect(node.tally(crossing.resolution) == Tally(outcome: .noQuorum, yes: 0, no: 0, abstain: 0, seatsVoted: 0))
        }
        #expect(crossing.councilNode.ledger.digest() == crossing.delegateNode.ledger.digest())
    }

    @Test("[TALLY-1] a vote the recalling council had seen still counts")
    func seenVoteCounts() {
        var scenario = Scenario()
        let mandate = scenario.mandate(Scenario.budapest, seat: "budapest", delegate: Scenario.delegate(1), weight: 2)
        let other = scenario.mandate(Scenario.csepel, seat: "csepel", delegate: Scenario.delegate(2))
        let resolution = scenario.propose(Scenario.delegate(2), mandate: other)
        #expect(scenario.vote(Scenario.delegate(1), on: resolution, mandate: mandate, .no).1.isAccepted)
        #expect(scenario.act(Scenario.budapest, .recall(Recall(mandate: mandate.id, reason: "voted against"))).1.isAccepted)
        #expect(scenario.tally(resolution) == Tally(outcome: .rejected, yes: 0, no: 2, abstain: 0, seatsVoted: 1))
    }

    @Test("[CLOSE-4][TALLY-1] a CLOSE that saw the vote but not the recall keeps its tally everywhere")
    func closeBeforeRecallKeepsTally() {
        var crossing = Crossing()
        crossing.delegateNode.now += TestFederation.day
        crossing.councilNode.now += TestFederation.day
        let (close, decision) = crossing.delegateNode.close(Scenario.delegate(2), crossing.resolution)
        #expect(decision.isAccepted)
        var late = crossing.councilNode
        for message in [crossing.vote, close] { #expect(late.ledger.receive(message, now: late.now).first?.isAccepted == true) }
        _ = crossing.delegateNode.ledger.receive(crossing.recall, now: crossing.delegateNode.now)
        #expect(late.tally(crossing.resolution)?.yes == 3)
        #expect(late.ledger.digest() == crossing.delegateNode.ledger.digest())
    }

    @Test("[ORDER-1] every arrival order of the crossing gives one digest", arguments: 0..<6)
    func arrivalOrderIrrelevant(permutation: Int) {
        let crossing = Crossing()
        let messages = crossing.councilNode.ledger.acceptedMessages + [crossing.vote]
        var orders = [messages, messages.reversed()]
        var shuffled = messages
        var generator = SplitMix(seed: UInt64(permutation))
        shuffled.shuffle(using: &generator)
        orders.append(shuffled)
        let digests = orders.map { order -> Bytes32 in
            var ledger = Ledger(roster: TestFederation.roster)
            for message in order { _ = ledger.receive(message, now: .max / 2) }
            #expect(ledger.acceptedCount == messages.count)
            return ledger.digest()
        }
        #expect(Set(digests).count == 1)
    }
}

/// A tiny seeded generator for shuffles in tests.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
