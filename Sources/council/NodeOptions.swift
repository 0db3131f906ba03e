import ArgumentParser
import CouncilNode
import CouncilProtocol
import CouncilWire
import Foundation

/// Which running node a command talks to: `--node NAME` of a local federation folder, or
/// `--control ADDRESS` of any node on this machine.
struct NodeOptions: ParsableArguments {
    @Option(help: "A node of the local federation (its council name), as `council up` started it; default: $COUNCIL_NODE.")
    var node: String?

    @Option(help: "The node's operator address, host:port (loopback).")
    var control: String?

    @Option(help: "The local federation's folder (for --node).")
    var federation = LocalFederation.defaultFolder

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    /// Which node is meant is checked while the options are parsed, so that a usage error shows
    /// the subcommand's own usage (exit 64).
    func validate() throws { _ = try address() }

    func address() throws -> NetworkAddress {
        if let control {
            guard let address = NetworkAddress(control) else { throw ValidationError("--control \(control) is not host:port") }
            return address
        }
        let name = node ?? ProcessInfo.processInfo.environment["COUNCIL_NODE"]
        guard let name else {
            throw ValidationError("say which node: --node NAME (a council of the federation in \(federation)), COUNCIL_NODE=NAME or --control HOST:PORT")
        }
        let path = LocalFederation(folder: federation).configPath(of: name)
        guard FileManager.default.fileExists(atPath: path) else {
            throw ValidationError("no node \(name) in \(federation) (looked for \(path)); start one with `council up`")
        }
        do {
            return try NodeConfiguration.load(path: path).control
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// Sends one request and returns the answer, or fails with the node's error message.
    func request(_ request: JSONValue) async throws -> JSONValue {
        let answer = try await OperatorClient.request(request, to: address())
        guard answer["ok"]?.boolValue == true else {
            throw CLIError(answer["error"]?.stringValue ?? "the node refused the request")
        }
        return answer
    }
}

/// A failure to show the user as one line, exit status 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Durations written as 90s, 15m, 2h or 30d.
struct TimeSpan: ExpressibleByArgument {
    let milliseconds: UInt64
    /// As the user wrote it, so that `--help` shows a default as `30d`.
    let defaultValueDescription: String

    init?(argument: String) {
        let units: [Character: UInt64] = ["s": 1_000, "m": 60_000, "h": 3_600_000, "d": 86_400_000]
        guard let unit = argument.last, let scale = units[unit], let count = UInt64(argument.dropLast()) else { return nil }
        milliseconds = count * scale
        defaultValueDescription = argument
    }
}

/// Prints rows as an aligned table.
enum Table {
    static func render(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.indices.map { $0 == row.count - 1 ? row[$0] : row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
