import CouncilProtocol
import CouncilWire

/// The end-of-run checks. Convergence and loss are checked across nodes; validity and counting
/// are checked against a deliberately naive second reading of the Spec (graph walks instead of
/// clocks), so that a rule broken the same way at every node is still caught.
struct SimulationChecker {
    let simulation: Simulation

    func check() -> [String] {
        var failures: [String] = []
        let nodes = simulation.nodes
        // Convergence: every node, same digest and same resolutions.
        let digests = nodes.map { $0.ledger.digest() }
        if Set(digests).count > 1 {
            let listing = zip(nodes, digests).map { "\($0.council)=\($1.short)(\($0.ledger.acceptedCount) msgs)" }.joined(separator: " ")
            failures.append("nodes did not converge after heal: \(listing)")
        }
        // No accepted message lost.
        for node in nodes {
            let missing = simulation.everAccepted.filter { !node.ledger.isAccepted($0) }
            if !missing.isEmpty { failures.append("\(node.council) lacks \(missing.count) message(s) accepted elsewhere, e.g. \(missing.min()!.short)") }
        }
        failures += checkSignatures()
        for node in nodes { failures += checkNode(node) }
        return Array(failures.prefix(12))
    }

    /// Nothing forged or unsigned was accepted anywhere: each accepted message verified once, independently.
    func checkSignatures() -> [String] {
        var failures: [String] = []
        var seen: Set<MessageID> = []
        let rosterHash = simulation.federation.roster.hash
        for node in simulation.nodes {
            for message in node.ledger.acceptedMessages where seen.insert(message.id).inserted {
                if simulation.forged.contains(message.id) { failures.append("\(node.council) accepted forged message \(message.id.short)") }
                if !SignatureCheck.verify(message.message.signature, of: message.message.signingInput(rosterHash: rosterHash), by: message.author) {
                    failures.append("\(node.council) accepted \(message.id.short) whose signature does not verify")
                }
            }
        }
        return failures
    }

    func checkNode(_ node: SimNode) -> [String] {
        var failures: [String] = []
        let ledger = node.ledger
        let graph = CausalGraph(ledger.acceptedMessages)
        for resolution in ledger.resolutionStates() {
            let counted = resolution.votes.filter(\.counted).map(\.vote)
            let view = resolution.close.map { graph.past(of: $0) }
            var seats: Set<String> = []
            var yes: UInt32 = 0, no: UInt32 = 0, abstain: UInt32 = 0
            for vote in counted {
                guard case .vote(let act) = vote.payload, let mandate = graph.messages[act.mandate],
                      case .mandate(let mandateAct) = mandate.message.payload else { continue }
                if !seats.insert(mandateAct.seat).inserted {
                    failures.append("\(node.council): seat \(mandateAct.seat) counted twice on \(resolution.id.short)")
                }
                if !mandateAct.scope.contains(resolution.proposal.kind) {
                    failures.append("\(node.council): vote \(vote.id.short) outside its mandate's scope was counted")
                }
                let council = ledger.council(ofBody: mandateAct.body, seat: mandateAct.seat) ?? ""
                for (id, message) in graph.messages where view?.contains(id) ?? true {
                    let revokes: Bool
                    switch message.message.payload {
                    case .recall(let recall): revokes = recall.mandate == act.mandate
                    case .dissolution(let dissolution): revokes = dissolution.council == council
                    default: revokes = false
                    }
                    if revokes, !graph.past(of: id).contains(vote.id) {
                        failures.append("\(node.council): vote \(vote.id.short) counted though \(id.short) revoked its mandate unseen")
                    }
                }
                switch act.choice {
                case .yes: yes += UInt32(mandateAct.weight)
                case .no: no += UInt32(mandateAct.weight)
                case .abstain: abstain += UInt32(mandateAct.weight)
                }
            }
            let tally = resolution.tally
            if (tally.yes, tally.no, tally.abstain, Int(tally.seatsVoted)) != (yes, no, abstain, seats.count) {
                failures.append("\(node.council): tally of \(resolution.id.short) is \(tally), but its counted votes give \(yes)/\(no)/\(abstain) over \(seats.count) seats")
            }
        }
        return failures
    }
}

/// Accepted messages as a plain graph, walked by breadth-first search: slow, simple, and
/// independent of the core's clocks.
struct CausalGraph {
    let messages: [MessageID: SignedMessage]

    init(_ messages: [SignedMessage]) {
        self.messages = Dictionary(uniqueKeysWithValues: messages.map { ($0.id, $0) })
    }

    func past(of id: MessageID) -> Set<MessageID> {
        var seen: Set<MessageID> = []
        var frontier = [id]
        while let next = frontier.popLast() {
            guard let message = messages[next]?.message else { continue }
            for dependency in message.refs + (message.prev.isZero ? [] : [message.prev]) where seen.insert(dependency).inserted {
                frontier.append(dependency)
            }
        }
        return seen
    }
}
