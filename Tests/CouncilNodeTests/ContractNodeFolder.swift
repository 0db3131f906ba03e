import CouncilConformance
import CouncilNode
import CouncilProtocol
import Foundation

/// A folder for one node of the conformance contract's federation: the roster, one council's key
/// file and a config naming them (relative paths, [CONF-3]) with two fresh loopback ports. The
/// tests that start a single councild, in a process or in this one, share it.
enum ContractNodeFolder {
    /// Writes the folder; the config names `council`, signing with `keyCouncil`'s key. Returns the
    /// config's path and the peer port (the operator channel is the next one).
    static func write(_ folder: URL, council: String, key keyCouncil: String? = nil) throws -> (config: String, port: Int) {
        let keyCouncil = keyCouncil ?? council
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try RosterDocument.render(ConformanceContract.roster).write(to: folder.appendingPathComponent("roster.json"), atomically: true, encoding: .utf8)
        try KeyFile.write(ConformanceContract.councilKey(keyCouncil), label: keyCouncil, to: folder.appendingPathComponent("\(keyCouncil).key").path)
        let port = DaemonFederation.takePorts(2)
        let config: JSONValue = [
            "council": .string(council), "key": .string("\(keyCouncil).key"), "roster": "roster.json", "data": "data",
            "listen": .string("127.0.0.1:\(port)"), "control": .string("127.0.0.1:\(port + 1)"),
        ]
        let path = folder.appendingPathComponent("node.json").path
        try config.rendered().write(toFile: path, atomically: true, encoding: .utf8)
        return (path, port)
    }
}
