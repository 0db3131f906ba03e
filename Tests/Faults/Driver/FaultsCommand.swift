import ArgumentParser
import CouncilNode
import CouncilProtocol
import Foundation
import NIOCore

/// `council-faults`: the namespaced fault runs of Tests/Faults/run (RELIABILITY.md).
@main
struct FaultsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "council-faults",
        abstract: "Run the radio federation's daemons in network namespaces and inject faults.",
        subcommands: [RunFaults.self, Proxy.self],
        defaultSubcommand: RunFaults.self
    )
}

struct RunFaults: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Partitions, heals, swizzles, packet loss, a capped and a slow link, and SIGKILLs, under load.",
        discussion: """
            Needs root and iproute2 and iptables: it creates the namespaces cf-<node>, veth pairs \
            on 10.56.0.0/16 and management links on 10.57.0.0/16, and removes them when it ends. \
            Where namespaces are not permitted it says so and exits 0 without running.

            Exit status: 0 every check passed (or the run was skipped), 1 a check failed, 2 the run \
            could not be set up.
            """
    )

    @Flag(help: "The CI form: 12 partition/heal cycles and 6 kills.")
    var quick = false

    @Option(help: "Partition/heal cycles (default 100; 12 with --quick).")
    var cycles: Int?

    @Option(help: "SIGKILLs (default 50; 6 with --quick).")
    var kills: Int?

    @Option(help: "Percent of packets dropped at random on every link, all run long.")
    var loss: Double = 2

    @Option(help: "Milliseconds of added latency, each way, on the Győr–Budapest link (userspace proxy).")
    var delay: Int = 40

    @Option(help: "Bandwidth cap of the Pécs–Szolnok link (tc tbf rate).")
    var bandwidth: String = "256kbit"

    @Option(help: "Seconds within which every node must agree after each heal or restart.")
    var convergeWithin: Double = 30

    @Option(help: "Acts per second of background load.")
    var rate: Int = 40

    @Option(help: "Seconds of steady load after the last fault.")
    var settle: Double = 5

    @Option(help: "The run's folder (configs, data, logs); default a new folder under /tmp.")
    var work: String?

    @Option(help: "Write the run's figures as JSON to this file.")
    var report: String?

    @Option(help: "The councild to run (default: the one next to council-faults).")
    var councild: String?

    func run() async throws {
        if let reason = TestNetwork.unavailableReason() {
            say("SKIPPED: \(reason). The namespaced fault run needs its own test hosts; nothing was run.")
            return
        }
        let definitionFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../Examples/federations/radio-1956/federation.json").standardized.path
        let definition = try FederationDefinition.parse(try String(contentsOfFile: definitionFile, encoding: .utf8), file: definitionFile)
        let network = TestNetwork(nodes: definition.nodes.map(\.council), links: definition.links)
        let folder = URL(fileURLWithPath: work ?? NSTemporaryDirectory() + "council-faults-\(Int(Date().timeIntervalSince1970))")
        try? FileManager.default.removeItem(at: folder)
        let binaries = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        guard let delayedLink = network.linkIndex("gyor", "budapest"), let cappedLink = network.linkIndex("pecs", "szolnok") else {
            throw ValidationError("the radio federation lacks the Győr–Budapest or Pécs–Szolnok link")
        }
        let daemon = councild.map { URL(fileURLWithPath: $0).standardized.path } ?? binaries.appendingPathComponent("councild").path
        let federation = FaultFederation(definition: definition, network: network, folder: folder, binaries: binaries, councild: daemon,
                                         delayedLink: delayedLink, delayMilliseconds: delay)
        let settings = FaultRun.Settings(cycles: cycles ?? (quick ? 12 : 100), kills: kills ?? (quick ? 6 : 50), seconds: settle,
                                         lossPercent: loss, convergeWithin: convergeWithin, actsPerSecond: rate)
        say("==> namespaces cf-* for \(network.nodes.joined(separator: ", ")); \(network.links.count) links; files in \(folder.path)")
        say("    every link drops \(loss)% of packets; Győr–Budapest +\(delay) ms each way (proxy); Pécs–Szolnok capped at \(bandwidth)")
        say("    \(settings.cycles) partition/heal cycles and \(settings.kills) SIGKILLs under \(rate) acts/s; agreement required within \(Int(convergeWithin)) s")
        var result: JSONValue
        var failed: Bool
        do {
            try network.setUp()
            if loss > 0 { try network.dropAtRandom(probability: loss / 100) }
            try network.capBandwidth(cappedLink, rate: bandwidth)
            try federation.writeFiles()
            try federation.startHelpers()
            var run = FaultRun(settings: settings, federation: federation)
            result = try await run.run()
            failed = !run.failures.isEmpty
        } catch {
            federation.stopAll()
            network.tearDown()
            say("FAILED to run: \(error)")
            throw ExitCode(2)
        }
        federation.stopAll()
        network.tearDown()
        say("\n==> results")
        say(result.rendered())
        if let report { try (result.rendered() + "\n").write(toFile: report, atomically: true, encoding: .utf8) }
        if failed {
            say("FAIL: see the lines marked ✗ above; logs are in \(folder.path)")
            throw ExitCode(1)
        }
        say("PASS: \(result["acknowledged"]?.intValue ?? 0) acknowledged messages, 0 lost, every node's digest equal")
        try? FileManager.default.removeItem(at: folder)
    }
}

/// `council-faults proxy`: the forwarder (and latency proxy) the run starts inside a namespace.
struct Proxy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Forward TCP from one address to another, optionally delayed.")

    @Option(help: "host:port to listen on.")
    var listen: String

    @Option(help: "host:port to forward to.")
    var to: String

    @Option(help: "Milliseconds to hold each chunk, each way.")
    var delayMs: Int = 0

    func run() async throws {
        guard let from = NetworkAddress(listen), let target = NetworkAddress(to) else { throw ValidationError("addresses are host:port") }
        try await DelayProxy(listen: (from.host, from.port), target: (target.host, target.port), delay: .milliseconds(Int64(delayMs))).run()
    }
}
