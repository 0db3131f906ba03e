import CouncilConformance
import CouncilNode
import CouncilProtocol
import CouncilWire
import Foundation

/// A release-built councild of the conformance federation, for the scenarios that need real nodes.
final class BenchNode {
    let folder: URL
    let council: String
    let port: Int
    var process: Process

    init(council: String, councild: String, roster: Roster = ConformanceContract.roster, port: Int? = nil, peers: [(String, Int)] = [],
         limits: JSONValue = [:]) throws {
        self.council = council
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("council-bench-\(council)-\(UUID().uuidString.prefix(6))")
        self.port = port ?? Int.random(in: 10_000...19_000)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try RosterDocument.render(roster).write(to: folder.appendingPathComponent("roster.json"), atomically: true, encoding: .utf8)
        try KeyFile.write(TestFederation.key(council), label: council, to: folder.appendingPathComponent("node.key").path)
        var limits = limits
        if case .object(var members) = limits, members["max_pending"] == nil {
            members["max_pending"] = 1_000_000
            limits = .object(members)
        }
        let config: JSONValue = [
            "council": .string(council), "key": "node.key", "roster": "roster.json", "data": "data",
            "listen": .string("127.0.0.1:\(self.port)"), "control": .string("127.0.0.1:\(self.port + 1)"),
            "peers": .array(peers.map { ["council": .string($0.0), "address": .string("127.0.0.1:\($0.1)")] }),
            "limits": limits,
        ]
        try config.rendered().write(to: folder.appendingPathComponent("node.json"), atomically: true, encoding: .utf8)
        process = try CouncildProcess.spawn(executable: councild, config: folder.appendingPathComponent("node.json").path,
                                            log: folder.appendingPathComponent("councild.log").path, level: "warning")
    }

    /// Starts a node and waits until its operator channel answers.
    static func start(council: String, councild: String, roster: Roster = ConformanceContract.roster, port: Int? = nil,
                      peers: [(String, Int)] = [], limits: JSONValue = [:]) async throws -> BenchNode {
        let node = try BenchNode(council: council, councild: councild, roster: roster, port: port, peers: peers, limits: limits)
        for _ in 0..<400 {
            if (try? await node.accepted()) != nil { return node }
            try await Task.sleep(for: .milliseconds(25))
        }
        node.stop()
        throw TestPeer.Failure("\(council) did not start")
    }

    var control: NetworkAddress { NetworkAddress(host: "127.0.0.1", port: port + 1) }

    func request(_ body: JSONValue) async throws -> JSONValue { try await OperatorClient.request(body, to: control) }

    func linksUp() async throws -> Int {
        (try await request(["op": "status"])["peers"]?.arrayValue ?? []).filter { $0["state"]?.stringValue == "up" }.count
    }

    var address: String { "127.0.0.1:\(port)" }

    func accepted() async throws -> Int {
        Int(try await request(["op": "status"])["accepted"]?.intValue ?? 0)
    }

    /// Resident memory in KiB, from /proc.
    func residentKiB() -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }

    /// Stops the daemon (SIGTERM) and starts it again on the same data folder.
    func restart(councild: String) async throws {
        process.terminate()
        process.waitUntilExit()
        process = try CouncildProcess.spawn(executable: councild, config: folder.appendingPathComponent("node.json").path,
                                            log: folder.appendingPathComponent("councild.log").path, level: "warning")
        for _ in 0..<24_000 {
            if (try? await accepted()) != nil { return }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw TestPeer.Failure("\(council) did not restart")
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: folder)
    }
}
