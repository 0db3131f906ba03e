import CouncilWire

/// The rules of §12 that decide what counts, as overridable requirements.
///
/// The shipped node uses `SpecRules`, which is exactly the Spec. The seam exists so that tests can
/// plant a faulty rule (recalls ignored, a seat counted twice…) and show that the simulator and the
/// conformance suite catch it; nothing in the shipped code selects another implementation.
public protocol GovernanceRules: Sendable {
    /// [SIG-3] Whether the message's signature verifies.
    func verifies(_ message: SignedMessage, rosterHash: Bytes32) -> Bool
    /// §12.5: the revocation events of a mandate in a view.
    func revocations(of mandate: LedgerEntry, in view: LedgerView, ledger: Ledger) -> [LedgerEntry]
    /// [PROPOSE-5][VOTE-8] Whether a mandate's scope covers a kind of question.
    func scopeAllows(_ mandate: Mandate, kind: String) -> Bool
    /// [TALLY-1][TALLY-2] The one counted vote per seat, for a resolution in a view.
    func countedVotes(on resolution: LedgerEntry, in view: LedgerView, ledger: Ledger) -> [LedgerEntry]
}

/// The Spec's rules, and nothing else.
public struct SpecRules: GovernanceRules {
    public init() {}
}

extension GovernanceRules {
    public func verifies(_ message: SignedMessage, rosterHash: Bytes32) -> Bool {
        message.hasValidSignature(rosterHash: rosterHash)
    }

    public func revocations(of mandate: LedgerEntry, in view: LedgerView, ledger: Ledger) -> [LedgerEntry] {
        guard case .mandate(let act) = mandate.payload, let council = ledger.roster.body(named: act.body)?.seat(named: act.seat)?.council
        else { return [] }
        var events = ledger.entries(ledger.recallsByMandate[mandate.id], in: view)
        events += ledger.entries(ledger.dissolutionsByCouncil[council], in: view)
        events += ledger.entries(ledger.replacementsByCouncil[council], in: view).filter {
            !$0.hasInPast(mandate) && !mandate.hasInPast($0)
        }
        return events
    }

    public func scopeAllows(_ mandate: Mandate, kind: String) -> Bool { mandate.scope.contains(kind) }

    public func countedVotes(on resolution: LedgerEntry, in view: LedgerView, ledger: Ledger) -> [LedgerEntry] {
        var bySeat: [String: [LedgerEntry]] = [:]
        for vote in ledger.entries(ledger.votesByResolution[resolution.id], in: view) {
            guard case .vote(let act) = vote.payload, let mandate = ledger.entry(act.mandate),
                  case .mandate(let mandateAct) = mandate.payload
            else { continue }
            let voided = revocations(of: mandate, in: view, ledger: ledger).contains { !$0.hasInPast(vote) }
            if !voided { bySeat[mandateAct.seat, default: []].append(vote) }
        }
        return bySeat.keys.sorted().compactMap { seat in
            let votes = bySeat[seat]!
            let latest = votes.filter { candidate in votes.allSatisfy { $0.position == candidate.position || candidate.hasInPast($0) } }
            return (latest.isEmpty ? votes : latest).min { $0.id < $1.id }
        }
    }
}
