import ArgumentParser
import CouncilNode
import Foundation
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

/// `councild`: one council's node daemon.
@main
struct Councild: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "councild",
        abstract: "Run one council's node of the council protocol.",
        discussion: """
            Reads its config file (JSON: council, key, roster, data, listen, control, peers, \
            optional metrics and limits; see Spec/OPERATOR.md), restores its store, listens for \
            peer links, dials its peers, and serves the operator channel on loopback.

            Exit status:
              0  stopped by SIGTERM or SIGINT after closing its links
              1  a runtime failure: a port in use, an unusable data folder
              3  a bad config, roster or key file (the message names file, line and field),
                 or a key that is not the council's current key
             64  bad command-line usage
            """
    )

    @Option(name: .long, help: "The node's config file.")
    var config: String

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let configuration: NodeConfiguration
        do {
            configuration = try NodeConfiguration.load(path: config)
        } catch {
            FileHandle.standardError.write(Data("councild: \(error)\n".utf8))
            throw ExitCode(3)
        }
        var logger = Logger(label: "councild")
        logger[metadataKey: "node"] = "\(configuration.council)"
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let daemon = CouncilDaemon(configuration: configuration, logger: logger, registry: registry)
        let group = ServiceGroup(configuration: .init(services: [.init(service: daemon)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch let failure as DaemonFailure {
            FileHandle.standardError.write(Data("councild: \(failure.description)\n".utf8))
            throw ExitCode(failure.exitCode)
        } catch {
            FileHandle.standardError.write(Data("councild: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

