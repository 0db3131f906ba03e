import CouncilNode
import CouncilProtocol
import CouncilWire
import Foundation

/// Plays one exchange against a running local federation, step by step, and records what every
/// node decided (Spec/EXCHANGES.md §3–§4).
struct ReplaySession {
    let exchange: Exchange
    let federation: LocalFederation
    let definition: FederationDefinition
    let processes: NodeProcesses
    let watch: FederationWatch
    let timeout: Double
    var running: Set<String>
    var cut: Set<String> = []
    var names: [String: MessageID] = [:]
    var follower: LogFollower
    var failures: [String] = []
    var transcript: [JSONValue] = []
    var diagram: [String] = []

    init(exchange: Exchange, federation: LocalFederation, definition: FederationDefinition, processes: NodeProcesses, timeout: Double) {
        self.exchange = exchange
        self.federation = federation
        self.definition = definition
        self.processes = processes
        self.timeout = timeout
        watch = FederationWatch(federation: federation, definition: definition)
        running = Set(definition.nodes.map(\.council))
        follower = LogFollower(federation: federation)
        follower.skipToEnd(definition.nodes.map(\.council))
    }

    mutating func fail(_ step: Int, _ text: String) {
        let line = exchange.steps[step].line
        failures.append("\(exchange.file):\(line): step \(step + 1): \(text)")
        print("    ✗ \(text)")
    }

    // MARK: Helpers

    func control(_ node: String) throws -> NetworkAddress { try federation.control(of: node) }

    func request(_ node: String, _ body: JSONValue) async throws -> JSONValue {
        let answer = try await OperatorClient.request(body, to: control(node))
        guard answer["ok"]?.boolValue == true else { throw CLIError("\(node): \(answer["error"]?.stringValue ?? "request refused")") }
        return answer
    }

    /// Nodes reachable from `node` over links that are up: running, not cut.
    func reachable(from node: String) -> Set<String> {
        var seen: Set<String> = [node]
        var frontier = [node]
        while let next = frontier.popLast() {
            for neighbour in definition.neighbours(of: next)
            where running.contains(neighbour) && !cut.contains(FederationWatch.linkName(next, neighbour)) && seen.insert(neighbour).inserted {
                frontier.append(neighbour)
            }
        }
        return seen
    }

    /// Replaces `$name`, `@label` and time offsets in an act.
    func resolve(_ value: JSONValue, key: String = "") -> JSONValue {
        switch value {
        case .string(let text) where text.hasPrefix("$"):
            return .string(names[String(text.dropFirst())]?.description ?? text)
        case .string(let text) where text.hasPrefix("@"):
            return .string(definition.key(String(text.dropFirst())).publicKey.description)
        case .string(let text) where ["valid_from", "valid_until", "closes_at"].contains(key):
            return Exchange.offset(text).map { .uint(exchange.start + $0) } ?? value
        case .array(let items):
            return .array(items.map { resolve($0) })
        case .object(let members):
            return .object(Dictionary(uniqueKeysWithValues: members.map { ($0.key, resolve($0.value, key: $0.key)) }))
        default:
            return value
        }
    }

    /// Waits until every node in `nodes` holds the message (accepted or held).
    func waitUntilHeld(_ id: MessageID, by nodes: Set<String>) async -> Set<String> {
        let deadline = Date().addingTimeInterval(timeout)
        var missing = nodes
        while !missing.isEmpty && Date() < deadline {
            for node in missing {
                if let answer = try? await request(node, ["op": "has", "id": .string(id.description)]),
                   ["accepted", "held"].contains(answer["state"]?.stringValue ?? "") {
                    missing.remove(node)
                }
            }
            if !missing.isEmpty { try? await Task.sleep(for: .milliseconds(50)) }
        }
        return missing
    }

    /// Waits until the running nodes of each connected group agree on one digest.
    func waitForAgreement() async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let snapshot = await watch.snapshot()
            var agreed = true
            for node in running {
                let group = reachable(from: node)
                if Set(group.map { snapshot.digests[$0] ?? "?" }).count != 1 { agreed = false }
            }
            let wantedLinks = Set(definition.links.filter { running.contains($0.0) && running.contains($0.1) }.map { FederationWatch.linkName($0.0, $0.1) })
                .subtracting(cut)
            if agreed && wantedLinks.isSubset(of: snapshot.linksUp) && running.isSubset(of: snapshot.running) { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// Which node each node got a message from, read from the nodes' logs.
    mutating func relayPath(of id: MessageID) -> [(node: String, from: String)] {
        var path: [(String, String)] = []
        for node in definition.nodes.map(\.council) {
            for line in follower.newLines(of: node) where line.hasSuffix("] accepted") && LogFollower.field("id", in: line) == id.short {
                path.append((node, LogFollower.field("from", in: line) ?? "?"))
            }
        }
        return path
    }
}
