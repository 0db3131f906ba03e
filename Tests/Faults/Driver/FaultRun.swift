import CouncilNode
import CouncilProtocol
import CouncilWire
import Foundation

/// One fault run: the namespaced federation under load, then partitions, heals and crashes in a
/// random order, with the checks after each and at the end (RELIABILITY.md).
struct FaultRun {
    struct Settings {
        var cycles: Int
        var kills: Int
        var seconds: Double
        var lossPercent: Double
        var convergeWithin: Double
        var actsPerSecond: Int
    }

    enum Event: CustomStringConvertible {
        case partition(String)
        case kill
        var description: String {
            switch self {
            case .partition(let kind): "partition (\(kind))"
            case .kill: "kill"
            }
        }
    }

    let settings: Settings
    let federation: FaultFederation
    let network: TestNetwork
    var failures: [String] = []
    var convergence: [Double] = []
    var counts: [String: Int] = [:]

    init(settings: Settings, federation: FaultFederation) {
        self.settings = settings
        self.federation = federation
        network = federation.network
    }

    mutating func fail(_ text: String) {
        failures.append(text)
        say("  ✗ \(text)")
    }

    /// Partitions and kills interleaved at random; each kind appears its full number of times.
    func schedule() -> [Event] {
        let kinds = ["one link", "isolate", "split", "swizzle"]
        let partitions = (0..<settings.cycles).map { Event.partition(kinds[$0 % kinds.count]) }
        return (partitions + Array(repeating: Event.kill, count: settings.kills)).shuffled()
    }

    mutating func run() async throws -> JSONValue {
        let started = Date()
        for node in federation.nodes { try federation.start(node) }
        for node in federation.nodes { try await federation.waitForOperator(node) }
        let workload = Workload(federation: federation, actsPerSecond: settings.actsPerSecond)
        let load = Task { await workload.run() }
        if !(await converge("start", workload)) { fail("the federation did not link up and agree at the start") }
        let events = schedule()
        for (number, event) in events.enumerated() {
            let elapsed = Date().timeIntervalSince(started)
            say(String(format: "[%3d/%d %5.0fs] ", number + 1, events.count, elapsed) + "\(event)", terminator: "")
            switch event {
            case .partition(let kind): try await partition(kind)
            case .kill: try await crash(workload)
            }
            if !(await converge("after \(event)", workload)) { break }
            if failures.count > 5 { break }
        }
        if !events.isEmpty, settings.seconds > 0 {
            say("steady load for \(Int(settings.seconds)) s more")
            try await Task.sleep(for: .seconds(settings.seconds))
        }
        await workload.stop()
        await Workload.quiesce(workload)
        load.cancel()
        _ = await converge("at the end", workload)
        let final = try await finalCheck(workload)
        let sorted = convergence.sorted()
        let percentile = { (p: Double) in sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
        return [
            "partition_heal_cycles": .uint(counts["partition"] ?? 0), "kills": .uint(counts["kill"] ?? 0),
            "links_cut": .uint(counts["links cut"] ?? 0), "packets_dropped": .uint(network.droppedPackets()),
            "acts_sent": .uint(await workload.sent), "acknowledged": .uint(await workload.allAcknowledged.count),
            "rejected": .uint(await workload.rejected), "unanswered": .uint(await workload.unanswered),
            "lost": .uint(final.lost), "accepted_per_node": .uint(final.accepted), "digests_equal": .bool(final.digestsEqual),
            "converge_p50_s": .string(String(format: "%.2f", percentile(0.5))), "converge_max_s": .string(String(format: "%.2f", sorted.last ?? 0)),
            "seconds": .uint(Int(Date().timeIntervalSince(started))), "failures": .array(failures.map { .string($0) }),
        ]
    }

    /// Cuts links the way `kind` says, holds the partition under load, and heals it.
    mutating func partition(_ kind: String) async throws {
        var random = SystemRandomNumberGenerator()
        let all = Array(network.links.indices)
        var cut: [Int]
        switch kind {
        case "one link":
            cut = [all.randomElement(using: &random)!]
        case "isolate":
            let node = federation.nodes.randomElement(using: &random)!
            cut = all.filter { network.links[$0].0 == node || network.links[$0].1 == node }
        case "split":
            let side = Set(federation.nodes.shuffled(using: &random).prefix(Int.random(in: 1...2, using: &random)))
            cut = all.filter { side.contains(network.links[$0].0) != side.contains(network.links[$0].1) }
        default:
            cut = Array(all.shuffled(using: &random).prefix(Int.random(in: 3...6, using: &random)))
        }
        let names = cut.map { "\(network.links[$0].0)–\(network.links[$0].1)" }
        say(": cutting \(names.joined(separator: ", "))", terminator: "")
        for link in cut {
            try network.setLink(link, up: false)
            if kind == "swizzle" { try await Task.sleep(for: .milliseconds(Int.random(in: 100...400))) }
        }
        // Up to 6 s: longer than DEAD_LINK_AFTER (4 s here), so some cuts end links and force redials.
        try await Task.sleep(for: .milliseconds(Int.random(in: 1_000...6_000)))
        let order = kind == "swizzle" ? cut.shuffled(using: &random) : cut
        for link in order {
            try network.setLink(link, up: true)
            if kind == "swizzle" { try await Task.sleep(for: .milliseconds(Int.random(in: 100...400))) }
        }
        counts["partition", default: 0] += 1
        counts["links cut", default: 0] += cut.count
    }

    /// SIGKILLs a random node at a random moment under load, restarts it, and checks that it still
    /// has everything it acknowledged.
    mutating func crash(_ workload: Workload) async throws {
        let node = federation.nodes.randomElement()!
        try await Task.sleep(for: .milliseconds(Int.random(in: 0...1_500)))
        federation.kill(node)
        say(": \(node) killed", terminator: "")
        try await Task.sleep(for: .milliseconds(Int.random(in: 100...800)))
        try federation.start(node)
        do {
            try await federation.waitForOperator(node, seconds: settings.convergeWithin * 4)
        } catch {
            fail("\(node) did not answer within \(Int(settings.convergeWithin * 4)) s of its restart; see \(federation.logPath(node))")
            return
        }
        let acknowledged = await workload.acknowledged(by: node)
        let missing = try await federation.missing(acknowledged, at: node)
        if !missing.isEmpty {
            fail("\(node) lost \(missing.count) of the \(acknowledged.count) messages it acknowledged: \(missing.prefix(3).joined(separator: ", "))")
        }
        say(", restarted with all \(acknowledged.count) it acknowledged", terminator: "")
        counts["kill", default: 0] += 1
    }

    /// Pauses the load and waits until every node has all its links up and one digest.
    mutating func converge(_ when: String, _ workload: Workload) async -> Bool {
        await Workload.quiesce(workload)
        defer { Task { await workload.setPaused(false) } }
        let started = Date()
        var last = ""
        while Date().timeIntervalSince(started) < settings.convergeWithin {
            var digests: Set<String> = []
            var linked = true
            var views: [String] = []
            for node in federation.nodes {
                guard let status = try? await federation.request(node, ["op": "status"]) else {
                    linked = false
                    views.append("\(node): no answer")
                    continue
                }
                let up = (status["peers"]?.arrayValue ?? []).filter { $0["state"]?.stringValue == "up" }.count
                if up < federation.definition.neighbours(of: node).count { linked = false }
                let digest = status["digest"]?.stringValue ?? "?"
                digests.insert(digest)
                views.append("\(node): \(status["accepted"]?.intValue ?? 0) accepted, \(up) links, \(digest.prefix(8))")
            }
            last = views.joined(separator: "; ")
            if linked && digests.count == 1 {
                let seconds = Date().timeIntervalSince(started)
                convergence.append(seconds)
                say(String(format: " → agreed in %.2f s", seconds))
                return true
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        say("")
        fail("\(when): no agreement within \(Int(settings.convergeWithin)) s (\(last))")
        return false
    }

    /// Every acknowledged message at every node, one digest, one count.
    mutating func finalCheck(_ workload: Workload) async throws -> (lost: Int, accepted: Int, digestsEqual: Bool) {
        let acknowledged = await workload.allAcknowledged
        var lost: Set<String> = []
        var digests: Set<String> = []
        var accepted: Set<Int64> = []
        for node in federation.nodes {
            let missing = try await federation.missing(acknowledged, at: node)
            if !missing.isEmpty { fail("\(node) lacks \(missing.count) acknowledged messages, e.g. \(missing[0])") }
            lost.formUnion(missing)
            let status = try await federation.request(node, ["op": "status"])
            digests.insert(status["digest"]?.stringValue ?? "?")
            accepted.insert(status["accepted"]?.intValue ?? -1)
        }
        if digests.count != 1 { fail("the nodes end with \(digests.count) different digests") }
        if accepted.count != 1 { fail("the nodes end with different numbers of accepted messages: \(accepted.sorted())") }
        return (lost.count, Int(accepted.max() ?? 0), digests.count == 1)
    }
}
