@testable import CouncilNode
import CouncilConformance
import CouncilProtocol
import CouncilWire
import Foundation
import Logging
import PlantedFaults
import ServiceLifecycle
import Testing

/// The conformance suite can fail: the reference node, run here in-process with one planted
/// fault, fails at least one case. The faults exist only in this file; the shipped daemon has no
/// option that selects them.
@Suite("The conformance suite catches planted faults", .serialized)
struct PlantedFaultTests {
    struct Fault: Sendable, CustomTestStringConvertible {
        let name: String
        let rules: any GovernanceRules
        let skipsFrameLimit: Bool
        let cases: [String]
        var testDescription: String { name }
    }

    static let faults: [Fault] = [
        Fault(name: "accepting any signature", rules: PlantedFaults.AnySignature(), skipsFrameLimit: false, cases: ["SIG-3", "MSG-8"]),
        Fault(name: "ignoring recalls", rules: PlantedFaults.RecallsIgnored(), skipsFrameLimit: false, cases: ["RECALL-4", "VOTE-5"]),
        Fault(name: "counting a seat twice", rules: PlantedFaults.SeatCountedTwice(), skipsFrameLimit: false, cases: ["TALLY-2"]),
        Fault(name: "skipping the frame-size check", rules: SpecRules(), skipsFrameLimit: true, cases: ["FRAME-3/length-limit-plus-one", "FRAME-2"]),
    ]

    @Test("a planted fault makes at least one conformance case fail", arguments: faults)
    func caught(fault: Fault) async throws {
        let results = try await run(rules: fault.rules, skipsFrameLimit: fault.skipsFrameLimit, cases: fault.cases)
        #expect(!results.isEmpty)
        #expect(results.contains { $0.verdict.name == "fail" }, "no case failed with the fault: \(fault.name)")
    }

    @Test("without a fault, the same cases pass in the same harness")
    func control() async throws {
        let results = try await run(rules: SpecRules(), skipsFrameLimit: false, cases: Self.faults.flatMap(\.cases))
        #expect(results.count >= 10)
        #expect(results.allSatisfy { $0.verdict == .pass }, "\(results.filter { $0.verdict != .pass }.map(\.test.id))")
    }

    func run(rules: any GovernanceRules, skipsFrameLimit: Bool, cases: [String]) async throws -> [ConformanceSuite.Result] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("council-planted-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try RosterDocument.render(ConformanceContract.roster).write(to: folder.appendingPathComponent("roster.json"), atomically: true, encoding: .utf8)
        try KeyFile.write(ConformanceContract.councilKey("budapest"), label: "budapest", to: folder.appendingPathComponent("budapest.key").path)
        let port = Int.random(in: 50_000...60_000)
        let text = """
            {"council": "budapest", "key": "budapest.key", "roster": "roster.json", "data": "data",
             "listen": "127.0.0.1:\(port)", "control": "127.0.0.1:\(port + 1)"}
            """
        var configuration = try NodeConfiguration.parse(text, file: folder.appendingPathComponent("node.json").path)
        if skipsFrameLimit { configuration.limits.maxFrameLength = Int(UInt32.max) }
        let logger = Logger(label: "planted", factory: { _ in SwiftLogNoOpLogHandler() })
        let daemon = CouncilDaemon(configuration: configuration, logger: logger, registry: nil, rules: rules)
        let group = ServiceGroup(configuration: .init(services: [.init(service: daemon)], logger: logger))
        let running = Task { try await group.run() }
        defer { running.cancel() }
        let context = CaseContext(target: "127.0.0.1:\(port)", timeoutScale: 1)
        try await DaemonFederation.eventually("the node answers") { (try? await TestPeer.connect(to: "127.0.0.1:\(port)"))?.close() != nil }
        try await context.bootstrap()
        var selection = ConformanceSuite.Selection()
        selection.only = cases
        let results = await ConformanceSuite.run(ConformanceSuite.cases.filter(selection.includes), context: context, repeat: 1) { _, _ in }
        await group.triggerGracefulShutdown()
        return results
    }
}
