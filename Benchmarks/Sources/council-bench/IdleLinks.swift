import CouncilConformance
import CouncilNode
import CouncilProtocol
import CouncilWire
import Foundation

/// Scale: one node holding many authenticated, idle peer links. The roster names a council per
/// link (a node holds one link per council, [NODE-4]); the memory per link is the growth of the
/// node's resident set divided by the number of links.
enum IdleLinks {
    static func roster(links: Int) -> Roster {
        Roster(federation: "bench-links", councils: (["budapest"] + (1...links).map { String(format: "link-%04d", $0) }).map { name in
            Roster.Council(name: name, key: TestFederation.key(name).publicKey, electorsKey: TestFederation.key("electors-\(name)").publicKey)
        }, bodies: [])
    }

    /// Bytes of resident memory per idle authenticated link, with `links` links up at once.
    static func bytesPerLink(councild: String, links: Int) async throws -> Double {
        let roster = roster(links: links)
        let node = try await BenchNode.start(council: "budapest", councild: councild, roster: roster,
                                             limits: ["max_peers": JSONValue.uint(links + 16), "heartbeat_interval_ms": 600_000, "dead_link_after_ms": 1_800_000])
        defer { node.stop() }
        try await Task.sleep(for: .milliseconds(500))
        let before = node.residentKiB()
        var peers: [TestPeer] = []
        peers.reserveCapacity(links)
        let address = node.address
        try await withThrowingTaskGroup(of: [TestPeer].self) { group in
            let workers = 8
            for worker in 0..<workers {
                group.addTask {
                    var mine: [TestPeer] = []
                    for index in stride(from: worker + 1, through: links, by: workers) {
                        let name = String(format: "link-%04d", index)
                        let peer = try await TestPeer.connect(to: address)
                        _ = try await peer.handshake(as: name, key: TestFederation.key(name), roster: roster, deadline: .seconds(30))
                        mine.append(peer)
                    }
                    return mine
                }
            }
            for try await some in group { peers += some }
        }
        defer { for peer in peers { peer.close() } }
        // A peer's handshake ends when it sends AUTH; the node attaches the link once AUTH arrives.
        var up = try await node.linksUp()
        for _ in 0..<100 where up < links {
            try await Task.sleep(for: .milliseconds(100))
            up = try await node.linksUp()
        }
        guard up == links else { throw TestPeer.Failure("only \(up) of \(links) links are up") }
        try await Task.sleep(for: .seconds(1))
        let after = node.residentKiB()
        progress("idle links: \(links) up; resident \(before / 1_024) MiB → \(after / 1_024) MiB")
        return Double((after - before) * 1_024) / Double(links)
    }
}
