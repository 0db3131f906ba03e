import ArgumentParser
import CouncilConformance
import CouncilNode
import CouncilProtocol
import CouncilVectors
import Foundation

/// `council conformance`: the black-box conformance suite, over TCP.
struct Conformance: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check an implementation of the protocol against the conformance suite.",
        discussion: """
            The implementation under test runs council budapest of the Spec's test federation \
            (Spec/CONFORMANCE.md); the suite plays the other councils, their electors and \
            delegates, and can forge, replay and break frames. Case IDs begin with the \
            requirement they check (RECALL-2/only-issuer-recalls).

            Exit status: 0 every selected case passed (skips allowed), 1 a case failed, \
            2 inconclusive, 3 the harness could not run (no connection, cannot listen), \
            64 a usage error (bad options, an empty selection).
            """
    )

    @Option(help: "The implementation's peer address, host:port.")
    var target: String?

    @Flag(help: "Start the reference daemon under the contract and run the suite against it.")
    var selfTest = false

    @Option(help: "Also listen here (host:port) for the cases where the implementation dials the suite.")
    var listen: String?

    @Flag(help: "List the cases and exit.")
    var list = false

    @Option(help: "Run only these cases: IDs, prefixes or requirements (comma-separated, repeatable).")
    var only: [String] = []

    @Option(help: "Skip these cases (same forms as --only).")
    var exclude: [String] = []

    @Option(help: "Only cases of this level: must, should or may.")
    var level: String?

    @Option(help: "Run the selection this many times.")
    var `repeat` = 1

    @Option(help: "Multiply every deadline by this factor (slow implementations, loaded machines).")
    var timeoutScale: Double = 1

    @Option(help: "Write the report as JSON here.")
    var json: String?

    @Option(help: "Write a JUnit XML report here.")
    var junit: String?

    @Option(help: "The councild executable for --self-test (default: next to this one).")
    var councild: String?

    var selection: ConformanceSuite.Selection {
        var selection = ConformanceSuite.Selection()
        selection.only = only.flatMap { $0.split(separator: ",").map(String.init) }
        selection.exclude = exclude.flatMap { $0.split(separator: ",").map(String.init) }
        selection.level = parsedLevel
        return selection
    }

    var parsedLevel: Requirement.Level? { level.flatMap { Requirement.Level(rawValue: $0.uppercased()) } }

    /// Usage errors are found before anything starts, and shown with this command's usage.
    func validate() throws {
        if level != nil, parsedLevel == nil { throw ValidationError("--level is must, should or may") }
        for (option, value) in [("--target", target), ("--listen", listen)] {
            if let value, NetworkAddress(value) == nil { throw ValidationError("\(option) \(value) is not host:port") }
        }
        guard !list else { return }
        guard target != nil || selfTest else { throw ValidationError("say --target HOST:PORT, or --self-test") }
        guard ConformanceSuite.cases.contains(where: selection.includes) else { throw ValidationError("no case matches the selection") }
    }

    func run() async throws {
        let selected = ConformanceSuite.cases.filter(selection.includes)
        if list {
            for test in ConformanceSuite.cases { print("\(test.level.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0)) \(test.id)  — \(test.summary)") }
            print("\(ConformanceSuite.cases.count) cases")
            return
        }
        var reference: ReferenceDaemon?
        var listenAddress = listen
        if selfTest {
            if listenAddress == nil { listenAddress = "127.0.0.1:\(Int.random(in: 30_910...30_990))" }
            do {
                reference = try await ReferenceDaemon.start(listen: listenAddress!, councild: councild ?? NodeProcesses.defaultDaemon())
            } catch {
                print("error: cannot start the reference daemon: \(error.fileReason)")
                throw ExitCode(3)
            }
        }
        defer { reference?.stop() }
        guard let address = reference?.address ?? target else { preconditionFailure("validate() requires --target or --self-test") }
        print("council conformance \(ConformanceSuite.version) · \(ConformanceSuite.specVersion)")
        print("target \(address) · \(selected.count) case(s)\(self.repeat > 1 ? " × \(self.repeat)" : "")")
        let context = CaseContext(target: address, timeoutScale: timeoutScale)
        if let reference { context.crashAndRestart = { try await reference.crashAndRestart() } }
        if let listenAddress {
            do {
                let listener = try await DialListener(at: listenAddress)
                context.dialled = { try await listener.next(within: $0) }
            } catch {
                print("error: cannot listen on \(listenAddress): \(error.networkReason)")
                throw ExitCode(3)
            }
        }
        do {
            try await context.bootstrap()
        } catch {
            print("error: cannot reach or catch up with the implementation at \(address): \(error.networkReason)")
            throw ExitCode(3)
        }
        let results = await ConformanceSuite.run(selected, context: context, repeat: self.repeat) { index, result in
            Self.report(index, result)
        }
        if let json { try (ConformanceSuite.json(results, target: address).rendered() + "\n").write(toFile: json, atomically: true, encoding: .utf8) }
        if let junit { try ConformanceSuite.junit(results).write(toFile: junit, atomically: true, encoding: .utf8) }
        let summary = ConformanceSuite.summary(results)
        let count = { (name: String) in summary[name]?.intValue ?? 0 }
        print("\n\(count("total")) cases: \(count("pass")) passed, \(count("fail")) failed, \(count("skip")) skipped, "
            + "\(count("unsupported")) unsupported, \(count("inconclusive")) inconclusive")
        if let must = summary["by_level"]?["MUST"] {
            print("MUST: \(must["pass"]?.intValue ?? 0) passed, \(must["fail"]?.intValue ?? 0) failed")
        }
        let status = ConformanceSuite.exitStatus(results)
        if status != 0 { throw ExitCode(status) }
    }

    static func report(_ index: Int, _ result: ConformanceSuite.Result) {
        let label = result.verdict.name.uppercased().padding(toLength: 12, withPad: " ", startingAt: 0)
        print("\(label) \(result.test.id) [\(result.test.level.rawValue)] \(result.milliseconds) ms")
        switch result.verdict {
        case .fail(let expected, let actual):
            print("    expected: \(expected)\n    actual:   \(actual)")
            if let sentence = result.test.requirement?.text { print("    requirement: \(sentence.prefix(300))") }
            for line in result.trace.suffix(12) { print("    \(line)") }
        case .skip(let reason), .unsupported(let reason), .inconclusive(let reason):
            print("    \(reason)")
        case .pass:
            break
        }
    }
}

/// The reference daemon under the contract, for `--self-test`: council budapest of the test
/// federation, empty, on a random port; the suite may crash and restart it (ACK-2).
final class ReferenceDaemon: @unchecked Sendable {
    let folder: URL
    let port: Int
    let councild: String
    var process: Process

    var address: String { "127.0.0.1:\(port)" }
    var config: String { folder.appendingPathComponent("node.json").path }

    static func start(listen: String, councild: String) async throws -> ReferenceDaemon {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("council-conformance-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try RosterDocument.render(ConformanceContract.roster).write(to: folder.appendingPathComponent("roster.json"), atomically: true, encoding: .utf8)
        try KeyFile.write(ConformanceContract.councilKey(ConformanceContract.council), label: "budapest", to: folder.appendingPathComponent("budapest.key").path)
        // Below the ephemeral range (32768–60999), so no outgoing connection holds the port.
        let port = Int.random(in: 29_000...30_900)
        let config: JSONValue = [
            "council": "budapest", "key": "budapest.key", "roster": "roster.json", "data": "data", "listen": .string("127.0.0.1:\(port)"),
            "control": .string("127.0.0.1:\(port + 1)"), "peers": [["council": "szolnok", "address": .string(listen)]],
        ]
        try config.rendered().write(to: folder.appendingPathComponent("node.json"), atomically: true, encoding: .utf8)
        let daemon = ReferenceDaemon(folder: folder, port: port, councild: councild)
        try await daemon.launch()
        print("self-test: the reference daemon runs council budapest on \(daemon.address) (log \(folder.appendingPathComponent("councild.log").path))")
        return daemon
    }

    init(folder: URL, port: Int, councild: String) {
        self.folder = folder
        self.port = port
        self.councild = councild
        process = Process()
    }

    func launch() async throws {
        process = try CouncildProcess.spawn(executable: councild, config: config, log: folder.appendingPathComponent("councild.log").path, level: "warning")
        if await CouncildProcess.waitUntilAnswering(NetworkAddress(host: "127.0.0.1", port: port + 1)) { return }
        throw CLIError("the reference daemon did not start; see \(folder.path)/councild.log")
    }

    /// SIGKILL, then a start on the same data folder.
    func crashAndRestart() async throws {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try await launch()
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: folder)
    }
}
