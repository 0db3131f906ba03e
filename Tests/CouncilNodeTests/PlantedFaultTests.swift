@testable import CouncilNode
import CouncilConformance
import CouncilProtocol
import CouncilWire
import Foundation
import Logging
import ServiceLifecycle
import PlantedFaults
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
        var relaysRejected = false
        var acknowledgesEarly = false
        let cases: [String]
        var testDescription: String { name }
    }

    static let faults: [Fault] = [
        Fault(name: "accepting any signature", rules: PlantedFaults.AnySignature(), skipsFrameLimit: false, cases: ["SIG-3", "MSG-8"]),
        Fault(name: "ignoring recalls", rules: PlantedFaults.RecallsIgnored(), skipsFrameLimit: false, cases: ["RECALL-4", "VOTE-5"]),
        Fault(name: "counting a seat twice", rules: PlantedFaults.SeatCountedTwice(), skipsFrameLimit: false, cases: ["TALLY-2"]),
        Fault(name: "skipping the frame-size check", rules: SpecRules(), skipsFrameLimit: true, cases: ["FRAME-3/length-limit-plus-one", "FRAME-2"]),
        Fault(name: "relaying rejected messages", rules: SpecRules(), skipsFrameLimit: false, relaysRejected: true, cases: ["RELAY-2"]),
        Fault(name: "acknowledging before durable", rules: SpecRules(), skipsFrameLimit: false, acknowledgesEarly: true, cases: ["ACK-2"]),
    ]

    @Test("a planted fault makes at least one conformance case fail", arguments: faults)
    func caught(fault: Fault) async throws {
        let results = try await run(rules: fault.rules, skipsFrameLimit: fault.skipsFrameLimit, relaysRejected: fault.relaysRejected,
                                    acknowledgesEarly: fault.acknowledgesEarly, cases: fault.cases)
        #expect(!results.isEmpty)
        #expect(results.contains { $0.verdict.name == "fail" }, "no case failed with the fault: \(fault.name)")
    }

    @Test("without a fault, the same cases pass in the same harness")
    func control() async throws {
        let results = try await run(rules: SpecRules(), skipsFrameLimit: false, relaysRejected: false, cases: Self.faults.flatMap(\.cases))
        #expect(results.count >= 10)
        #expect(results.allSatisfy { $0.verdict == .pass }, "\(results.filter { $0.verdict != .pass }.map(\.test.id))")
    }

    func run(rules: any GovernanceRules, skipsFrameLimit: Bool, relaysRejected: Bool, acknowledgesEarly: Bool = false,
             cases: [String]) async throws -> [ConformanceSuite.Result] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("council-planted-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (path, port) = try ContractNodeFolder.write(folder, council: "budapest")
        var configuration = try NodeConfiguration.load(path: path)
        if skipsFrameLimit { configuration.limits.maxFrameLength = Int(UInt32.max) }
        configuration.limits.relaysRejected = relaysRejected
        configuration.limits.acknowledgesBeforeDurable = acknowledgesEarly
        let node = InProcessNode(configuration: configuration, rules: rules)
        try await node.start()
        defer { node.crash() }
        let context = CaseContext(target: "127.0.0.1:\(port)", timeoutScale: 1)
        context.crashAndRestart = { try await node.crashAndRestart() }
        try await context.bootstrap()
        var selection = ConformanceSuite.Selection()
        selection.only = cases
        return await ConformanceSuite.run(ConformanceSuite.cases.filter(selection.includes), context: context, repeat: 1) { _, _ in }
    }
}

/// The reference node in this process, with a planted fault; a crash cancels it without a
/// graceful shutdown, so whatever it had not committed is gone, as after SIGKILL.
final class InProcessNode: @unchecked Sendable {
    let configuration: NodeConfiguration
    let rules: any GovernanceRules
    var running: Task<Void, Error>?

    init(configuration: NodeConfiguration, rules: any GovernanceRules) {
        self.configuration = configuration
        self.rules = rules
    }

    func start() async throws {
        let logger = Logger(label: "planted", factory: { _ in SwiftLogNoOpLogHandler() })
        let daemon = CouncilDaemon(configuration: configuration, logger: logger, registry: nil, rules: rules)
        let group = ServiceGroup(configuration: .init(services: [.init(service: daemon)], logger: logger))
        running = Task { try await group.run() }
        let address = "\(configuration.listen)"
        try await DaemonFederation.eventually("the node answers") { (try? await TestPeer.connect(to: address))?.close() != nil }
    }

    func crash() {
        running?.cancel()
        running = nil
    }

    func crashAndRestart() async throws {
        crash()
        try await Task.sleep(for: .milliseconds(300))
        try await start()
    }
}
