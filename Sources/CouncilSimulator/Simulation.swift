import CouncilProtocol
import CouncilWire

/// One seeded run of a whole federation over a virtual network and a virtual clock (issue: the
/// deterministic simulator). Everything random comes from `SimRandom(seed:)`, so a seed replays
/// exactly, and `traceHash` proves it.
public struct Simulation {
    public struct Configuration: Sendable {
        public var seed: UInt64
        public var nodes: Int
        /// Governance messages the run must have accepted before it ends the act phase.
        public var minimumAccepted: Int
        public var rules: any GovernanceRules

        public init(seed: UInt64, nodes: Int = 5, minimumAccepted: Int = 200, rules: any GovernanceRules = SpecRules()) {
            self.seed = seed
            self.nodes = nodes
            self.minimumAccepted = minimumAccepted
            self.rules = rules
        }
    }

    enum Frame {
        case message([UInt8])
        case sync(SyncVector)
    }

    enum Event {
        case deliver(from: Int, to: Int, frame: Frame)
        case act
        case antiEntropy
        case crash(Int)
        case restart(Int)
        case cut(Link)
        case heal(Link)
        case faultWindow(Fault, on: Bool)
        case hostile
    }

    /// Fault kinds; every seed injects at least three different ones.
    public enum Fault: String, CaseIterable, Sendable {
        case loss, duplication, reordering, partition, crash, hostile
    }

    struct Link: Hashable, Comparable {
        let a: Int, b: Int
        init(_ x: Int, _ y: Int) { (a, b) = x < y ? (x, y) : (y, x) }
        static func < (lhs: Link, rhs: Link) -> Bool { (lhs.a, lhs.b) < (rhs.a, rhs.b) }
    }

    let configuration: Configuration
    let federation: SimFederation
    let keys: [PublicKey: SigningKey]
    var random: SimRandom
    var queue = EventQueue<Event>()
    var now: UInt64 = TestFederation.epoch
    var nodes: [SimNode]
    var links: Set<Link> = []
    var cutLinks: Set<Link> = []
    var activeFaults: Set<Fault> = []
    var trace = TraceHash()
    var stats = Statistics()
    /// Every message any node ever accepted: none may be missing anywhere at the end.
    var everAccepted: Set<MessageID> = []
    /// Messages the hostile node forged: none may ever be accepted.
    var forged: Set<MessageID> = []
    var actsDone = 0
    var actPhaseOver = false
    /// Where each delegate acts (its seat's meeting place), by key.
    var delegateNode: [PublicKey: Int] = [:]
    var questionCounter = 0
    var dissolutions = 0

    public init(_ configuration: Configuration) {
        self.configuration = configuration
        federation = SimFederation(nodes: configuration.nodes)
        keys = federation.allKeys()
        random = SimRandom(seed: configuration.seed)
        let federation = federation
        nodes = federation.councils.map { SimNode(council: $0, roster: federation.roster, rules: configuration.rules) }
        for council in federation.councils {
            for key in federation.delegateKeys[council]! { delegateNode[key.publicKey] = random.int(0...(configuration.nodes - 1)) }
        }
        buildTopology()
    }

    /// A random connected topology: a random spanning tree plus a few more links, as radio stations reach.
    mutating func buildTopology() {
        let order = (0..<nodes.count).shuffled(using: &random)
        for index in 1..<order.count { links.insert(Link(order[index], order[random.int(0...(index - 1))])) }
        for _ in 0..<random.int(0...nodes.count) {
            let a = random.int(0...(nodes.count - 1)), b = random.int(0...(nodes.count - 1))
            if a != b { links.insert(Link(a, b)) }
        }
    }

    /// Each node's core, for tests that inspect a finished run.
    public var ledgers: [Ledger] { nodes.map(\.ledger) }

    func neighbours(of node: Int) -> [Int] {
        links.filter { ($0.a == node || $0.b == node) && !cutLinks.contains($0) }.map { $0.a == node ? $0.b : $0.a }.sorted()
    }

    /// Runs the seed to the end and checks it.
    public mutating func run() -> SimulationResult {
        let faults = scheduleFaults()
        queue.push(.act, at: now + 10)
        queue.push(.antiEntropy, at: now + 500)
        while let (time, event) = queue.pop() {
            now = max(now, time)
            handle(event)
            if actPhaseOver, queue.isEmpty { break }
        }
        healEverything()
        settle()
        var failures = SimulationChecker(simulation: self).check()
        if stats.acceptedUnique < configuration.minimumAccepted {
            failures.append("only \(stats.acceptedUnique) governance messages were accepted; a scenario needs \(configuration.minimumAccepted)")
        }
        return SimulationResult(seed: configuration.seed, failures: failures, traceHash: trace.value, faults: faults, statistics: stats,
                                digest: nodes.first?.ledger.digest() ?? .zero)
    }

    mutating func handle(_ event: Event) {
        switch event {
        case .deliver(let from, let to, let frame): deliver(from: from, to: to, frame)
        case .act: performAct()
        case .antiEntropy:
            for node in nodes.indices where nodes[node].up { for peer in neighbours(of: node) { sendSync(from: node, to: peer) } }
            if !actPhaseOver { queue.push(.antiEntropy, at: now + 500) }
        case .crash(let node):
            trace.add(now, 1, node)
            nodes[node].up = false
            stats.crashes += 1
        case .restart(let node):
            trace.add(now, 2, node)
            nodes[node].restart(roster: federation.roster, rules: configuration.rules, now: now)
            for peer in neighbours(of: node) { sendSync(from: node, to: peer); sendSync(from: peer, to: node) }
        case .cut(let link):
            cutLinks.insert(link)
            stats.partitions += 1
            trace.add(now, 3, link.a * 16 + link.b)
        case .heal(let link):
            cutLinks.remove(link)
            trace.add(now, 4, link.a * 16 + link.b)
            sendSync(from: link.a, to: link.b)
            sendSync(from: link.b, to: link.a)
        case .faultWindow(let fault, let on):
            if on { activeFaults.insert(fault) } else { activeFaults.remove(fault) }
        case .hostile:
            injectHostile()
        }
    }

    /// Sends a frame over a link, subject to the faults in force.
    mutating func send(_ frame: Frame, from: Int, to: Int) {
        guard nodes[from].up, !cutLinks.contains(Link(from, to)) else { return }
        if activeFaults.contains(.loss), random.chance(0.15) {
            stats.lost += 1
            return
        }
        let jitter: UInt64 = activeFaults.contains(.reordering) ? UInt64(random.int(0...250)) : UInt64(random.int(0...8))
        queue.push(.deliver(from: from, to: to, frame: frame), at: now + 2 + jitter)
        if activeFaults.contains(.duplication), random.chance(0.25) {
            stats.duplicated += 1
            queue.push(.deliver(from: from, to: to, frame: frame), at: now + 2 + UInt64(random.int(0...40)))
        }
    }

    mutating func sendSync(from: Int, to: Int) {
        guard nodes[from].up else { return }
        send(.sync(nodes[from].ledger.syncVector()), from: from, to: to)
    }

    mutating func deliver(from: Int, to: Int, _ frame: Frame) {
        guard nodes[to].up, from < 0 || !cutLinks.contains(Link(from, to)) else { return }
        switch frame {
        case .sync(let vector):
            for message in nodes[to].ledger.messages(missingFrom: vector) { send(.message(message.bytes), from: to, to: from) }
        case .message(let bytes):
            let decisions = nodes[to].ledger.receive(bytes: bytes, now: now)
            absorb(decisions, at: to, cameFrom: from)
        }
    }

    /// Records decisions at a node, relays what it accepted ([RELAY-1]).
    mutating func absorb(_ decisions: [Decision], at node: Int, cameFrom source: Int) {
        for decision in decisions {
            trace.add(now, 5, node, decision)
            switch decision {
            case .accepted(let message):
                if everAccepted.insert(message.id).inserted { stats.acceptedUnique += 1 }
                stats.accepted += 1
            case .rejected(_, let error): stats.rejections[error.code, default: 0] += 1
            case .held: stats.held += 1
            case .duplicate: stats.duplicates += 1
            }
        }
        for message in nodes[node].record(decisions) {
            for peer in neighbours(of: node) where peer != source { send(.message(message.bytes), from: node, to: peer) }
        }
    }

    /// Heals every link and restarts every node, then lets anti-entropy run with no faults.
    mutating func healEverything() {
        activeFaults = []
        cutLinks = []
        for node in nodes.indices where !nodes[node].up {
            nodes[node].restart(roster: federation.roster, rules: configuration.rules, now: now)
        }
    }

    mutating func settle() {
        for _ in 0..<8 {
            for node in nodes.indices { for peer in neighbours(of: node) { sendSync(from: node, to: peer) } }
            while let (time, event) = queue.pop() {
                now = max(now, time)
                handle(event)
            }
            let digests = Set(nodes.map { $0.ledger.acceptedCount })
            if digests.count == 1 { break }
        }
        now += 1_000_000
        for node in nodes.indices { absorb(nodes[node].ledger.tick(now: now), at: node, cameFrom: -1) }
        while let (time, event) = queue.pop() {
            now = max(now, time)
            handle(event)
        }
    }
}

/// A cheap, order-sensitive hash of everything that happened in a run.
struct TraceHash {
    private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

    mutating func mix(_ word: UInt64) {
        value = (value ^ word) &* 0x0000_0100_0000_01B3
        value ^= value >> 29
    }

    mutating func add(_ time: UInt64, _ kind: UInt64, _ node: Int, _ decision: Decision? = nil) {
        mix(time)
        mix(kind)
        mix(UInt64(bitPattern: Int64(node)))
        guard let decision else { return }
        mix(decision.id.w0)
        switch decision {
        case .accepted: mix(1)
        case .duplicate: mix(2)
        case .held: mix(3)
        case .rejected(_, let error): mix(0x100 | UInt64(error.code.rawValue))
        }
    }
}

/// Counts of what a run did.
public struct Statistics: Sendable {
    public var acceptedUnique = 0
    public var accepted = 0
    public var duplicates = 0
    public var held = 0
    public var rejections: [ErrorCode: Int] = [:]
    public var lost = 0
    public var duplicated = 0
    public var crashes = 0
    public var partitions = 0
    public var forgeries = 0
    public var acts = 0
}

/// The verdict of one seed.
public struct SimulationResult: Sendable {
    public let seed: UInt64
    public let failures: [String]
    public let traceHash: UInt64
    public let faults: [Simulation.Fault]
    public let statistics: Statistics
    public let digest: Bytes32

    public var passed: Bool { failures.isEmpty }
}
