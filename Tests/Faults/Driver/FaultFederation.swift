import CouncilNode
import CouncilProtocol
import CouncilWire
import Foundation

/// The five daemons of the radio federation, each in its namespace, with their files in the run's
/// folder, the operator forwarders that reach them, and the latency proxy on one link.
final class FaultFederation: @unchecked Sendable {
    let definition: FederationDefinition
    let network: TestNetwork
    let folder: URL
    /// Where `council-faults` itself is (for the proxies), and the daemon to run.
    let binaries: URL
    let councild: String
    /// The link whose dialler reaches its peer through the latency proxy, and the delay each way.
    let delayedLink: Int
    let delayMilliseconds: Int
    static let listenPort = 7400
    static let controlPort = 7500
    static let proxyPort = 7600

    private var daemons: [String: Process] = [:]
    private var helpers: [Process] = []
    private let lock = NSLock()

    var nodes: [String] { definition.nodes.map(\.council) }

    init(definition: FederationDefinition, network: TestNetwork, folder: URL, binaries: URL, councild: String, delayedLink: Int,
         delayMilliseconds: Int) {
        self.councild = councild
        self.definition = definition
        self.network = network
        self.folder = folder
        self.binaries = binaries
        self.delayedLink = delayedLink
        self.delayMilliseconds = delayMilliseconds
    }

    func nodeFolder(_ node: String) -> URL { folder.appendingPathComponent(node) }
    func logPath(_ node: String) -> String { nodeFolder(node).appendingPathComponent("councild.log").path }
    func control(_ node: String) -> NetworkAddress { NetworkAddress(host: network.managementAddress(node), port: Self.controlPort) }

    /// Roster, keys and one config per node: each dials the far end of its links, on that link's veth.
    func writeFiles() throws {
        let manager = FileManager.default
        try manager.createDirectory(at: folder, withIntermediateDirectories: true)
        let displays = Dictionary(uniqueKeysWithValues: definition.councils.map { ($0.name, $0.display) })
        try RosterDocument.render(definition.roster, displayNames: displays)
            .write(to: folder.appendingPathComponent("roster.json"), atomically: true, encoding: .utf8)
        for node in nodes {
            try manager.createDirectory(at: nodeFolder(node), withIntermediateDirectories: true)
            try KeyFile.write(definition.key(node), label: node, to: nodeFolder(node).appendingPathComponent("node.key").path)
            let peers: [JSONValue] = network.links.enumerated().filter { $0.element.0 == node }.map { i, link in
                let address = i == delayedLink ? "127.0.0.1:\(Self.proxyPort)" : "\(network.end(i, at: link.1).address):\(Self.listenPort)"
                return ["council": .string(link.1), "address": .string(address)]
            }
            let config: JSONValue = [
                "description": .string("\(node) in namespace \(network.namespace(node)); written by Tests/Faults/run."),
                "council": .string(node), "key": "node.key", "roster": "../roster.json", "data": "data",
                "listen": .string("0.0.0.0:\(Self.listenPort)"), "control": .string("127.0.0.1:\(Self.controlPort)"), "peers": .array(peers),
                "limits": ["heartbeat_interval_ms": 1_000, "dead_link_after_ms": 4_000],
            ]
            try (config.rendered() + "\n").write(to: nodeFolder(node).appendingPathComponent("node.json"), atomically: true, encoding: .utf8)
        }
    }

    /// Starts a program inside a node's namespace, its output appended to `log`.
    func spawn(in node: String, _ arguments: [String], log: String) throws -> Process {
        try CouncildProcess.run("/usr/bin/env", ["ip", "netns", "exec", network.namespace(node)] + arguments, log: log)
    }

    /// The operator forwarders and the latency proxy: they outlive daemon restarts.
    func startHelpers() throws {
        let driver = binaries.appendingPathComponent("council-faults").path
        for node in nodes {
            helpers.append(try spawn(in: node, [driver, "proxy", "--listen", "\(network.managementAddress(node)):\(Self.controlPort)",
                                                "--to", "127.0.0.1:\(Self.controlPort)"], log: nodeFolder(node).appendingPathComponent("forwarder.log").path))
        }
        let (dialler, far) = network.links[delayedLink]
        helpers.append(try spawn(in: dialler, [driver, "proxy", "--listen", "127.0.0.1:\(Self.proxyPort)",
                                               "--to", "\(network.end(delayedLink, at: far).address):\(Self.listenPort)",
                                               "--delay-ms", "\(delayMilliseconds)"], log: nodeFolder(dialler).appendingPathComponent("latency-proxy.log").path))
    }

    func start(_ node: String) throws {
        let process = try spawn(in: node, [councild, "--config",
                                           nodeFolder(node).appendingPathComponent("node.json").path, "--log-level", "info"], log: logPath(node))
        lock.withLock { daemons[node] = process }
    }

    /// SIGKILL: the station loses power mid-sentence.
    func kill(_ node: String) {
        guard let process = lock.withLock({ daemons.removeValue(forKey: node) }) else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func isRunning(_ node: String) -> Bool { lock.withLock { daemons[node]?.isRunning ?? false } }

    func stopAll() {
        let all = lock.withLock { Array(daemons.values) + helpers }
        for process in all where process.isRunning { process.terminate() }
        for process in all { process.waitUntilExit() }
        lock.withLock {
            daemons = [:]
            helpers = []
        }
    }

    func request(_ node: String, _ body: JSONValue) async throws -> JSONValue {
        let answer = try await OperatorClient.request(body, to: control(node))
        guard answer["ok"]?.boolValue == true else { throw Shell.Failure(description: "\(node): \(answer["error"]?.stringValue ?? "refused")") }
        return answer
    }

    func waitForOperator(_ node: String, seconds: Double = 20) async throws {
        if await CouncildProcess.waitUntilAnswering(control(node), seconds: seconds) { return }
        throw Shell.Failure(description: "\(node) did not answer on its operator channel within \(Int(seconds)) s; see \(logPath(node))")
    }

    /// The IDs among `ids` that `node` has neither accepted nor held (OPERATOR.md [OPS-15]).
    func missing(_ ids: [MessageID], at node: String) async throws -> [String] {
        var missing: [String] = []
        for start in stride(from: 0, to: ids.count, by: 50_000) {
            let chunk = ids[start..<min(start + 50_000, ids.count)]
            let answer = try await request(node, ["op": "missing", "ids": .array(chunk.map { .string($0.description) })])
            missing += (answer["missing"]?.arrayValue ?? []).compactMap(\.stringValue)
        }
        return missing
    }
}
