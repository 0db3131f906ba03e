import CouncilProtocol
import CouncilWire

/// The actors: councils mandate and recall, delegates propose and vote (sometimes out of scope,
/// against instructions, or after their recall), resolutions are closed, councils are replaced or
/// dissolve. Each act is drafted on the acting node's own view and decided by its core.
extension Simulation {
    mutating func performAct() {
        actsDone += 1
        stats.acts += 1
        let roll = random.int(0...999)
        switch roll {
        case 0..<230: actMandate()
        case 230..<330: actRecall()
        case 330..<480: actPropose()
        case 480..<860: actVote()
        case 860..<980: actClose()
        case 980..<992: actReplace()
        default: actDissolve()
        }
        if stats.acceptedUnique >= configuration.minimumAccepted + 20 || actsDone >= 4_000 {
            actPhaseOver = true
        } else {
            queue.push(.act, at: now + UInt64(random.int(20...70)))
        }
    }

    func nodeIndex(of council: String) -> Int { federation.councils.firstIndex(of: council)! }

    /// Drafts, signs and submits an act at a node, as its operator channel would.
    mutating func issue(_ payload: Payload, by key: SigningKey, at node: Int) {
        guard nodes[node].up else { return }
        issue(nodes[node].ledger.draft(author: key.publicKey, payload: payload, now: now), by: key, at: node)
    }

    mutating func issue(_ draft: GovernanceMessage, by key: SigningKey, at node: Int) {
        let signed = SignedMessage(signing: draft, with: key, rosterHash: federation.roster.hash)
        absorb(nodes[node].ledger.receive(signed, now: now, signatureChecked: true), at: node, cameFrom: -1)
    }

    /// The key a council signs with now, as its own node knows it.
    func currentKey(of council: String) -> SigningKey? {
        let ledger = nodes[nodeIndex(of: council)].ledger
        return ledger.currentKey(of: council, in: .everything).flatMap { keys[$0] }
    }

    func mandateAct(_ entry: LedgerEntry) -> Mandate? {
        if case .mandate(let act) = entry.payload { return act }
        return nil
    }

    mutating func actMandate() {
        guard let council = random.pick(federation.councils) else { return }
        let node = nodeIndex(of: council)
        let ledger = nodes[node].ledger
        guard nodes[node].up, !ledger.isDissolved(council, in: .everything), let key = currentKey(of: council) else { return }
        let standing = ledger.standingMandates().compactMap(mandateAct)
        let seats = federation.roster.bodies.flatMap { body in body.seats.filter { $0.council == council }.map { (body, $0) } }
        let vacant = seats.filter { body, seat in
            !standing.contains { $0.body == body.name && $0.seat == seat.name && now < $0.validUntil }
        }
        guard let (body, seat) = random.pick(random.chance(0.92) ? vacant : seats) else { return }
        let busy = Set(standing.map(\.delegate))
        let delegates = federation.delegateKeys[council]!.filter { !busy.contains($0.publicKey) }
        guard let delegate = random.pick(delegates.isEmpty ? federation.delegateKeys[council]! : delegates) else { return }
        let scope = SimFederation.kinds.filter { _ in random.chance(0.6) }
        var instructions: [Mandate.Instruction] = []
        if random.chance(0.3) {
            let question = random.pick(ledger.openResolutions(inBody: body.name).compactMap { entry -> String? in
                if case .proposal(let act) = entry.payload { return act.question }
                return nil
            }) ?? "q-\(questionCounter + 1)"
            instructions.append(.init(question: question, choice: random.chance(0.7) ? .yes : .no))
        }
        let lifetime = UInt64(random.chance(0.1) ? random.int(1_500...6_000) : random.int(60_000...600_000))
        issue(.mandate(Mandate(body: body.name, seat: seat.name, delegate: delegate.publicKey, weight: UInt16(random.int(1...Int(seat.maxWeight))),
                               validFrom: now - 1_000, validUntil: now + lifetime, scope: scope.isEmpty ? ["strike"] : scope,
                               instructions: instructions)), by: key, at: node)
    }

    mutating func actRecall() {
        guard let council = random.pick(federation.councils), let key = currentKey(of: council) else { return }
        let node = nodeIndex(of: council)
        let ledger = nodes[node].ledger
        let own = ledger.standingMandates().filter { entry in
            mandateAct(entry).map { ledger.council(ofBody: $0.body, seat: $0.seat) == council } ?? false
        }
        guard let mandate = random.pick(own) else { return }
        issue(.recall(Recall(mandate: mandate.id, reason: "diverged from the mandate")), by: key, at: node)
    }

    /// A delegate with a mandate known at the node where it acts.
    mutating func pickDelegate(standing: Bool) -> (key: SigningKey, node: Int, mandate: LedgerEntry, act: Mandate)? {
        let candidates = federation.delegateKeys.values.flatMap { $0 }.sorted { $0.publicKey < $1.publicKey }.shuffled(using: &random)
        for key in candidates {
            let node = delegateNode[key.publicKey]!
            guard nodes[node].up else { continue }
            let ledger = nodes[node].ledger
            let mandates = ledger.mandates(ofDelegate: key.publicKey).filter { ledger.isStanding($0) == standing }
            if let mandate = random.pick(mandates), let act = mandateAct(mandate) { return (key, node, mandate, act) }
        }
        return nil
    }

    mutating func actPropose() {
        guard let (key, node, mandate, act) = pickDelegate(standing: true),
              let body = federation.roster.body(named: act.body) else { return }
        let kind = random.chance(0.85) ? random.pick(act.scope)! : random.pick(SimFederation.kinds)!
        let rules = DecisionRule.allCases.filter(body.allows)
        questionCounter += 1
        issue(.proposal(Proposal(mandate: mandate.id, question: "q-\(questionCounter)", kind: kind, rule: random.pick(rules)!,
                                 quorum: UInt16(random.int(1...max(1, body.seats.count / 2))), closesAt: now + UInt64(random.int(300...2_500)),
                                 title: "Question \(questionCounter)", text: "Shall the councils act on question \(questionCounter)?")),
              by: key, at: node)
    }

    mutating func actVote() {
        // Now and then a recalled delegate, not knowing or not caring, votes anyway.
        guard let (key, node, mandate, act) = pickDelegate(standing: !random.chance(0.1)) else { return }
        let ledger = nodes[node].ledger
        let open = ledger.openResolutions(inBody: act.body).filter { !ledger.hasVoted(key.publicKey, on: $0.id, under: mandate.id) }
        let inScope = open.filter { entry in
            if case .proposal(let proposal) = entry.payload { return act.scope.contains(proposal.kind) }
            return false
        }
        guard let resolution = random.pick(random.chance(0.9) ? inScope : open), case .proposal(let proposal) = resolution.payload else {
            return
        }
        var choice: Choice = random.chance(0.5) ? .yes : (random.chance(0.6) ? .no : .abstain)
        if let instructed = act.instruction(for: proposal.question), random.chance(0.9) { choice = instructed }
        let statement = choice == .no && random.chance(0.3) ? "You can work if you want, but we shall provide neither coal nor electricity." : ""
        issue(.vote(Vote(resolution: resolution.id, mandate: mandate.id, choice: choice, statement: statement)), by: key, at: node)
    }

    mutating func actClose() {
        guard let node = random.pick(nodes.indices.filter { nodes[$0].up }) else { return }
        let ledger = nodes[node].ledger
        let due = ledger.openResolutions().filter { entry in
            guard case .proposal(let proposal) = entry.payload else { return false }
            return now >= proposal.closesAt || random.chance(0.05)
        }
        guard let resolution = random.pick(due), let body = federation.roster.body(named: ledger.body(ofResolution: resolution) ?? "") else { return }
        if random.chance(0.5), let proposer = keys[resolution.message.author] {
            let at = delegateNode[proposer.publicKey] ?? node
            guard nodes[at].up, let draft = nodes[at].ledger.draftClose(author: proposer.publicKey, resolution: resolution.id, now: now) else { return }
            issue(draft, by: proposer, at: at)
        } else if let council = random.pick(Array(Set(body.seats.map(\.council))).sorted()), let key = currentKey(of: council) {
            let at = nodeIndex(of: council)
            guard nodes[at].up, let draft = nodes[at].ledger.draftClose(author: key.publicKey, resolution: resolution.id, now: now) else { return }
            issue(draft, by: key, at: at)
        }
    }

    mutating func actReplace() {
        guard let council = random.pick(federation.councils) else { return }
        let node = nodeIndex(of: council)
        let ledger = nodes[node].ledger
        let current = ledger.currentKey(of: council, in: .everything)
        let successors = federation.successorKeys[council]!
        let next = successors.firstIndex { $0.publicKey == current }.map { $0 + 1 } ?? 0
        guard next < successors.count else { return }
        issue(.replacement(Replacement(council: council, newKey: successors[next].publicKey,
                                       reason: "The workers elected a new council in line with their wishes.")),
              by: federation.electorsKeys[council]!, at: node)
    }

    mutating func actDissolve() {
        guard dissolutions == 0, actsDone > 150, let council = random.pick(federation.councils), let key = currentKey(of: council) else { return }
        dissolutions += 1
        let author = random.chance(0.7) ? key : federation.electorsKeys[council]!
        issue(.dissolution(Dissolution(council: council, statement: "We are returning our mandate into the hands of the workers.")),
              by: author, at: nodeIndex(of: council))
    }
}
