import CouncilWire

/// The derived notions of §12.2 and §12.5–§12.8, evaluated in a view.
extension Ledger {
    /// The council that fills a seat, if the roster has the body and seat.
    public func council(ofBody body: String, seat: String) -> String? {
        roster.body(named: body)?.seat(named: seat)?.council
    }

    /// §12.2: the roster key, or the newest REPLACE's key in the view.
    public func currentKey(of council: String, in view: LedgerView) -> PublicKey? {
        guard let rosterCouncil = roster.council(named: council) else { return nil }
        let latest = entries(replacementsByCouncil[council], in: view).max { $0.sequence < $1.sequence }
        guard let latest, case .replacement(let act) = latest.payload else { return rosterCouncil.key }
        return act.newKey
    }

    public func isDissolved(_ council: String, in view: LedgerView) -> Bool {
        !entries(dissolutionsByCouncil[council], in: view).isEmpty
    }

    /// The councils whose key `key` was, in the view: by the roster or by a REPLACE in it.
    func councils(withKey key: PublicKey, in view: LedgerView) -> [String] {
        var councils = rosterCouncilByKey[key].map { [$0] } ?? []
        for replacement in entries(replacementKeys[key], in: view) {
            if case .replacement(let act) = replacement.payload { councils.append(act.council) }
        }
        return councils
    }

    /// nil if the mandate is standing in the view; otherwise why not (§12.5).
    func revocation(of mandate: LedgerEntry, in view: LedgerView) -> ErrorCode? {
        let events = rules.revocations(of: mandate, in: view, ledger: self)
        if events.isEmpty { return nil }
        return events.contains { $0.message.kind == .dissolution } ? .councilDissolved : .mandateRecalled
    }

    /// Standing mandates of a view, by ID.
    public func standingMandates(in view: LedgerView = .everything) -> [LedgerEntry] {
        mandatesBySeat.values.flatMap { entries($0, in: view) }
            .filter { revocation(of: $0, in: view) == nil }
            .sorted { $0.id < $1.id }
    }

    /// [TALLY-3][TALLY-4] The tally of a resolution in a view.
    public func tally(of resolution: LedgerEntry, in view: LedgerView) -> Tally {
        guard case .proposal(let proposal) = resolution.payload else { preconditionFailure("not a resolution") }
        var tally = Tally(outcome: .noQuorum, yes: 0, no: 0, abstain: 0, seatsVoted: 0)
        for vote in rules.countedVotes(on: resolution, in: view, ledger: self) {
            guard case .vote(let act) = vote.payload, case .mandate(let mandate)? = entry(act.mandate)?.payload else { continue }
            let weight = UInt32(mandate.weight)
            switch act.choice {
            case .yes: tally.yes &+= weight
            case .no: tally.no &+= weight
            case .abstain: tally.abstain &+= weight
            }
            tally.seatsVoted &+= 1
        }
        tally.outcome = Self.outcome(yes: tally.yes, no: tally.no, seatsVoted: tally.seatsVoted, quorum: proposal.quorum, rule: proposal.rule)
        return tally
    }

    public static func outcome(yes: UInt32, no: UInt32, seatsVoted: UInt16, quorum: UInt16, rule: DecisionRule) -> Outcome {
        if seatsVoted < quorum { return .noQuorum }
        let (yes, no) = (UInt64(yes), UInt64(no))
        switch rule {
        case .majority: return yes > no ? .adopted : .rejected
        case .twoThirds: return yes > 0 && 3 * yes >= 2 * (yes + no) ? .adopted : .rejected
        case .unanimity: return yes > 0 && no == 0 ? .adopted : .rejected
        }
    }

    /// [CLOSE-5] The effective CLOSE of a resolution in a view: lowest timestamp, then lowest ID.
    public func effectiveClose(of resolution: MessageID, in view: LedgerView = .everything) -> LedgerEntry? {
        entries(closesByResolution[resolution], in: view).min { ($0.timestamp, $0.id) < ($1.timestamp, $1.id) }
    }

    /// The body a resolution was proposed in.
    public func body(ofResolution resolution: LedgerEntry) -> String? {
        guard case .proposal(let proposal) = resolution.payload, case .mandate(let mandate)? = entry(proposal.mandate)?.payload else {
            return nil
        }
        return mandate.body
    }
}

/// Queries the operator interface and the simulator's actors use.
extension Ledger {
    /// Every accepted mandate naming `delegate`, standing or not.
    public func mandates(ofDelegate delegate: PublicKey) -> [LedgerEntry] {
        (mandatesByDelegate[delegate] ?? []).compactMap { accepted[$0] }
    }

    /// Whether an accepted mandate is standing among everything accepted (§12.5).
    public func isStanding(_ mandate: LedgerEntry) -> Bool { revocation(of: mandate, in: .everything) == nil }

    /// Resolutions of a body with no accepted CLOSE.
    public func openResolutions(inBody body: String? = nil) -> [LedgerEntry] {
        proposals.compactMap { accepted[$0] }.filter { entry in
            (closesByResolution[entry.id] ?? []).isEmpty && (body == nil || self.body(ofResolution: entry) == body)
        }
    }

    /// Accepted votes on a resolution in a view, counted or not.
    public func votes(on resolution: MessageID, in view: LedgerView) -> [LedgerEntry] {
        entries(votesByResolution[resolution], in: view)
    }

    /// Whether `author` already voted on `resolution` under `mandate`.
    public func hasVoted(_ author: PublicKey, on resolution: MessageID, under mandate: MessageID) -> Bool {
        entries(votesByResolution[resolution], in: .everything).contains { vote in
            guard case .vote(let act) = vote.payload else { return false }
            return vote.message.author == author && act.mandate == mandate
        }
    }
}

/// What a node knows of one message ID, for operators and replayers.
extension Ledger {
    public enum Knowledge: Sendable, Equatable {
        case accepted, held, unknown
        case rejected(ErrorCode)
    }

    /// [ACK-6] Whether a rejection traces back to an EQUIVOCATION: the other of two histories of one
    /// author, which an honest peer that took it relays.
    public func rejectionTracesToEquivocation(_ id: MessageID) -> Bool { rejected.tracesToEquivocation(id) }

    public func knowledge(of id: MessageID) -> Knowledge {
        if accepted[id] != nil { return .accepted }
        if pending[id] != nil { return .held }
        if let error = rejected[id] { return .rejected(error.code) }
        return .unknown
    }
}
