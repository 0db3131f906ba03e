import Foundation

/// The run's own test hosts: one network namespace per node, a veth pair per link of the
/// federation's topology, and a management veth per node to the root namespace for the operator
/// channel. Every address lives inside these namespaces (10.56/16 links, 10.57/16 management).
struct TestNetwork {
    let nodes: [String]
    let links: [(String, String)]
    static let prefix = "cf-"

    func namespace(_ node: String) -> String { Self.prefix + node }
    func index(_ node: String) -> Int { nodes.firstIndex(of: node)! }
    func linkIndex(_ a: String, _ b: String) -> Int? { links.firstIndex { ($0.0 == a && $0.1 == b) || ($0.0 == b && $0.1 == a) } }

    /// The interface and address at `node`'s end of link `i`.
    func end(_ i: Int, at node: String) -> (interface: String, address: String) {
        links[i].0 == node ? ("cfl\(i)a", "10.56.\(i).1") : ("cfl\(i)b", "10.56.\(i).2")
    }

    /// Where the driver reaches a node's namespace from the root namespace.
    func managementAddress(_ node: String) -> String { "10.57.\(index(node)).2" }

    /// Whether this host lets the run create namespaces (root, with iproute2); the reason if not.
    static func unavailableReason() -> String? {
        if getuid() != 0 { return "network namespaces need root (this run is uid \(getuid()))" }
        if (try? Shell.run(["ip", "-V"])) == nil { return "iproute2's `ip` is not installed" }
        if (try? Shell.run(["iptables", "-V"])) == nil { return "iptables is not installed (apt-get install iptables)" }
        let probe = Self.prefix + "probe"
        _ = try? Shell.run(["ip", "netns", "del", probe], allowFailure: true)
        do {
            try Shell.run(["ip", "netns", "add", probe])
            try Shell.run(["ip", "netns", "del", probe])
        } catch {
            return "`ip netns add` is not permitted here: \(error)"
        }
        return nil
    }

    func setUp() throws {
        tearDown()
        for (n, node) in nodes.enumerated() {
            let ns = namespace(node)
            try Shell.run(["ip", "netns", "add", ns])
            try Shell.inside(ns, ["ip", "link", "set", "lo", "up"])
            try Shell.run(["ip", "link", "add", "cfm\(n)", "type", "veth", "peer", "name", "cfm\(n)n"])
            try Shell.run(["ip", "link", "set", "cfm\(n)n", "netns", ns])
            try Shell.run(["ip", "addr", "add", "10.57.\(n).1/30", "dev", "cfm\(n)"])
            try Shell.run(["ip", "link", "set", "cfm\(n)", "up"])
            try Shell.inside(ns, ["ip", "addr", "add", "\(managementAddress(node))/30", "dev", "cfm\(n)n"])
            try Shell.inside(ns, ["ip", "link", "set", "cfm\(n)n", "up"])
        }
        for (i, link) in links.enumerated() {
            try Shell.run(["ip", "link", "add", "cfl\(i)a", "type", "veth", "peer", "name", "cfl\(i)b"])
            for node in [link.0, link.1] {
                let end = end(i, at: node)
                try Shell.run(["ip", "link", "set", end.interface, "netns", namespace(node)])
                try Shell.inside(namespace(node), ["ip", "addr", "add", "\(end.address)/30", "dev", end.interface])
                try Shell.inside(namespace(node), ["ip", "link", "set", end.interface, "up"])
            }
        }
    }

    /// Removes every namespace of this run (and of an earlier run that did not finish); deleting a
    /// namespace deletes its veths, and with them their root-side peers.
    func tearDown() {
        let listed = (try? Shell.run(["ip", "netns", "list"])) ?? ""
        for line in listed.split(separator: "\n") {
            let name = String(line.split(separator: " ").first ?? "")
            if name.hasPrefix(Self.prefix) { _ = try? Shell.run(["ip", "netns", "del", name], allowFailure: true) }
        }
        // The kernel frees a deleted namespace's devices asynchronously: remove the root ends now.
        for n in nodes.indices { _ = try? Shell.run(["ip", "link", "del", "cfm\(n)"], allowFailure: true) }
    }

    /// Takes a link down or up at both ends: a partition of that radio link.
    func setLink(_ i: Int, up: Bool) throws {
        for node in [links[i].0, links[i].1] {
            try Shell.inside(namespace(node), ["ip", "link", "set", end(i, at: node).interface, up ? "up" : "down"])
        }
    }

    /// Drops each packet arriving on a link interface with the given probability (iptables
    /// `statistic`; this kernel has no netem).
    func dropAtRandom(probability: Double) throws {
        for node in nodes {
            try Shell.inside(namespace(node), ["iptables", "-A", "INPUT", "-i", "cfl+", "-m", "statistic", "--mode", "random",
                                               "--probability", String(probability), "-j", "DROP"])
        }
    }

    /// Packets the random-loss rules have dropped so far, over all nodes.
    func droppedPackets() -> Int {
        nodes.reduce(0) { total, node in
            let listing = (try? Shell.inside(namespace(node), ["iptables", "-L", "INPUT", "-v", "-x", "-n"])) ?? ""
            let dropped = listing.split(separator: "\n").filter { $0.contains("DROP") && $0.contains("statistic") }
                .compactMap { Int($0.split(separator: " ").first ?? "") }.reduce(0, +)
            return total + dropped
        }
    }

    /// Caps a link's bandwidth at both ends with a token bucket (tc tbf).
    func capBandwidth(_ i: Int, rate: String) throws {
        for node in [links[i].0, links[i].1] {
            try Shell.inside(namespace(node), ["tc", "qdisc", "add", "dev", end(i, at: node).interface, "root", "tbf",
                                               "rate", rate, "burst", "32kbit", "latency", "400ms"])
        }
    }
}
