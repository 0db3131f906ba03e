import CouncilNode
import CouncilProtocol
import CouncilWire
import Foundation

/// The step kinds of Spec/EXCHANGES.md §3.
extension ReplaySession {
    mutating func play() async {
        for (index, step) in exchange.steps.enumerated() {
            print(String(format: "%3d. ", index + 1) + step.say)
            var record: [String: JSONValue] = ["step": .uint(index + 1), "say": .string(step.say)]
            do {
                try await perform(step.action, index: index, record: &record)
            } catch {
                fail(index, "\(error)")
                record["error"] = .string("\(error)")
            }
            transcript.append(.object(record))
        }
    }

    mutating func perform(_ action: Exchange.Action, index: Int, record: inout [String: JSONValue]) async throws {
        switch action {
        case .act(let act):
            try await playAct(act, forge: nil, index: index, record: &record)
        case .forge(let kind, let act):
            try await playAct(act, forge: kind, index: index, record: &record)
        case .cut(let a, let b):
            try await setLink(a, b, up: false)
            record["cut"] = [.string(a), .string(b)]
        case .restore(let a, let b):
            try await setLink(a, b, up: true)
            record["restore"] = [.string(a), .string(b)]
            try await settle(index)
        case .isolate(let node):
            for peer in definition.neighbours(of: node) { try await setLink(node, peer, up: false) }
            record["isolate"] = .string(node)
        case .rejoin(let node):
            for peer in definition.neighbours(of: node) { try await setLink(node, peer, up: true) }
            record["rejoin"] = .string(node)
            try await settle(index)
        case .kill(let node):
            processes.kill(node)
            running.remove(node)
            print("    \(node) killed (SIGKILL)")
            diagram.append("    Note over \(node): killed (SIGKILL)")
            record["kill"] = .string(node)
        case .start(let node):
            try processes.start(node)
            running.insert(node)
            // A restarted node forgets operator cuts: cut them again.
            for peer in definition.neighbours(of: node) where cut.contains(FederationWatch.linkName(node, peer)) {
                try await waitForOperator(node)
                _ = try await request(node, ["op": "cut", "peer": .string(peer)])
            }
            print("    \(node) started from its data folder")
            diagram.append("    Note over \(node): restarted")
            record["start"] = .string(node)
            try await settle(index)
        case .check(let check, let nodes):
            try await playCheck(check, nodes: nodes ?? running.sorted(), index: index, record: &record)
        }
    }

    func waitForOperator(_ node: String) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (try? await request(node, ["op": "status"])) != nil { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CLIError("\(node) did not start within \(Int(timeout)) s")
    }

    mutating func settle(_ index: Int) async throws {
        if await waitForAgreement() {
            let snapshot = await watch.snapshot()
            print("    links up again; every connected node agrees (\(Set(running.compactMap { snapshot.digests[$0]?.prefix(12) }).sorted().joined(separator: ", ")))")
        } else {
            fail(index, "the nodes did not reconnect and agree within \(Int(timeout)) s")
        }
    }

    mutating func setLink(_ a: String, _ b: String, up: Bool) async throws {
        let name = FederationWatch.linkName(a, b)
        guard definition.neighbours(of: a).contains(b) else { throw CLIError("\(a) and \(b) have no link in the topology") }
        for (node, peer) in [(a, b), (b, a)] where running.contains(node) {
            _ = try await request(node, ["op": up ? "restore" : "cut", "peer": .string(peer)])
        }
        if up { cut.remove(name) } else { cut.insert(name) }
        print("    link \(name) \(up ? "restored" : "cut")")
        diagram.append("    Note over \(a),\(b): link \(up ? "restored" : "cut")")
    }

    /// Drafts an act at `node`, signs (or forges) it, and returns its bytes.
    func prepare(_ act: Exchange.Act, payload: JSONValue, forge: String?, at node: String) async throws -> GovernanceMessage {
        let signer = forge == "unknown-key" ? definition.key("radio-budapest") : definition.key(act.by)
        let drafted = try await request(node, ["op": "draft", "author": .string(signer.publicKey.description), "payload": payload,
                                               "timestamp": .uint(act.time)])
        guard let hex = drafted["message"]?.stringValue, let bytes = Hex.decode(hex) else { throw CLIError("\(node) sent no draft") }
        let rosterHash = definition.roster.hash
        var message = try GovernanceMessage(decoding: bytes)
        switch forge {
        case "unsigned": message.signature = .zero
        case "impersonate": message.signature = definition.key("radio-budapest").sign(message.signingInput(rosterHash: rosterHash))
        case "bad-signature":
            message.signature = signer.sign(message.signingInput(rosterHash: rosterHash))
            message.signature.s.w3 ^= 1
        default: message.signature = signer.sign(message.signingInput(rosterHash: rosterHash))
        }
        return message
    }

    mutating func playAct(_ act: Exchange.Act, forge: String?, index: Int, record: inout [String: JSONValue]) async throws {
        let payloadJSON = resolve(act.act)
        let targets = (act.at == "*" ? running.sorted() : [act.at]).filter(running.contains)
        guard let drafter = targets.first else { throw CLIError("no running node to submit to") }
        var decisions: [String: JSONValue] = [:]
        var ids: [String: JSONValue] = [:]
        var accepted: GovernanceMessage?
        for node in targets {
            // A forgery is built on each target's own view, so its dependencies are there.
            let message = try await prepare(act, payload: payloadJSON, forge: forge, at: forge == nil ? drafter : node)
            let encoded = message.encoded
            let id = Hashing.sha256(encoded)
            let kind = message.kind.description
            let answer = try await request(node, ["op": "submit", "message": .string(Hex.encode(encoded))])
            let outcome = answer["decision"]?.stringValue == "rejected" ? (answer["code"]?.stringValue ?? "?") : (answer["decision"]?.stringValue ?? "?")
            decisions[node] = .string(outcome)
            ids[node] = .string(id.description)
            let detail = answer["detail"]?.stringValue.map { " — \($0)" } ?? ""
            let forged = forge.map { kind in "forged (\(kind)) " } ?? ""
            print("    \(act.by) at \(node): \(forged)\(kind) \(id.short) → \(outcome)\(outcome == "accepted" || outcome == "held" ? "" : detail)")
            diagram.append("    \(Self.participant(act.by))->>\(node): \(forge == nil ? "" : "forged ")\(kind) \(id.short)")
            if outcome != act.expect {
                fail(index, "\(node) answered \(outcome), the script expects \(act.expect)\(detail)")
            } else if outcome != "accepted" && outcome != "held" {
                diagram.append("    Note over \(node): rejected \(outcome)")
            }
            if outcome == "accepted" || outcome == "held" { accepted = message }
            record.merge(["kind": .string(kind), "timestamp": .uint(message.timestamp)]) { $1 }
            if let name = act.name { names[name] = id }
        }
        record.merge(["by": .string(act.by), "at": .string(act.at), "payload": payloadJSON, "decisions": .object(decisions), "ids": .object(ids),
                      "expect": .string(act.expect)]) { $1 }
        guard forge == nil, let message = accepted, act.expect == "accepted" || act.expect == "held" else { return }
        let id = Hashing.sha256(message.encoded)
        let audience = reachable(from: drafter)
        let missing = await waitUntilHeld(id, by: audience)
        if !missing.isEmpty { fail(index, "\(missing.sorted().joined(separator: ", ")) did not receive \(id.short) within \(Int(timeout)) s") }
        let path = relayPath(of: id).filter { hop in hop.from != "local" }
        if !path.isEmpty {
            print("    relayed: " + path.map { "\($0.from) → \($0.node)" }.joined(separator: ", "))
            for hop in path { diagram.append("    \(hop.from)-->>\(hop.node): \(message.kind) \(id.short)") }
        }
        record["relayed"] = .array(path.map { ["from": .string($0.from), "to": .string($0.node)] })
        let unreached = running.subtracting(audience)
        if !unreached.isEmpty { print("    not reachable now: \(unreached.sorted().joined(separator: ", "))") }
    }

    static func participant(_ label: String) -> String { label.replacingOccurrences(of: "-", with: "_") }

    mutating func playCheck(_ check: Exchange.Check, nodes: [String], index: Int, record: inout [String: JSONValue]) async throws {
        var results: [String: JSONValue] = [:]
        for node in nodes {
            guard running.contains(node) else { throw CLIError("cannot check \(node): it is not running") }
            switch check {
            case .digestsEqual:
                results[node] = .string(try await request(node, ["op": "status"])["digest"]?.stringValue ?? "")
            case .mandates(let standing, let notStanding):
                let ids = Set((try await request(node, ["op": "mandates"])["mandates"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue })
                for name in standing where !ids.contains(names[name]?.description ?? "") { fail(index, "\(node): mandate $\(name) is not standing") }
                for name in notStanding where ids.contains(names[name]?.description ?? "") { fail(index, "\(node): mandate $\(name) is still standing") }
                results[node] = .uint(ids.count)
            case .resolution(let name, let expected, let counted, let notCounted):
                let resolutions = try await request(node, ["op": "resolutions"])["resolutions"]?.arrayValue ?? []
                guard let resolution = resolutions.first(where: { $0["id"]?.stringValue == names[name]?.description }) else {
                    fail(index, "\(node) does not hold resolution $\(name)")
                    continue
                }
                for (key, value) in expected.sorted(by: { $0.key < $1.key }) {
                    let actual = key == "status" ? resolution["status"] : resolution["tally"]?[key]
                    if actual != value { fail(index, "\(node): resolution $\(name) \(key) is \(actual?.compact ?? "missing"), expected \(value.compact)") }
                }
                let votes = resolution["votes"]?.arrayValue ?? []
                func isCounted(_ vote: String) -> Bool? {
                    votes.first { $0["id"]?.stringValue == names[vote]?.description }?["counted"]?.boolValue
                }
                for vote in counted where isCounted(vote) != true { fail(index, "\(node): vote $\(vote) does not count") }
                for vote in notCounted where isCounted(vote) != false { fail(index, "\(node): vote $\(vote) should be recorded without counting") }
                results[node] = resolution["tally"] ?? .null
            }
        }
        if case .digestsEqual = check, Set(results.values).count > 1 { fail(index, "the nodes' digests differ: \(JSONValue.object(results).compact)") }
        if case .resolution(let name, _, _, _) = check, let tally = results.values.first {
            print("    \(name): \(tally["outcome"]?.stringValue ?? "?") — for \(tally["for"]?.intValue ?? 0), against \(tally["against"]?.intValue ?? 0), "
                + "abstain \(tally["abstain"]?.intValue ?? 0), seats \(tally["seats_voted"]?.intValue ?? 0) (at \(nodes.count) node(s))")
        } else {
            print("    checked at \(nodes.joined(separator: ", "))")
        }
        record["check"] = .object(results)
    }
}
