import ArgumentParser
import CouncilNode
import CouncilProtocol
import Foundation

/// `council replay`: plays exchange scripts against a live federation and checks every decision.
struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replay exchange scripts against a live federation.",
        discussion: """
            Each exchange (Spec/EXCHANGES.md) runs step by step: acts drafted at a node and signed \
            with the script's keys, forged messages, link cuts, crashes and restarts, and checks. \
            By default each exchange gets a fresh federation of its own (ports +1000 from the \
            definition's, data in a temporary folder); --federation plays against a running one \
            started by `council up --detach`. Prints a transcript; exits 0 if every expectation \
            held, 1 on any deviation, 2 if a file cannot be read.
            """
    )

    @Argument(help: "Exchange files.")
    var files: [String] = []

    @Flag(help: "Replay every exchange in Examples/exchanges/.")
    var all = false

    @Option(help: "Play against this running federation's folder instead of starting one.")
    var federation: String?

    @Option(help: "The federation definition for the federations replay starts.")
    var definition = LocalFederation.defaultDefinition

    @Option(help: "Write the transcript as JSON to this file.")
    var json: String?

    @Option(help: "Write a Mermaid sequence diagram (Markdown) of the exchanges to this file.")
    var diagram: String?

    @Flag(help: "Write each exchange's final digest into its file (after changing an exchange).")
    var record = false

    @Option(help: "Seconds to wait for propagation, reconnection and catch-up.")
    var timeout: Double = 10

    @Option(help: "The councild executable (default: next to this one).")
    var councild: String?

    func validate() throws {
        guard all || !files.isEmpty else { throw ValidationError("name exchange files, or use --all") }
    }

    func run() async throws {
        var paths = files
        if all {
            let folder = "Examples/exchanges"
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
                throw CLIError("no \(folder)/ here: run from the repository's root, or name the files")
            }
            paths += names.filter { $0.hasSuffix(".json") }.sorted().map { "\(folder)/\($0)" }
        }
        guard !paths.isEmpty else { throw CLIError("no exchange files in Examples/exchanges/") }
        let definitionPath = federation.map { LocalFederation(folder: $0).definitionPath } ?? definition
        let federationDefinition: FederationDefinition
        let exchanges: [Exchange]
        do {
            federationDefinition = try LocalFederation.loadDefinition(definitionPath)
            let nodes = Set(federationDefinition.nodes.map(\.council))
            exchanges = try paths.map { try Exchange.load($0, nodes: nodes) }
        } catch {
            print("error: \(error)")
            throw ExitCode(2)
        }
        var results: [JSONValue] = []
        var diagrams: [String] = []
        var failed = 0
        for exchange in exchanges {
            let (passed, result, diagram) = try await play(exchange, definitionPath: definitionPath, definition: federationDefinition)
            if !passed { failed += 1 }
            results.append(result)
            diagrams.append(diagram)
        }
        if let json {
            let document: JSONValue = ["version": 1, "exchanges": .array(results), "summary": ["passed": .uint(exchanges.count - failed), "failed": .uint(failed)]]
            try (document.rendered() + "\n").write(toFile: json, atomically: true, encoding: .utf8)
        }
        if let diagram { try diagrams.joined(separator: "\n").write(toFile: diagram, atomically: true, encoding: .utf8) }
        print("\n\(exchanges.count - failed) passed, \(failed) failed")
        if failed > 0 { throw ExitCode(1) }
    }

    func play(_ exchange: Exchange, definitionPath: String, definition: FederationDefinition) async throws -> (Bool, JSONValue, String) {
        print("\n== \(exchange.file): \(exchange.title)")
        if !exchange.date.isEmpty { print("   \(exchange.date) · \(exchange.steps.count) steps") }
        let owned = federation == nil
        let folder = federation ?? FileManager.default.temporaryDirectory.appendingPathComponent("council-replay-\(ProcessInfo.processInfo.processIdentifier)").path
        let local = LocalFederation(folder: folder)
        let processes = NodeProcesses(federation: local, councild: councild ?? NodeProcesses.defaultDaemon())
        if owned {
            try? FileManager.default.removeItem(atPath: folder)
            _ = try local.create(from: definitionPath, portOffset: 1_000)
            for node in definition.nodes { try processes.start(node.council) }
        }
        defer {
            if owned {
                processes.stop(definition.nodes.map(\.council), grace: 3)
                try? FileManager.default.removeItem(atPath: folder)
            }
        }
        let watch = FederationWatch(federation: local, definition: definition)
        guard await watch.waitForLinks(timeout: timeout) else { throw CLIError("the federation's links did not come up within \(Int(timeout)) s") }
        let before = await watch.snapshot()
        let fresh = before.accepted.values.allSatisfy { $0 == 0 }
        var session = ReplaySession(exchange: exchange, federation: local, definition: definition, processes: processes, timeout: timeout)
        await session.play()
        _ = await session.waitForAgreement()
        let after = await watch.snapshot()
        let digests = Set(session.running.compactMap { after.digests[$0] })
        var digest = digests.first ?? ""
        if digests.count != 1 {
            session.failures.append("\(exchange.file): the nodes end with different digests: \(after.digests.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.prefix(12))" }.joined(separator: " "))")
            digest = ""
        } else if record {
            try Self.recordDigest(digest, in: exchange.file)
            print("   recorded digest \(digest.prefix(16)) in \(exchange.file)")
        } else if !fresh {
            print("   the federation was not empty at the start: the final digest is not compared with the script's")
        } else if exchange.digest.isEmpty {
            session.failures.append("\(exchange.file): the script states no digest; run `council replay --record \(exchange.file)`")
        } else if digest != exchange.digest {
            session.failures.append("\(exchange.file): final digest \(digest.prefix(16))…, the script expects \(exchange.digest.prefix(16))…")
        }
        let passed = session.failures.isEmpty
        print(passed ? "   ✓ every node agrees: digest \(digest.prefix(16))… at \(session.running.count) nodes" : "   ✗ \(session.failures.count) deviation(s):")
        for failure in session.failures where !passed { print("     \(failure)") }
        let result: JSONValue = [
            "file": .string(exchange.file), "title": .string(exchange.title), "passed": .bool(passed), "digest": .string(digest),
            "expected_digest": .string(exchange.digest), "failures": .array(session.failures.map { .string($0) }), "steps": .array(session.transcript),
        ]
        let participants = definition.nodes.map { "    participant \($0.council)" }.joined(separator: "\n")
        let diagram = "## \(exchange.title)\n\n```mermaid\nsequenceDiagram\n\(participants)\n\(session.diagram.joined(separator: "\n"))\n```\n"
        return (passed, result, diagram)
    }

    static func recordDigest(_ digest: String, in file: String) throws {
        var text = try String(contentsOfFile: file, encoding: .utf8)
        guard let range = text.range(of: #""digest": "[0-9a-f]*""#, options: .regularExpression) else {
            throw CLIError("\(file) has no \"digest\" member to record into")
        }
        text.replaceSubrange(range, with: "\"digest\": \"\(digest)\"")
        try text.write(toFile: file, atomically: true, encoding: .utf8)
    }
}
