import CouncilWire

/// §12.3: taking a message in — duplicates, dependencies, holding and release.
extension Ledger {
    /// Decodes and decides bytes from the network. The first decision is about these bytes; any
    /// that follow are held messages this one released.
    public mutating func receive(bytes: [UInt8], now: UInt64) -> [Decision] {
        do {
            return receive(try SignedMessage(bytes: bytes), now: now)
        } catch {
            return [.rejected(Hashing.sha256(bytes), error)]
        }
    }

    /// Decides a decoded message. `signatureChecked` skips verification for messages this node
    /// verified before (its own store on restart, or a batch verified by the shell).
    public mutating func receive(_ message: SignedMessage, now: UInt64, signatureChecked: Bool = false) -> [Decision] {
        let id = message.id
        if accepted[id] != nil { return [.duplicate(id)] }
        if let error = rejected[id] { return [.rejected(id, error)] }
        if pending[id] != nil { return [.held(message)] }
        guard signatureChecked || rules.verifies(message, rosterHash: rosterHash) else {
            return [reject(id, WireError(.badSignature, "signature does not verify under author \(message.author.short)"))] + releaseRejected(id)
        }
        let dependencies = Self.dependencies(of: message.message)
        if let bad = dependencies.first(where: { rejected[$0] != nil }) {
            return [reject(id, WireError(.dependencyRejected, "depends on rejected message \(bad.short)"), dependingOn: bad)] + releaseRejected(id)
        }
        let missing = dependencies.filter { accepted[$0] == nil }
        let tooEarly = message.message.timestamp > now &+ maxClockSkew
        if !missing.isEmpty || tooEarly {
            guard pending.count < maxPending else {
                return [.rejected(id, WireError(.pendingLimit, "\(pending.count) messages already await dependencies or their time"))]
            }
            pending[id] = message
            for dependency in missing { waiting[dependency, default: []].append(id) }
            if missing.isEmpty { early.insert(id) }
            return [.held(message)]
        }
        return decide(message, now: now)
    }

    /// [ORDER-7] Releases held messages whose time has come.
    public mutating func tick(now: UInt64) -> [Decision] {
        var decisions: [Decision] = []
        for id in early.sorted() {
            guard let message = pending[id], message.message.timestamp <= now &+ maxClockSkew else { continue }
            early.remove(id)
            pending[id] = nil
            decisions += decide(message, now: now)
        }
        return decisions
    }

    static func dependencies(of message: GovernanceMessage) -> [MessageID] {
        message.prev.isZero ? message.refs : [message.prev] + message.refs
    }

    /// Validates a message whose dependencies are all accepted, applies it, and releases waiters.
    mutating func decide(_ message: SignedMessage, now: UInt64) -> [Decision] {
        // The causal past is merged once: validation reads it, and the new entry's clock extends it.
        let view = view(ofDependencies: message.message)
        if let error = validate(message, in: view) {
            return [reject(message.id, error)] + releaseRejected(message.id)
        }
        apply(message, past: view)
        return [.accepted(message)] + releaseAccepted(message.id, now: now)
    }

    /// Remembers a rejection ([CORE-4]); `dependency` is the rejected message a DEPENDENCY_REJECTED names.
    mutating func reject(_ id: MessageID, _ error: WireError, dependingOn dependency: MessageID? = nil) -> Decision {
        rejected.remember(id, error, tracesToEquivocation: error.code == .equivocation || dependency.map(rejected.tracesToEquivocation) == true)
        return .rejected(id, error)
    }

    /// Held messages waiting on an accepted one, decided once nothing else is missing ([ORDER-5]).
    mutating func releaseAccepted(_ id: MessageID, now: UInt64) -> [Decision] {
        var decisions: [Decision] = []
        for waiter in waiting.removeValue(forKey: id) ?? [] {
            guard let message = pending[waiter] else { continue }
            let dependencies = Self.dependencies(of: message.message)
            guard dependencies.allSatisfy({ accepted[$0] != nil }) else { continue }
            if message.message.timestamp > now &+ maxClockSkew {
                early.insert(waiter)
                continue
            }
            pending[waiter] = nil
            decisions += decide(message, now: now)
        }
        return decisions
    }

    /// [CORE-3] Everything held on a rejected message is rejected in turn.
    mutating func releaseRejected(_ id: MessageID) -> [Decision] {
        var decisions: [Decision] = []
        for waiter in waiting.removeValue(forKey: id) ?? [] where pending[waiter] != nil {
            pending[waiter] = nil
            early.remove(waiter)
            decisions.append(reject(waiter, WireError(.dependencyRejected, "depends on rejected message \(id.short)"), dependingOn: id))
            decisions += releaseRejected(waiter)
        }
        return decisions
    }

    /// Adds an accepted message, whose causal past is `past`, to the set and its indexes.
    mutating func apply(_ message: SignedMessage, past: LedgerView) {
        let author = authors.intern(message.author)
        var clock = past.clock ?? CausalClock()
        clock.include(author: author, sequence: message.sequence)
        let entry = LedgerEntry(message: message, author: author, clock: clock, position: order.count)
        let id = message.id
        accepted[id] = entry
        order.append(entry)
        if chains.count <= author { chains.append(contentsOf: repeatElement([], count: author + 1 - chains.count)) }
        chains[author].append(entry)
        for dependency in Self.dependencies(of: message.message) { heads.remove(dependency) }
        heads.insert(id)
        switch message.message.payload {
        case .mandate(let act):
            mandatesBySeat[Self.seatKey(act.body, act.seat), default: []].append(id)
            mandatesByDelegate[act.delegate, default: []].append(id)
        case .recall(let act): recallsByMandate[act.mandate, default: []].append(id)
        case .proposal: proposals.append(id)
        case .vote(let act): votesByResolution[act.resolution, default: []].append(id)
        case .close(let act): closesByResolution[act.resolution, default: []].append(id)
        case .replacement(let act):
            replacementsByCouncil[act.council, default: []].append(id)
            replacementKeys[act.newKey, default: []].append(id)
        case .dissolution(let act): dissolutionsByCouncil[act.council, default: []].append(id)
        }
    }

    static func seatKey(_ body: String, _ seat: String) -> String { body + "/" + seat }
}
