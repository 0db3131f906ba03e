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
            throw .configuration("\(configuration.rosterFile): cannot read the roster: \(error.localizedDescription)")
        }
        let key: SigningKey
        do {
            key = try KeyFile.load(path: configuration.keyFile)
        } catch {
            throw .configuration(error.description)
        }
        let node: Node
        do {
            let store = try MessageStore(folder: configuration.dataDirectory, council: configuration.council, rosterHash: roster.hash)
            node = try Node(council: configuration.council, key: key, roster: roster, store: store, limits: configuration.limits,
                            peers: configuration.peers, logger: logger, rules: rules)
        } catch {
            throw .runtime("cannot open the data folder \(configuration.dataDirectory): \(error)")
        }
        return node
    }

    public func run() async throws {
        let node = try prepare()
        let current = await node.currentKeys()[configuration.council]
        guard current == node.key.publicKey else {
            throw DaemonFailure.configuration("\(configuration.keyFile): public key \(node.key.publicKey.short) is not \(configuration.council)'s current key (\(current?.short ?? "none"))")
        }
        let runner = LinkRunner(node: node, limits: configuration.limits, logger: logger)
        let maxFrameLength = configuration.limits.maxFrameLength
        let links = try await bind(configuration.listen, "peer links") { channel in LinkRunner.configure(channel, maxFrameLength: maxFrameLength) }
        let control = try await bind(configuration.control, "operator channel") { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineDecoder()))
                return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
            }
        }
        var metrics: NIOAsyncChannel<MetricsServer.Channel, Never>?
        if let address = configuration.metrics, registry != nil {
            metrics = try await bind(address, "metrics") { channel in
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

    func serve(node: Node, runner: LinkRunner, links: NIOAsyncChannel<LinkRunner.Channel, Never>,
               control: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>,
               metrics: NIOAsyncChannel<MetricsServer.Channel, Never>?) async throws {
        let operatorServer = OperatorServer(node: node, logger: logger)
        let metricsServer = registry.map(MetricsServer.init)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await node.runCommitter() }
            group.addTask {
                while !Task.isCancelled {
                    try await Task.sleep(for: .seconds(1))
                    await node.tick()
                }
            }
            group.addTask {
                try await links.executeThenClose { inbound in
                    try await withThrowingDiscardingTaskGroup { connections in
                        for try await channel in inbound { connections.addTask { await runner.run(channel, initiator: false) } }
                    }
                }
            }
            group.addTask {
                try await control.executeThenClose { inbound in
                    try await withThrowingDiscardingTaskGroup { connections in
                        for try await channel in inbound { connections.addTask { await operatorServer.serve(channel) } }
                    }
                }
            }
            if let metrics, let metricsServer {
                group.addTask {
                    try await metrics.executeThenClose { inbound in
                        try await withThrowingDiscardingTaskGroup { connections in
                            for try await channel in inbound { connections.addTask { await metricsServer.serve(channel) } }
                        }
                    }
                }
            }
            for peer in configuration.peers {
                group.addTask { await Dialer(peer: peer, node: node, runner: runner, logger: logger).run() }
            }
            try? await gracefulShutdown()
            logger.info("shutting down: closing links")
            await node.closeAllLinks()
            try? await Task.sleep(for: .milliseconds(100))
            links.channel.close(promise: nil)
            control.channel.close(promise: nil)
            metrics?.channel.close(promise: nil)
            group.cancelAll()
        }
    }

    func bind<Output: Sendable>(_ address: NetworkAddress, _ what: String,
                                _ configure: @escaping @Sendable (any Channel) -> EventLoopFuture<Output>) async throws -> NIOAsyncChannel<Output, Never> {
        do {
            return try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .bind(host: address.host, port: address.port, childChannelInitializer: configure)
        } catch {
            throw DaemonFailure.runtime("cannot listen for \(what) on \(address): \(error)")
        }
    }
}

extension Node {
    /// [LINK-7] An orderly close on every link.
    func closeAllLinks() {
        for link in links.values { link.close(ErrorNotice(code: .normalClose, detail: "\(council) is shutting down")) }
    }
}
