import CouncilProtocol
import CouncilSimulator
import CouncilWire
import PlantedFaults
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
    /// Each bug, and the words of the check that must report it.
    static let bugs: [(String, any GovernanceRules, String)] = [
        ("recalls ignored", PlantedFaults.RecallsIgnored(), "revoked its mandate unseen"),
        ("a seat counted twice", PlantedFaults.SeatCountedTwice(), "counted twice"),
        ("any signature accepted", PlantedFaults.AnySignature(), "accepted forged message"),
        ("votes outside scope counted", PlantedFaults.ScopeIgnored(), "outside its mandate's scope"),
        ("order-dependent tallying", PlantedFaults.ArrivalOrderTally(), "did not converge"),
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
