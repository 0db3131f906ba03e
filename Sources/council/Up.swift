import ArgumentParser
import CouncilNode
import CouncilProtocol
import Foundation
import NIOConcurrencyHelpers

/// `council up`: the local federation of 1956, five daemons on loopback, watched live.
struct Up: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start a local federation and watch its links and messages.",
        discussion: """
            With nothing prepared, starts the five radio stations of 1956 — Miskolc, Győr, Pécs, \
            Szolnok and Budapest — as separate councild processes on loopback, linked as in \
            Examples/federations/radio-1956/, with example keys and a data folder under ./federation. \
            It shows which links are up and what flows over them; Ctrl-C stops every daemon cleanly. \
            Run it again in the same folder to resume from the stored state.
            """
    )

    @Option(help: "The federation's folder.")
    var federation = LocalFederation.defaultFolder

    @Option(help: "The definition to create the folder from, when it does not exist yet.")
    var definition = LocalFederation.defaultDefinition

    @Option(help: "Add this to every port of the definition, to run a second federation beside the first (new folders only).")
    var portOffset = 0

    @Flag(help: "Delete the folder's keys and data first and start over.")
    var fresh = false

    @Flag(help: "Start the daemons, wait for the links, and return (stop them with `council down`).")
    var detach = false

    @Option(help: "The councild executable (default: next to this one).")
    var councild: String?

    func run() async throws {
        let local = LocalFederation(folder: federation)
        let processes = NodeProcesses(federation: local, councild: councild ?? NodeProcesses.defaultDaemon())
        if fresh, local.exists {
            processes.stop(try local.definition().nodes.map(\.council))
            try FileManager.default.removeItem(at: local.url)
        }
        let resumed = local.exists
        let definition = resumed ? try local.definition() : try local.create(from: self.definition, portOffset: portOffset)
        let watch = FederationWatch(federation: local, definition: definition)
        print("\(definition.federation): \(definition.nodes.count) nodes, \(definition.links.count) links, in \(federation) (\(resumed ? "resumed" : "new"))")
        var follower = LogFollower(federation: local)
        follower.skipToEnd(definition.nodes.map(\.council))
        let started = Date()
        for node in definition.nodes where !processes.isRunning(node.council) { try processes.start(node.council) }
        for node in definition.nodes {
            let address = (try? NodeConfiguration.load(path: local.configPath(of: node.council)))
            let listen = address.map { "\($0.listen)" } ?? "?"
            let control = address.map { "\($0.control)" } ?? "?"
            print("  \(node.council.padding(toLength: 9, withPad: " ", startingAt: 0)) \(listen)  operator \(control)  \(node.display)")
        }
        let allUp = await watch.waitForLinks(timeout: 15)
        let snapshot = await watch.snapshot()
        if allUp {
            print(String(format: "all %d links up after %.1f s", definition.links.count, Date().timeIntervalSince(started)))
        } else {
            let down = watch.allLinks.subtracting(snapshot.linksUp).sorted()
            print("links still down after 15 s: \(down.joined(separator: ", ")); see \(federation)/nodes/*/councild.log")
        }
        if detach {
            print("detached; try `council status --node budapest`, `council replay --all --federation \(federation)`, and `council down` to stop")
            return
        }
        print("watching (Ctrl-C stops every daemon)")
        try await watchUntilInterrupted(watch: watch, follower: &follower, previous: snapshot)
        print("\nstopping \(definition.nodes.count) daemons")
        processes.stop(definition.nodes.map(\.council))
        print("stopped; `council up` resumes from the stored state, `council up --fresh` starts over")
    }

    func watchUntilInterrupted(watch: FederationWatch, follower: inout LogFollower, previous: FederationWatch.Snapshot) async throws {
        let interrupted = Interrupts.install()
        var previous = previous
        while !interrupted.value {
            try? await Task.sleep(for: .milliseconds(300))
            for node in watch.definition.nodes {
                for line in follower.newLines(of: node.council) { Self.report(line, at: node.council) }
            }
            let snapshot = await watch.snapshot()
            for link in snapshot.linksUp.subtracting(previous.linksUp).sorted() { print("link up    \(link)") }
            for link in previous.linksUp.subtracting(snapshot.linksUp).sorted() { print("link down  \(link)") }
            for node in snapshot.running.subtracting(previous.running).sorted() { print("node up    \(node)") }
            for node in previous.running.subtracting(snapshot.running).sorted() { print("node down  \(node)") }
            if snapshot.accepted != previous.accepted, Set(snapshot.digests.values).count == 1, let digest = snapshot.digests.values.first {
                print("agreed     \(snapshot.running.count) nodes hold \(snapshot.accepted.values.max() ?? 0) messages, digest \(digest.prefix(16))")
            }
            previous = snapshot
        }
    }

    /// One line per message a node accepted or rejected: who, from where, what.
    static func report(_ line: String, at council: String) {
        let pad = { (text: String) in text.padding(toLength: 9, withPad: " ", startingAt: 0) }
        if line.hasSuffix("] accepted"), let kind = LogFollower.field("kind", in: line), let id = LogFollower.field("id", in: line) {
            let source = LogFollower.field("from", in: line) ?? "?"
            print("\(pad(council)) ← \(pad(source == "local" ? "operator" : source)) \(kind.padding(toLength: 9, withPad: " ", startingAt: 0)) \(id)")
        } else if line.contains("] rejected"), let code = LogFollower.field("code", in: line) {
            print("\(pad(council)) ✗ \(pad(LogFollower.field("peer", in: line) ?? "operator")) \(code)")
        }
    }
}

/// `council down`: stops a local federation's daemons.
struct Down: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Stop the daemons of a local federation.")

    @Option(help: "The federation's folder.")
    var federation = LocalFederation.defaultFolder

    func run() throws {
        let local = LocalFederation(folder: federation)
        guard local.exists else { throw CLIError("no federation in the folder \"\(federation)\" (start one with `council up`)") }
        let processes = NodeProcesses(federation: local, councild: NodeProcesses.defaultDaemon())
        let stopped = processes.stop(try local.definition().nodes.map(\.council))
        print("stopped \(stopped) daemon(s)")
    }
}

/// SIGINT and SIGTERM as a flag, so long-running commands can stop cleanly.
enum Interrupts {
    final class Flag: Sendable {
        private let state = NIOLockedValueBox(false)
        var value: Bool { state.withLockedValue { $0 } }
        func set() { state.withLockedValue { $0 = true } }
    }

    nonisolated(unsafe) static var sources: [DispatchSourceSignal] = []

    static func install() -> Flag {
        let flag = Flag()
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { flag.set() }
            source.resume()
            sources.append(source)
        }
        return flag
    }
}
