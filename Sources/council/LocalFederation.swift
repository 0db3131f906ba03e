import CouncilNode
import CouncilProtocol
import Foundation

/// The folder `council up` keeps a local federation in: the definition it came from, the roster,
/// the keys, one config and data folder per node, and the nodes' logs and process IDs.
struct LocalFederation {
    static let defaultFolder = "federation"
    static let defaultDefinition = "Examples/federations/radio-1956/federation.json"

    let folder: String

    var url: URL { URL(fileURLWithPath: folder) }
    var rosterPath: String { url.appendingPathComponent("roster.json").path }
    var definitionPath: String { url.appendingPathComponent("federation.json").path }
    func nodeFolder(of council: String) -> URL { url.appendingPathComponent("nodes").appendingPathComponent(council) }
    func configPath(of council: String) -> String { nodeFolder(of: council).appendingPathComponent("node.json").path }
    func logPath(of council: String) -> String { nodeFolder(of: council).appendingPathComponent("councild.log").path }
    func pidPath(of council: String) -> String { nodeFolder(of: council).appendingPathComponent("councild.pid").path }
    func keyPath(_ label: String) -> String { url.appendingPathComponent("keys").appendingPathComponent("\(label).key").path }

    var exists: Bool { FileManager.default.fileExists(atPath: definitionPath) }

    func definition() throws -> FederationDefinition {
        try Self.loadDefinition(definitionPath)
    }

    static func loadDefinition(_ path: String) throws -> FederationDefinition {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw CLIError("cannot read the federation definition \(path)")
        }
        do {
            return try FederationDefinition.parse(text, file: path)
        } catch {
            throw CLIError("\(error)")
        }
    }

    /// Writes the folder from a definition: roster, example keys, node configs. `portOffset` moves
    /// every port, so that a replay's own federation does not collide with `council up`'s.
    func create(from definitionFile: String, portOffset: Int = 0) throws -> FederationDefinition {
        let definition = try Self.loadDefinition(definitionFile)
        let manager = FileManager.default
        try manager.createDirectory(at: url, withIntermediateDirectories: true)
        try String(contentsOfFile: definitionFile, encoding: .utf8).write(toFile: definitionPath, atomically: true, encoding: .utf8)
        let displays = Dictionary(uniqueKeysWithValues: definition.councils.map { ($0.name, $0.display) })
        try RosterDocument.render(definition.roster, displayNames: displays).write(toFile: rosterPath, atomically: true, encoding: .utf8)
        for label in definition.keyLabels { try KeyFile.write(definition.key(label), label: label, to: keyPath(label)) }
        let ports = Dictionary(uniqueKeysWithValues: definition.nodes.map { ($0.council, $0.port + portOffset) })
        for node in definition.nodes {
            let port = ports[node.council]!
            let config: JSONValue = [
                "description": .string("\(node.display), node of the \(definition.federation) federation; written by `council up`."),
                "council": .string(node.council), "key": .string("../../keys/\(node.council).key"), "roster": "../../roster.json", "data": "data",
                "listen": .string("127.0.0.1:\(port)"), "control": .string("127.0.0.1:\(port + 100)"), "metrics": .string("127.0.0.1:\(port + 200)"),
                "peers": .array(definition.peers(of: node.council).map { peer in
                    ["council": .string(peer), "address": .string("127.0.0.1:\(ports[peer]!)")]
                }),
                "limits": ["heartbeat_interval_ms": 1_000, "dead_link_after_ms": 4_000],
            ]
            try manager.createDirectory(at: nodeFolder(of: node.council), withIntermediateDirectories: true)
            try (config.rendered() + "\n").write(toFile: configPath(of: node.council), atomically: true, encoding: .utf8)
        }
        return definition
    }

    func control(of council: String) throws -> NetworkAddress {
        do {
            return try NodeConfiguration.load(path: configPath(of: council)).control
        } catch {
            throw CLIError("\(error)")
        }
    }
}
