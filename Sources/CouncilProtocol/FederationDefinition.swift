import CouncilWire

/// An example federation's definition (Spec/EXCHANGES.md §1): its nodes and radio topology, its
/// councils and bodies, and the labels of the keys its scripts use.
public struct FederationDefinition: Sendable {
    public struct Node: Sendable {
        public let council: String
        public let display: String
        public let port: Int
    }

    public let federation: String
    public let description: String
    public let nodes: [Node]
    /// `(a, b)`: node a dials node b.
    public let links: [(String, String)]
    public let councils: [(name: String, display: String)]
    public let bodies: [Roster.Body]
    public let delegates: [String]

    public static func parse(_ text: String, file: String) throws(JSONParser.Failure) -> FederationDefinition {
        let document = try JSONDocument(text: text, file: file)
        try document.allowOnly("", ["federation", "description", "nodes", "links", "councils", "bodies", "delegates"])
        var councils: [(String, String)] = []
        for index in 0..<(try document.count("councils")) {
            try document.allowOnly("councils.\(index)", ["name", "display"])
            councils.append((try document.identifier("councils.\(index).name"), try document.optionalString("councils.\(index).display") ?? ""))
        }
        var nodes: [Node] = []
        for index in 0..<(try document.count("nodes")) {
            let path = "nodes.\(index)"
            try document.allowOnly(path, ["council", "display", "port"])
            let council = try document.identifier("\(path).council")
            guard councils.contains(where: { $0.0 == council }) else { throw document.failure("\(path).council", "\(council) is not in `councils`") }
            let port = try document.integer("\(path).port")
            guard (1_024...65_000).contains(port) else { throw document.failure("\(path).port", "must be from 1024 to 65000") }
            nodes.append(Node(council: council, display: try document.optionalString("\(path).display") ?? council, port: port))
        }
        var links: [(String, String)] = []
        for index in 0..<(try document.count("links")) {
            let path = "links.\(index)"
            guard try document.count(path) == 2 else { throw document.failure(path, "a link is a pair [a, b]") }
            let (a, b) = (try document.identifier("\(path).0"), try document.identifier("\(path).1"))
            for (end, name) in [("0", a), ("1", b)] where !nodes.contains(where: { $0.council == name }) {
                throw document.failure("\(path).\(end)", "\(name) is not a node")
            }
            links.append((a, b))
        }
        var delegates: [String] = []
        for index in 0..<(try document.count("delegates", required: false)) { delegates.append(try document.identifier("delegates.\(index)")) }
        var bodies: [Roster.Body] = []
        for index in 0..<(try document.count("bodies", required: false)) {
            let path = "bodies.\(index)"
            try document.allowOnly(path, ["name", "display", "rules", "seats"])
            var rules: [DecisionRule] = []
            for ruleIndex in 0..<(try document.count("\(path).rules")) {
                let text = try document.string("\(path).rules.\(ruleIndex)")
                guard let rule = DecisionRule.allCases.first(where: { $0.description == text }) else {
                    throw document.failure("\(path).rules.\(ruleIndex)", "\"\(text)\" is not a rule (majority, two-thirds, unanimity)")
                }
                rules.append(rule)
            }
            var seats: [Roster.Seat] = []
            for seatIndex in 0..<(try document.count("\(path).seats")) {
                let seatPath = "\(path).seats.\(seatIndex)"
                try document.allowOnly(seatPath, ["name", "council", "max_weight"])
                let council = try document.identifier("\(seatPath).council")
                guard councils.contains(where: { $0.0 == council }) else { throw document.failure("\(seatPath).council", "\(council) is not in `councils`") }
                seats.append(Roster.Seat(name: try document.identifier("\(seatPath).name"), council: council,
                                         maxWeight: try document.integer("\(seatPath).max_weight", UInt16.self, default: 1)))
            }
            bodies.append(Roster.Body(name: try document.identifier("\(path).name"), rules: rules, seats: seats))
        }
        return FederationDefinition(federation: try document.identifier("federation"), description: try document.optionalString("description") ?? "",
                                    nodes: nodes, links: links, councils: councils.map { (name: $0.0, display: $0.1) }, bodies: bodies, delegates: delegates)
    }

    /// [EXKEY-1] The example key of a label: public, derived, the same on every machine.
    public func key(_ label: String) -> SigningKey {
        SigningKey(seed: Hashing.sha256(Array("COUNCIL/1 EXAMPLE SEED \(federation) \(label)".utf8)))
    }

    /// Every key label of the federation: councils, electors, delegates, successors.
    public var keyLabels: [String] {
        councils.map(\.name) + councils.map { "electors-\($0.name)" } + delegates.map { "delegate-\($0)" } + councils.map { "successor-\($0.name)" }
    }

    public var roster: Roster {
        Roster(federation: federation, councils: councils.map { council in
            Roster.Council(name: council.name, key: key(council.name).publicKey, electorsKey: key("electors-\(council.name)").publicKey)
        }, bodies: bodies)
    }

    /// The nodes a node dials.
    public func peers(of council: String) -> [String] { links.filter { $0.0 == council }.map(\.1) }

    /// Every node linked to `council`, whichever side dials.
    public func neighbours(of council: String) -> [String] {
        links.compactMap { $0.0 == council ? $0.1 : ($0.1 == council ? $0.0 : nil) }
    }
}
