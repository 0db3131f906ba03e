import CouncilNode
import CouncilProtocol
import Foundation

/// Polls a local federation's nodes: which are running, which links are up, what each holds.
struct FederationWatch {
    let federation: LocalFederation
    let definition: FederationDefinition

    struct Snapshot: Equatable {
        var running: Set<String> = []
        /// Undirected links reported up, as "a–b" with a < b.
        var linksUp: Set<String> = []
        var digests: [String: String] = [:]
        var accepted: [String: Int] = [:]
    }

    static func linkName(_ a: String, _ b: String) -> String { a < b ? "\(a)–\(b)" : "\(b)–\(a)" }

    var allLinks: Set<String> { Set(definition.links.map { Self.linkName($0.0, $0.1) }) }

    func snapshot() async -> Snapshot {
        var snapshot = Snapshot()
        for node in definition.nodes {
            guard let address = try? federation.control(of: node.council),
                  let status = try? await OperatorClient.request(["op": "status"], to: address)
            else { continue }
            snapshot.running.insert(node.council)
            snapshot.digests[node.council] = status["digest"]?.stringValue
            snapshot.accepted[node.council] = Int(status["accepted"]?.intValue ?? 0)
            for peer in status["peers"]?.arrayValue ?? [] where peer["state"]?.stringValue == "up" {
                if let name = peer["council"]?.stringValue { snapshot.linksUp.insert(Self.linkName(node.council, name)) }
            }
        }
        return snapshot
    }

    /// Waits until the given nodes (by default all) answer and every link between them that is not
    /// cut is up. Returns false on timeout.
    func waitForLinks(except cut: Set<String> = [], among nodes: Set<String>? = nil, timeout: Double = 15) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let snapshot = await snapshot()
            let alive = nodes ?? Set(definition.nodes.map(\.council))
            let wanted = Set(definition.links.filter { alive.contains($0.0) && alive.contains($0.1) }.map { Self.linkName($0.0, $0.1) }).subtracting(cut)
            if wanted.isSubset(of: snapshot.linksUp) && alive.isSubset(of: snapshot.running) { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }
}

/// Follows the nodes' logs and reports what flows over the links.
struct LogFollower {
    let federation: LocalFederation
    var offsets: [String: UInt64] = [:]

    mutating func newLines(of council: String) -> [String] {
        guard let handle = FileHandle(forReadingAtPath: federation.logPath(of: council)) else { return [] }
        defer { try? handle.close() }
        let offset = offsets[council] ?? 0
        handle.seek(toFileOffset: offset)
        let data = handle.readDataToEndOfFile()
        guard let lastNewline = data.lastIndex(of: UInt8(ascii: "\n")) else { return [] }
        let complete = data[data.startIndex...lastNewline]
        offsets[council] = offset + UInt64(complete.count)
        return String(decoding: complete, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// Skips what the logs hold now.
    mutating func skipToEnd(_ councils: [String]) {
        for council in councils { _ = newLines(of: council) }
    }

    /// `key=value` pairs of a swift-log line.
    static func field(_ name: String, in line: String) -> String? {
        guard let range = line.range(of: " \(name)=") else { return nil }
        return String(line[range.upperBound...].prefix { $0 != " " })
    }
}
