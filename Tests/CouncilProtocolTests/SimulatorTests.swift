import CouncilProtocol
import CouncilSimulator
import CouncilWire
import Testing

@Suite("The deterministic simulator")
struct SimulatorTests {
    @Test("a seed replays exactly: the same trace hash and the same digest")
    func determinism() {
        var first = Simulation(.init(seed: 7))
        var second = Simulation(.init(seed: 7))
        let (a, b) = (first.run(), second.run())
        #expect(a.traceHash == b.traceHash)
        #expect(a.digest == b.digest)
        var other = Simulation(.init(seed: 8))
        #expect(other.run().traceHash != a.traceHash)
    }

    @Test("[ORDER-1][DIGEST-2] a seed's scenario passes: five nodes, ≥200 messages, ≥3 kinds of fault", arguments: [1, 2, 3] as [UInt64])
    func seedPasses(seed: UInt64) {
        var simulation = Simulation(.init(seed: seed))
        let result = simulation.run()
        #expect(result.failures == [])
        #expect(result.statistics.acceptedUnique >= 200)
        #expect(Set(result.faults).count >= 3)
        #expect(simulation.ledgers.count == 5)
    }

    @Test("[DIGEST-2] the same messages in any order give the same state and digest", arguments: [11, 12] as [UInt64])
    func convergenceOverPermutations(seed: UInt64) {
        var simulation = Simulation(.init(seed: seed))
        _ = simulation.run()
        let reference = simulation.ledgers[0]
        let messages = reference.acceptedMessages
        var generator = SplitMix(seed: seed)
        for _ in 0..<5 {
            var ledger = Ledger(roster: reference.roster)
            for message in messages.shuffled(using: &generator) { _ = ledger.receive(message, now: .max / 2, signatureChecked: true) }
            #expect(ledger.acceptedCount == messages.count)
            #expect(ledger.digest() == reference.digest())
        }
    }
}

/// Planted bugs: each is a faulty reading of one rule, injected here and nowhere else. The
/// simulator must catch each within 1,000 seeds (it usually takes one or two).
@Suite("The simulator's checks can fail")
struct PlantedBugTests {
    struct RecallsIgnored: GovernanceRules {
        func revocations(of mandate: LedgerEntry, in view: LedgerView, ledger: Ledger) -> [LedgerEntry] {
            SpecRules().revocations(of: mandate, in: view, ledger: ledger).filter { $0.message.kind != .recall }
        }
    }

    struct SeatCountedTwice: GovernanceRules {
        func countedVotes(on resolution: LedgerEntry, in view: LedgerView, ledger: Ledger) -> [LedgerEntry] {
            // Every vote its mandate's revocations leave standing, instead of one per seat.
            ledger.votes(on: resolution.id, in: view).filter { vote in
                guard case .vote(let act) = vote.payload, let mandate = ledger.entry(act.mandate) else { return false }
                return !SpecRules().revocations(of: mandate, in: view, ledger: ledger).contains { !$0.hasInPast(vote) }
            }
        }
    }

    struct AnySignature: GovernanceRules {
        func verifies(_ message: SignedMessage, rosterHash: Bytes32) -> Bool { true }
    }

    struct ScopeIgnored: GovernanceRules {
        func scopeAllows(_ mandate: Mandate, kind: String) -> Bool { true }
    }

    struct ArrivalOrderTally: GovernanceRules {
        func countedVotes(on resolution: LedgerEntry, in view: LedgerView, ledger: Ledger) -> [LedgerEntry] {
            SpecRules().countedVotes(on: resolution, in: .everything, ledger: ledger)
        }
    }

    /// Each bug, and the words of the check that must report it.
    static let bugs: [(String, any GovernanceRules, String)] = [
        ("recalls ignored", RecallsIgnored(), "revoked its mandate unseen"),
        ("a seat counted twice", SeatCountedTwice(), "counted twice"),
        ("any signature accepted", AnySignature(), "accepted forged message"),
        ("votes outside scope counted", ScopeIgnored(), "outside its mandate's scope"),
        ("order-dependent tallying", ArrivalOrderTally(), "did not converge"),
    ]

    @Test("each planted bug is caught within 1,000 seeds", arguments: 0..<bugs.count)
    func caught(bug: Int) throws {
        let (name, rules, check) = Self.bugs[bug]
        var caught: [String]?
        for seed in UInt64(1)...1_000 {
            var simulation = Simulation(.init(seed: seed, rules: rules))
            let result = simulation.run()
            if !result.passed {
                caught = result.failures
                break
            }
        }
        let failures = try #require(caught, "the simulator did not catch: \(name)")
        #expect(failures.contains { $0.contains(check) }, "\(name) was caught, but not by its check: \(failures)")
    }
}
