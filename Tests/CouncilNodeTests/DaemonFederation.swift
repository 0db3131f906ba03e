import CouncilConformance
import CouncilNode
import CouncilProtocol
import CouncilWire
import Foundation
import Synchronization

/// Real `councild` processes on loopback, with the Spec's test federation (Appendix A), for tests
/// that need what a user would run.
final class DaemonFederation: @unchecked Sendable {
    let folder: URL
    let roster = TestFederation.roster
    let nodes: [String]
    let ports: [String: Int]
    var processes: [String: Process] = [:]

    /// The next free port. Federations of one test run take consecutive ranges, so tests running in
    /// parallel never share a port; the start is random so that runs side by side rarely do. All of
    /// it is below Linux's ephemeral range (32768–60999), so no outgoing connection holds a port.
    private static let ports = Mutex(Int.random(in: 20_000...25_000))

    /// The first of `count` consecutive ports no other test of this run uses.
    static func takePorts(_ count: Int) -> Int {
        ports.withLock { next in
            defer { next += count }
            return next
        }
    }

    /// The built daemon: next to the test bundle, or in the default build folder.
    static var councild: String {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let sibling = bundle.appendingPathComponent("councild").path
        if FileManager.default.isExecutableFile(atPath: sibling) { return sibling }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/councild").path
    }

    /// `links`: (a, b) means a dials b.
    init(nodes: [String], links: [(String, String)]) throws {
        self.nodes = nodes
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("council-test-\(UUID().uuidString.prefix(8))")
        let base = Self.takePorts(nodes.count * 3)
        ports = Dictionary(uniqueKeysWithValues: nodes.enumerated().map { ($1, base + $0 * 3) })
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try RosterDocument.render(roster).write(to: folder.appendingPathComponent("roster.json"), atomically: true, encoding: .utf8)
        for node in nodes {
            try KeyFile.write(TestFederation.councilKey(node), label: node, to: folder.appendingPathComponent("\(node).key").path)
            let peers: [JSONValue] = links.filter { $0.0 == node }.map { ["council": .string($0.1), "address": .string("127.0.0.1:\(ports[$0.1]!)")] }
            let config: JSONValue = [
                "council": .string(node), "key": .string("\(node).key"), "roster": "roster.json", "data": .string("data-\(node)"),
                "listen": .string("127.0.0.1:\(ports[node]!)"), "control": .string("127.0.0.1:\(ports[node]! + 1)"), "peers": .array(peers),
                "limits": ["heartbeat_interval_ms": 500, "dead_link_after_ms": 2_000],
            ]
            try config.rendered().write(to: folder.appendingPathComponent("\(node).json"), atomically: true, encoding: .utf8)
        }
    }

    deinit {
        for process in processes.values where process.isRunning { process.terminate() }
        try? FileManager.default.removeItem(at: folder)
    }

    func configPath(_ node: String) -> String { folder.appendingPathComponent("\(node).json").path }
    func linkAddress(_ node: String) -> String { "127.0.0.1:\(ports[node]!)" }
    func control(_ node: String) -> NetworkAddress { NetworkAddress(host: "127.0.0.1", port: ports[node]! + 1) }

    func start(_ node: String) throws {
        processes[node] = try CouncildProcess.spawn(executable: Self.councild, config: configPath(node),
                                                    log: folder.appendingPathComponent("\(node).log").path, level: "notice")
    }

    func startAll() async throws {
        for node in nodes { try start(node) }
        for node in nodes { try await waitForOperator(node) }
    }

    /// SIGKILL: a crash.
    func kill(_ node: String) {
        guard let process = processes[node] else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func stopAll() {
        for process in processes.values where process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    func request(_ node: String, _ body: JSONValue) async throws -> JSONValue {
        try await OperatorClient.request(body, to: control(node))
    }

    func waitForOperator(_ node: String) async throws {
        try await eventually("\(node)'s operator channel answers") { (try? await self.request(node, ["op": "status"])) != nil }
    }

    /// Polls until `condition` holds, or fails the test with `what` after `seconds`.
    /// Generous, since a wait that succeeds returns at once: CI also runs these tests under
    /// ThreadSanitizer, where daemons start and answer several times slower.
    func eventually(_ what: String, seconds: Double = 60, _ condition: () async throws -> Bool) async throws {
        try await Self.eventually(what, seconds: seconds, condition)
    }

    static func eventually(_ what: String, seconds: Double = 60, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestPeer.Failure("timed out waiting until \(what)")
    }

    func digest(_ node: String) async throws -> String { try await request(node, ["op": "status"])["digest"]?.stringValue ?? "" }

    func linksUp(_ node: String) async throws -> Int {
        (try await request(node, ["op": "status"])["peers"]?.arrayValue ?? []).filter { $0["state"]?.stringValue == "up" }.count
    }

    func knows(_ node: String, _ id: MessageID) async throws -> String {
        try await request(node, ["op": "has", "id": .string(id.description)])["state"]?.stringValue ?? ""
    }

    /// Drafts at a node for `key`, signs, submits; returns the message and the node's decision.
    func act(_ key: SigningKey, _ payload: JSONValue, at node: String) async throws -> (MessageID, String) {
        let (message, answer) = try await OperatorClient.signAndSubmit(payload, as: key, rosterHash: roster.hash, to: control(node))
        let decision = answer["decision"]?.stringValue == "rejected" ? (answer["code"]?.stringValue ?? "?") : (answer["decision"]?.stringValue ?? "?")
        return (message.id, decision)
    }

    func log(_ node: String) -> String { (try? String(contentsOf: folder.appendingPathComponent("\(node).log"), encoding: .utf8)) ?? "" }
}
