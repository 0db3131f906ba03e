import CouncilWire

/// §12.4–§12.7: the validity of a message whose dependencies are accepted, decided from its causal
/// past alone ([ORDER-1]). Checks run in the Spec's order; the first failure is the answer.
extension Ledger {
    /// `view` is the message's causal past (`view(ofDependencies:)`).
    func validate(_ signed: SignedMessage, in view: LedgerView) -> WireError? {
        let message = signed.message
        func fail(_ code: ErrorCode, _ detail: String) -> WireError { WireError(code, detail) }

        // [CORE-5]
        if !message.prev.isZero, let prev = accepted[message.prev] {
            guard prev.message.author == message.author, prev.sequence == message.sequence - 1 else {
                return fail(.badSequence, "prev is not this author's message \(message.sequence - 1)")
            }
        }
        // [CORE-6]
        if let author = authors.index(of: message.author), author < chains.count, chains[author].count >= message.sequence {
            return fail(.equivocation, "another message of this author has sequence \(message.sequence)")
        }
        // [CORE-7]
        for dependency in Self.dependencies(of: message) where (accepted[dependency]?.timestamp ?? 0) > message.timestamp {
            return fail(.badTimestamp, "timestamp is earlier than dependency \(dependency.short)")
        }
        // [CORE-8]
        let author = message.author
        let councilsOfAuthor = councils(withKey: author, in: view)
        let isDelegate = !entries(mandatesByDelegate[author], in: view).isEmpty
        guard !councilsOfAuthor.isEmpty || rosterCouncilByElectors[author] != nil || isDelegate else {
            return fail(.unknownAuthor, "author \(author.short) has no role in this message's past")
        }
        // [CORE-9] before [CORE-10], for every council the key was: one key can serve two councils (§14).
        if let council = councilsOfAuthor.first(where: { currentKey(of: $0, in: view) != author }) {
            return fail(.keyReplaced, "this key of \(council) was replaced")
        }
        if let council = councilsOfAuthor.first(where: { isDissolved($0, in: view) }) {
            return fail(.councilDissolved, "\(council) is dissolved")
        }
        let code: WireError?
        switch message.payload {
        case .mandate(let act): code = validateMandate(act, signed, view)
        case .recall(let act): code = validateRecall(act, signed, view)
        case .proposal(let act): code = validateProposal(act, signed, view)
        case .vote(let act): code = validateVote(act, signed, view)
        case .close(let act): code = validateClose(act, signed, view)
        case .replacement(let act): code = validateReplacement(act, signed, view)
        case .dissolution(let act): code = validateDissolution(act, signed, view)
        }
        return code
    }

    /// A referenced message of the given kind in the view, or nil.
    func referenced(_ id: MessageID, _ kind: MessageKind, in view: LedgerView) -> LedgerEntry? {
        guard let entry = accepted[id], entry.message.kind == kind, view.contains(entry) else { return nil }
        return entry
    }

    func validateMandate(_ act: Mandate, _ signed: SignedMessage, _ view: LedgerView) -> WireError? {
        guard let body = roster.body(named: act.body) else { return WireError(.unknownBody, "no body \(act.body)") }
        guard let seat = body.seat(named: act.seat) else { return WireError(.unknownSeat, "\(act.body) has no seat \(act.seat)") }
        guard currentKey(of: seat.council, in: view) == signed.author else {
            return WireError(.notAuthorised, "only \(seat.council) mandates to seat \(act.seat)")
        }
        guard act.weight >= 1, act.weight <= seat.maxWeight else {
            return WireError(.badWeight, "weight \(act.weight); seat \(act.seat) allows 1 to \(seat.maxWeight)")
        }
        guard act.validUntil > act.validFrom else { return WireError(.invalidField, "the validity period is empty") }
        let occupant = entries(mandatesBySeat[Self.seatKey(act.body, act.seat)], in: view).first { other in
            guard case .mandate(let otherAct) = other.payload else { return false }
            return revocation(of: other, in: view) == nil && signed.message.timestamp < otherAct.validUntil
        }
        if let occupant { return WireError(.seatOccupied, "mandate \(occupant.id.short) holds \(act.body)/\(act.seat)") }
        return nil
    }

    func validateRecall(_ act: Recall, _ signed: SignedMessage, _ view: LedgerView) -> WireError? {
        guard let mandate = referenced(act.mandate, .mandate, in: view), case .mandate(let mandateAct) = mandate.payload else {
            return WireError(.unknownMandate, "mandate \(act.mandate.short) is not in this message's past")
        }
        let council = council(ofBody: mandateAct.body, seat: mandateAct.seat) ?? ""
        guard currentKey(of: council, in: view) == signed.author else {
            return WireError(.notAuthorised, "only \(council), which issued the mandate, may recall it")
        }
        if let code = revocation(of: mandate, in: view) { return WireError(code, "mandate \(act.mandate.short) is no longer standing") }
        return nil
    }

    /// The checks a delegate's act under a mandate shares (PROPOSE-1…4, VOTE-2, VOTE-3, VOTE-5, VOTE-6).
    func validateDelegateAct(mandate id: MessageID, _ signed: SignedMessage, _ view: LedgerView) -> Result<(LedgerEntry, Mandate), WireError> {
        guard let mandate = referenced(id, .mandate, in: view), case .mandate(let act) = mandate.payload else {
            return .failure(WireError(.unknownMandate, "mandate \(id.short) is not in this message's past"))
        }
        guard act.delegate == signed.author else { return .failure(WireError(.notAuthorised, "the author is not this mandate's delegate")) }
        return .success((mandate, act))
    }

    func checkStandingAndValidity(_ mandate: LedgerEntry, _ act: Mandate, _ signed: SignedMessage, _ view: LedgerView) -> WireError? {
        if let code = revocation(of: mandate, in: view) { return WireError(code, "mandate \(mandate.id.short) is no longer standing") }
        let time = signed.message.timestamp
        guard time >= act.validFrom, time < act.validUntil else {
            return WireError(.mandateExpired, "timestamp \(time) is outside the mandate's validity")
        }
        return nil
    }

    func validateProposal(_ act: Proposal, _ signed: SignedMessage, _ view: LedgerView) -> WireError? {
        let mandate: LedgerEntry, mandateAct: Mandate
        switch validateDelegateAct(mandate: act.mandate, signed, view) {
        case .failure(let error): return error
        case .success(let found): (mandate, mandateAct) = found
        }
        if let error = checkStandingAndValidity(mandate, mandateAct, signed, view) { return error }
        guard rules.scopeAllows(mandateAct, kind: act.kind) else {
            return WireError(.outOfScope, "kind \(act.kind) is outside the mandate's scope")
        }
        guard let body = roster.body(named: mandateAct.body), body.allows(act.rule) else {
            return WireError(.ruleNotAllowed, "\(mandateAct.body) does not decide by \(act.rule)")
        }
        guard Int(act.quorum) <= body.seats.count else {
            return WireError(.invalidField, "quorum \(act.quorum) exceeds the \(body.seats.count) seats of \(body.name)")
        }
        return nil
    }

    func validateVote(_ act: Vote, _ signed: SignedMessage, _ view: LedgerView) -> WireError? {
        guard let resolution = referenced(act.resolution, .proposal, in: view), case .proposal(let proposal) = resolution.payload else {
            return WireError(.unknownResolution, "resolution \(act.resolution.short) is not in this message's past")
        }
        let mandate: LedgerEntry, mandateAct: Mandate
        switch validateDelegateAct(mandate: act.mandate, signed, view) {
        case .failure(let error): return error
        case .success(let found): (mandate, mandateAct) = found
        }
        guard body(ofResolution: resolution) == mandateAct.body else {
            return WireError(.wrongBody, "the mandate is for \(mandateAct.body), not the resolution's body")
        }
        if let error = checkStandingAndValidity(mandate, mandateAct, signed, view) { return error }
        guard entries(closesByResolution[resolution.id], in: view).isEmpty else {
            return WireError(.resolutionClosed, "resolution \(resolution.id.short) was closed")
        }
        guard rules.scopeAllows(mandateAct, kind: proposal.kind) else {
            return WireError(.outOfScope, "kind \(proposal.kind) is outside the mandate's scope")
        }
        if let instructed = mandateAct.instruction(for: proposal.question), instructed != act.choice {
            return WireError(.instructionViolated, "the mandate binds a vote \(instructed) on \(proposal.question)")
        }
        let earlier = entries(votesByResolution[resolution.id], in: view).contains { other in
            guard case .vote(let otherAct) = other.payload else { return false }
            return other.message.author == signed.author && otherAct.mandate == act.mandate
        }
        if earlier { return WireError(.alreadyVoted, "this delegate already voted on \(resolution.id.short) under this mandate") }
        return nil
    }

    func validateClose(_ act: Close, _ signed: SignedMessage, _ view: LedgerView) -> WireError? {
        guard let resolution = referenced(act.resolution, .proposal, in: view), case .proposal(let proposal) = resolution.payload,
              let bodyName = body(ofResolution: resolution), let body = roster.body(named: bodyName)
        else {
            return WireError(.unknownResolution, "resolution \(act.resolution.short) is not in this message's past")
        }
        guard entries(closesByResolution[resolution.id], in: view).isEmpty else {
            return WireError(.resolutionClosed, "resolution \(resolution.id.short) was already closed")
        }
        let proposerMayClose = resolution.message.author == signed.author && accepted[proposal.mandate].map { revocation(of: $0, in: view) == nil } == true
        let councilMayClose = Set(body.seats.map(\.council)).contains { council in
            currentKey(of: council, in: view) == signed.author && !isDissolved(council, in: view)
        }
        guard proposerMayClose || councilMayClose else {
            return WireError(.notAuthorised, "only the proposer or a council seated in \(bodyName) may close")
        }
        let tally = tally(of: resolution, in: view)
        guard signed.message.timestamp >= proposal.closesAt || Int(tally.seatsVoted) == body.seats.count else {
            return WireError(.closeTooEarly, "voting is open until \(proposal.closesAt) and not every seat has voted")
        }
        guard tally == act.tally else { return WireError(.tallyMismatch, "declared \(act.tally), but the past gives \(tally)") }
        return nil
    }

    func validateReplacement(_ act: Replacement, _ signed: SignedMessage, _ view: LedgerView) -> WireError? {
        guard let council = roster.council(named: act.council), council.electorsKey == signed.author else {
            return WireError(.notAuthorised, "only the electors of \(act.council) may replace it")
        }
        let usedKeys = roster.councils.flatMap { [$0.key, $0.electorsKey] }
        let replacedKeys = replacementKeys.filter { !entries($0.value, in: view).isEmpty }.keys
        guard !usedKeys.contains(act.newKey), !replacedKeys.contains(act.newKey) else {
            return WireError(.invalidField, "new_key is already a council or electors key")
        }
        if isDissolved(act.council, in: view) { return WireError(.councilDissolved, "\(act.council) is dissolved") }
        return nil
    }

    func validateDissolution(_ act: Dissolution, _ signed: SignedMessage, _ view: LedgerView) -> WireError? {
        guard let council = roster.council(named: act.council),
              council.electorsKey == signed.author || currentKey(of: act.council, in: view) == signed.author
        else {
            return WireError(.notAuthorised, "only \(act.council) or its electors may dissolve it")
        }
        if isDissolved(act.council, in: view) { return WireError(.councilDissolved, "\(act.council) is already dissolved") }
        return nil
    }
}
