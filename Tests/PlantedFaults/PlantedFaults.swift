import CouncilProtocol
import CouncilWire

/// Faulty readings of the Spec's rules, for tests that show the simulator and the conformance
/// suite catch them. Only test targets depend on this module; the shipped products never see it.
public enum PlantedFaults {
    /// [SIG-3] broken: every signature verifies.
    public struct AnySignature: GovernanceRules {
        public init() {}
        public func verifies(_ message: SignedMessage, rosterHash: Bytes32) -> Bool { true }
    }

    /// [RECALL-4] broken: recalls revoke nothing.
    public struct RecallsIgnored: GovernanceRules {
        public init() {}
        public func revocations(of mandate: LedgerEntry, in view: LedgerView, ledger: Ledger) -> [LedgerEntry] {
            SpecRules().revocations(of: mandate, in: view, ledger: ledger).filter { $0.message.kind != .recall }
        }
    }

    /// [TALLY-2] broken: every vote its mandate's revocations leave standing counts, not one per seat.
    public struct SeatCountedTwice: GovernanceRules {
        public init() {}
        public func countedVotes(on resolution: LedgerEntry, in view: LedgerView, ledger: Ledger) -> [LedgerEntry] {
            ledger.votes(on: resolution.id, in: view).filter { vote in
                guard case .vote(let act) = vote.payload, let mandate = ledger.entry(act.mandate) else { return false }
                return !SpecRules().revocations(of: mandate, in: view, ledger: ledger).contains { !$0.hasInPast(vote) }
            }
        }
    }

    /// [VOTE-8] broken: every kind is in scope.
    public struct ScopeIgnored: GovernanceRules {
        public init() {}
        public func scopeAllows(_ mandate: Mandate, kind: String) -> Bool { true }
    }

    /// [TALLY-1] broken by arrival order: tallies count what has arrived, not the CLOSE's past.
    public struct ArrivalOrderTally: GovernanceRules {
        public init() {}
        public func countedVotes(on resolution: LedgerEntry, in view: LedgerView, ledger: Ledger) -> [LedgerEntry] {
            SpecRules().countedVotes(on: resolution, in: .everything, ledger: ledger)
        }
    }
}
