import Foundation

/// The folder `council up` keeps a local federation in: roster, keys, one config and data
/// folder per node, and the nodes' logs.
struct LocalFederation {
    static let defaultFolder = "federation"

    let folder: String

    var url: URL { URL(fileURLWithPath: folder) }
    var rosterPath: String { url.appendingPathComponent("roster.json").path }
    var manifestPath: String { url.appendingPathComponent("federation.json").path }
    func nodeFolder(of council: String) -> URL { url.appendingPathComponent("nodes").appendingPathComponent(council) }
    func configPath(of council: String) -> String { nodeFolder(of: council).appendingPathComponent("node.json").path }
    func logPath(of council: String) -> String { nodeFolder(of: council).appendingPathComponent("councild.log").path }
    func keyPath(_ label: String) -> String { url.appendingPathComponent("keys").appendingPathComponent("\(label).key").path }
}
