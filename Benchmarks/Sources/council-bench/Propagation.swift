import CouncilConformance
import CouncilNode
import CouncilProtocol
import CouncilWire
import Foundation
import Synchronization

/// Propagation across the radio federation: five release-built nodes on loopback, every station
/// linked to every other and to Budapest. A proposal is submitted at Miskolc; an observer link at
/// each node timestamps its arrival there (a node relays only what it has stored durably). The
/// background load is a second author's stream sent to Budapest over its own link.
enum Propagation {
    static let nodes = ["budapest", "miskolc", "gyor", "pecs", "szolnok"]
    /// The test federation plus two councils without nodes: the observers' and the load's links.
    static let roster = Roster(federation: "bench-radio", councils: TestFederation.roster.councils + ["loader", "observer"].map { name in
        Roster.Council(name: name, key: TestFederation.key(name).publicKey, electorsKey: TestFederation.key("electors-\(name)").publicKey)
    }, bodies: TestFederation.roster.bodies)

    final class Federation {
        let members: [BenchNode]

        init(councild: String) async throws {
            let base = Int.random(in: 10_000...18_900)
            let ports = Dictionary(uniqueKeysWithValues: Propagation.nodes.enumerated().map { ($1, base + $0 * 2) })
            var started: [BenchNode] = []
            for (index, node) in Propagation.nodes.enumerated() {
                let peers = Propagation.nodes[(index + 1)...].map { ($0, ports[$0]!) }
                started.append(try await BenchNode.start(council: node, councild: councild, roster: Propagation.roster, port: ports[node], peers: peers))
            }
            members = started
            for member in members {
                for _ in 0..<200 where try await member.linksUp() < Propagation.nodes.count - 1 { try await Task.sleep(for: .milliseconds(25)) }
            }
        }

        func node(_ council: String) -> BenchNode { members.first { $0.council == council }! }
        func stop() { for member in members { member.stop() } }
    }

    /// Arrival times (ns) of the watched messages at each node, filled by the observers.
    final class Arrivals: Sendable {
        let watched: Set<MessageID>
        let times = Mutex<[MessageID: [String: UInt64]]>([:])
        init(_ watched: Set<MessageID>) { self.watched = watched }
    }

    /// Per probe, in milliseconds, sorted: from submission at Miskolc until all five nodes hold it
    /// (end to end: the operator request, Miskolc's commit, one hop), and from Miskolc relaying it
    /// until the other four hold it (one hop: the link, the check, the receiver's commit). `probes`
    /// probes go 50 ms apart, with `loadRate` messages per second sent to Budapest meanwhile.
    static func latencies(councild: String, probes: Int, loadRate: Int) async throws -> (endToEnd: [Double], hop: [Double]) {
        let federation = try await Federation(councild: councild)
        defer { federation.stop() }
        let probeChain = ConformanceContract.proposalChain(count: probes + 1, roster: roster, council: "pecs", delegate: TestFederation.delegateKey(10))
        let arrivals = Arrivals(Set(probeChain.dropFirst().map(\.id)))
        var observers: [TestPeer] = []
        for node in nodes {
            let peer = try await TestPeer.connect(to: federation.node(node).address)
            _ = try await peer.handshake(as: "observer", key: TestFederation.key("observer"), roster: roster)
            observers.append(peer)
        }
        let loader = try await TestPeer.connect(to: federation.node("budapest").address)
        _ = try await loader.handshake(as: "loader", key: TestFederation.key("loader"), roster: roster)
        let load = ConformanceContract.proposalChain(count: loadRate * (probes / 20 + 5) + 1, roster: roster)
        defer {
            for observer in observers { observer.close() }
            loader.close()
        }
        // The probes' mandate first, so that every probe is decided at once.
        _ = try await federation.node("miskolc").request(["op": "submit", "message": .string(Hex.encode(probeChain[0].bytes))])
        let done = StopFlag()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for (observer, node) in zip(observers, nodes) {
                group.addTask { try await observe(observer, at: node, arrivals: arrivals, done: done) }
            }
            if loadRate > 0 {
                group.addTask { try await stream(load, to: loader, perSecond: loadRate, done: done) }
                try await Task.sleep(for: .seconds(1))
            }
            var submitted: [MessageID: UInt64] = [:]
            for probe in probeChain.dropFirst() {
                submitted[probe.id] = DispatchTime.now().uptimeNanoseconds
                _ = try await federation.node("miskolc").request(["op": "submit", "message": .string(Hex.encode(probe.bytes))])
                try await Task.sleep(for: .milliseconds(50))
            }
            try await Task.sleep(for: .seconds(1))
            done.stop()
            try await group.waitForAll()
            let times = arrivals.times.withLock { $0 }
            var endToEnd: [Double] = []
            var hop: [Double] = []
            for (id, start) in submitted {
                guard let seen = times[id], seen.count == nodes.count, let last = seen.values.max(), let relayed = seen["miskolc"] else { continue }
                endToEnd.append(Double(last - start) / 1e6)
                // Miskolc's observer may read its copy after another node's: a hop is never negative.
                let others = seen.filter { $0.key != "miskolc" }.values.max() ?? relayed
                hop.append(max(0, Double(others) - Double(relayed)) / 1e6)
            }
            return (endToEnd.sorted(), hop.sorted())
        }
    }

    static func observe(_ peer: TestPeer, at node: String, arrivals: Arrivals, done: StopFlag) async throws {
        while !done.isStopped {
            guard let event = try await peer.next(within: .milliseconds(200)) else { continue }
            switch event {
            case .frame(.message(let bytes)):
                let now = DispatchTime.now().uptimeNanoseconds
                let id = Hashing.sha256(bytes)
                if arrivals.watched.contains(id) { arrivals.times.withLock { $0[id, default: [:]][node] = now } }
            case .frame(.ping(let nonce)): try await peer.send(.pong(nonce))
            case .closed: throw TestPeer.Failure("\(node) closed the observer's link")
            default: continue
            }
        }
    }

    /// Sends `messages` in order at `perSecond`, in 10 ms slices, until done or exhausted.
    static func stream(_ messages: [SignedMessage], to peer: TestPeer, perSecond: Int, done: StopFlag) async throws {
        let perSlice = max(1, perSecond / 100)
        var next = 0
        let start = ContinuousClock.now
        var slice = 0
        while !done.isStopped && next < messages.count {
            for message in messages[next..<min(next + perSlice, messages.count)] { try await peer.send(.message(message.bytes)) }
            next += perSlice
            slice += 1
            try await Task.sleep(until: start + .milliseconds(10 * slice))
            // Keep the loader's inbound drained (ACKs), so the node never waits on it.
            while let event = try await peer.next(within: .zero), event != .closed {}
        }
    }
}

/// Tells the observers and the load stream that the measurement is over.
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isStopped: Bool { flag.load(ordering: .relaxed) }
    func stop() { flag.store(true, ordering: .relaxed) }
}
