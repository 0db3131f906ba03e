import CouncilProtocol
import CouncilWire
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus
import ServiceLifecycle

/// A fault that stops the daemon before or while it starts, with the exit status `councild` uses.
public struct DaemonFailure: Error, CustomStringConvertible {
    public let description: String
    public let exitCode: Int32

    /// A bad config file, key file or roster (exit 3).
    public static func configuration(_ text: String) -> DaemonFailure { DaemonFailure(description: text, exitCode: 3) }
    /// The node could not start or keep running: a port in use, an unusable data folder (exit 1).
    public static func runtime(_ text: String) -> DaemonFailure { DaemonFailure(description: text, exitCode: 1) }
}

/// The node daemon as a `Service`: loads its files, restores its store, listens, dials its peers,
/// serves the operator channel and metrics, and on SIGTERM or SIGINT closes every link with
/// NORMAL_CLOSE ([LINK-7]) and stops.
public struct CouncilDaemon: Service {
    let configuration: NodeConfiguration
    let logger: Logger
    let registry: PrometheusCollectorRegistry?
    /// The Spec's rules; tests plant faulty ones to show the conformance suite catches them.
    let rules: any GovernanceRules

    public init(configuration: NodeConfiguration, logger: Logger, registry: PrometheusCollectorRegistry?) {
        self.init(configuration: configuration, logger: logger, registry: registry, rules: SpecRules())
    }

    init(configuration: NodeConfiguration, logger: Logger, registry: PrometheusCollectorRegistry?, rules: any GovernanceRules) {
        self.configuration = configuration
        self.logger = logger
        self.registry = registry
        self.rules = rules
    }

    /// Loads the roster and key and opens the store: everything that can fail before a socket is opened.
    public func prepare() throws(DaemonFailure) -> Node {
        let roster: Roster
        do {
            let text = try String(contentsOfFile: configuration.rosterFile, encoding: .utf8)
            roster = try RosterDocument.parse(text, file: configuration.rosterFile)
            try configuration.check(against: roster)
        } catch let failure as JSONParser.Failure {
            throw .configuration(failure.description)
        } catch {
            throw .configuration("\(configuration.rosterFile): cannot read the roster: \(error.fileReason)")
        }
        let key: SigningKey
        do {
            key = try KeyFile.load(path: configuration.keyFile)
        } catch {
            throw .configuration(error.description)
        }
        // Creating a data folder marks it with its council for good ([CONF-9]): a key that cannot act
        // for the council is refused first, so that a typo in the config leaves no folder behind.
        if !FileManager.default.fileExists(atPath: MessageStore.path(in: configuration.dataDirectory)) {
            try checkKey(key.publicKey, current: roster.council(named: configuration.council)?.key)
        }
        let node: Node
        do {
            let store = try MessageStore(folder: configuration.dataDirectory, council: configuration.council, rosterHash: roster.hash)
            node = try Node(council: configuration.council, key: key, roster: roster, store: store, limits: configuration.limits,
                            peers: configuration.peers, logger: logger, rules: rules)
        } catch {
            throw .runtime("cannot open the data folder \(configuration.dataDirectory): \(error.fileReason)")
        }
        return node
    }

    /// [HS-13] The key file must hold the council's current key: the roster's, or its last REPLACE's.
    func checkKey(_ key: PublicKey, current: PublicKey?) throws(DaemonFailure) {
        guard current == key else {
            throw .configuration("\(configuration.keyFile): public key \(key.short) is not \(configuration.council)'s current key (\(current?.short ?? "none"))")
        }
    }

    public func run() async throws {
        let node = try prepare()
        try checkKey(node.key.publicKey, current: await node.currentKeys()[configuration.council])
        let runner = LinkRunner(node: node, limits: configuration.limits, logger: logger)
        let maxFrameLength = configuration.limits.maxFrameLength
        let links = try await Listener.bind(configuration.listen, "peer links") { channel in LinkRunner.configure(channel, maxFrameLength: maxFrameLength) }
        let control = try await Listener.bind(configuration.control, "operator channel", LineDecoder.wrap)
        var metrics: Listener<MetricsServer.Channel>?
        if let address = configuration.metrics, registry != nil {
            metrics = try await Listener.bind(address, "metrics") { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try MetricsServer.Channel(wrappingChannelSynchronously: channel)
                }
            }
        }
        let ledgerSize = await node.ledger.acceptedCount
        logger.info("council node up", metadata: [
            "council": "\(configuration.council)", "listen": "\(configuration.listen)", "control": "\(configuration.control)",
            "messages": "\(ledgerSize)", "peers": "\(configuration.peers.map(\.council).joined(separator: ","))",
        ])
        do {
            try await serve(node: node, runner: runner, links: links, control: control, metrics: metrics)
        } catch is CancellationError {
            // The graceful shutdown cancels the servers' tasks; that is the normal way out.
        }
        logger.info("council node stopped", metadata: ["council": "\(configuration.council)"])
    }

    func serve(node: Node, runner: LinkRunner, links: Listener<LinkRunner.Channel>,
               control: Listener<LineDecoder.Channel>, metrics: Listener<MetricsServer.Channel>?) async throws {
        let operatorServer = OperatorServer(node: node, logger: logger)
        let metricsServer = registry.map(MetricsServer.init)
        try await withThrowingDiscardingTaskGroup { group in
            // The listeners are never cancelled: each ends when its channel closes at shutdown.
            group.addTask { try await links.accept { channel in await runner.run(channel, initiator: false) } }
            group.addTask { try await control.accept { channel in await operatorServer.serve(channel) } }
            if let metrics, let metricsServer {
                group.addTask { try await metrics.accept { channel in await metricsServer.serve(channel) } }
            }
            try await withThrowingDiscardingTaskGroup { workers in
                workers.addTask { await node.runCommitter() }
                workers.addTask {
                    while !Task.isCancelled {
                        try await Task.sleep(for: .seconds(1))
                        await node.tick()
                    }
                }
                for peer in configuration.peers {
                    workers.addTask { await Dialer(peer: peer, node: node, runner: runner, logger: logger).run() }
                }
                try? await gracefulShutdown()
                logger.info("shutting down: closing links")
                await node.closeAllLinks()
                try? await Task.sleep(for: .milliseconds(100))
                links.close()
                control.close()
                metrics?.close()
                workers.cancelAll()
            }
        }
    }
}

extension Node {
    /// [LINK-7][DAEMON-1] An orderly close on every link, after the answers already decided
    /// ([LINK-8]), and on any link set up after it.
    func closeAllLinks() {
        isShuttingDown = true
        for link in links.values { close(link, ErrorNotice(code: .normalClose, detail: "\(council) is shutting down")) }
    }
}

/// What service-lifecycle logs when it starts and stops the daemon: the council and its addresses,
/// not every field of the configuration and the logger.
extension CouncilDaemon: CustomStringConvertible {
    public var description: String { "councild \(configuration.council) (listen \(configuration.listen), control \(configuration.control))" }
}
