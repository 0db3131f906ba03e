import CouncilProtocol
import CouncilWire
import Foundation

/// A host and port, written `host:port` in configuration files.
public struct NetworkAddress: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else {
            return nil
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        self.init(host: host, port: port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Whether the address is on this machine only (the operator channel must be, Spec OPERATOR.md).
    public var isLoopback: Bool { host == "localhost" || host == "::1" || host.hasPrefix("127.") }
}

/// The node's limits (Spec §11), each overridable in the config's `limits` object.
public struct NodeLimits: Sendable {
    public var maxPeers = 64
    public var outboundQueue = 8_192
    public var handshakeTimeoutMilliseconds = 10_000
    public var heartbeatIntervalMilliseconds = 5_000
    public var deadLinkAfterMilliseconds = 15_000
    public var maxInvalidFrames = 16
    public var maxPending = 10_000
    /// [FRAME-3] Not configurable: tests lower their guard here to show the conformance suite notices.
    var maxFrameLength = Limits.maxFrameLength
    /// [RELAY-2] Not configurable either, and false: tests set it to plant a fault.
    var relaysRejected = false
    /// [ACK-2] Likewise: a planted fault that acknowledges at once and writes only every ten seconds
    /// (ten ticks), long enough that a crash after a burst of ACKs loses some even on a slow build.
    var acknowledgesBeforeDurable = false
    /// [SYNC-4][SYNC-6] Seconds between rounds of SYNC while the node wants something back. Not
    /// configurable: tests shorten it so as not to wait half a minute.
    var resyncSeconds = 30
    /// [ORDER-7] MAX_CLOCK_SKEW is part of the protocol; tests shorten it so that a message held
    /// for its time is released within seconds.
    var maxClockSkewMilliseconds = Limits.maxClockSkew

    public init() {}
}

/// `councild --config FILE`: which council this node is, where its key, roster and data live,
/// where it listens, and whom it dials. Relative paths are relative to the config file's folder.
public struct NodeConfiguration: Sendable {
    public struct Peer: Sendable, Hashable {
        public var council: String
        public var address: NetworkAddress
    }

    public var file: String
    public var council: String
    public var keyFile: String
    public var rosterFile: String
    public var dataDirectory: String
    public var listen: NetworkAddress
    public var control: NetworkAddress
    public var metrics: NetworkAddress?
    public var peers: [Peer]
    public var limits: NodeLimits

    static let fields: Set<String> = ["council", "key", "roster", "data", "listen", "control", "metrics", "peers", "limits", "description"]
    static let limitFields: Set<String> = [
        "max_peers", "outbound_queue", "handshake_timeout_ms", "heartbeat_interval_ms", "dead_link_after_ms", "max_invalid_frames", "max_pending",
    ]

    /// Loads and checks a config file; every fault names the file, the line and the field.
    public static func load(path: String) throws(JSONParser.Failure) -> NodeConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw JSONParser.Failure(file: path, line: 0, field: "", reason: "cannot read the file: \(error.fileReason)")
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws(JSONParser.Failure) -> NodeConfiguration {
        let document = try JSONDocument(text: text, file: file)
        try document.allowOnly("", fields)
        let folder = URL(fileURLWithPath: file).deletingLastPathComponent()
        func path(_ field: String) throws(JSONParser.Failure) -> String {
            let value = try document.string(field)
            guard !value.isEmpty else { throw document.failure(field, "must not be empty") }
            return value.hasPrefix("/") ? value : folder.appendingPathComponent(value).standardizedFileURL.path
        }
        func address(_ field: String) throws(JSONParser.Failure) -> NetworkAddress {
            let text = try document.string(field)
            guard let address = NetworkAddress(text) else { throw document.failure(field, "\"\(text)\" is not host:port") }
            return address
        }
        let control = try address("control")
        guard control.isLoopback else {
            throw document.failure("control", "the operator channel listens on loopback only (127.0.0.1, ::1 or localhost)")
        }
        var peers: [Peer] = []
        for index in 0..<(try document.count("peers", required: false)) {
            let field = "peers.\(index)"
            try document.allowOnly(field, ["council", "address"])
            let peer = Peer(council: try document.identifier("\(field).council"), address: try address("\(field).address"))
            guard !peers.contains(where: { $0.council == peer.council }) else { throw document.failure("\(field).council", "\(peer.council) is listed twice") }
            peers.append(peer)
        }
        var limits = NodeLimits()
        if document.value("limits") != nil {
            try document.allowOnly("limits", limitFields)
            func limit(_ name: String, _ fallback: Int) throws(JSONParser.Failure) -> Int {
                let value = try document.integer("limits.\(name)", default: fallback)
                guard value >= 1 else { throw document.failure("limits.\(name)", "must be at least 1") }
                return value
            }
            limits.maxPeers = try limit("max_peers", limits.maxPeers)
            limits.outboundQueue = try limit("outbound_queue", limits.outboundQueue)
            limits.handshakeTimeoutMilliseconds = try limit("handshake_timeout_ms", limits.handshakeTimeoutMilliseconds)
            limits.heartbeatIntervalMilliseconds = try limit("heartbeat_interval_ms", limits.heartbeatIntervalMilliseconds)
            limits.deadLinkAfterMilliseconds = try limit("dead_link_after_ms", limits.deadLinkAfterMilliseconds)
            limits.maxInvalidFrames = try limit("max_invalid_frames", limits.maxInvalidFrames)
            limits.maxPending = try limit("max_pending", limits.maxPending)
        }
        return NodeConfiguration(
            file: file, council: try document.identifier("council"), keyFile: try path("key"), rosterFile: try path("roster"),
            dataDirectory: try path("data"), listen: try address("listen"), control: control,
            metrics: document.value("metrics") == nil ? nil : try address("metrics"), peers: peers, limits: limits)
    }

    /// Checks the config against the roster it names: the council and its peers must be in it.
    public func check(against roster: Roster) throws(JSONParser.Failure) {
        guard roster.council(named: council) != nil else {
            throw JSONParser.Failure(file: file, line: 0, field: "council", reason: "\(council) is not a council of the roster \(rosterFile)")
        }
        for peer in peers where roster.council(named: peer.council) == nil || peer.council == council {
            throw JSONParser.Failure(file: file, line: 0, field: "peers", reason: "peer \(peer.council) is not another council of the roster")
        }
    }
}
