/// The federation's founding document (§12.1): its councils with their pinned keys, and its bodies
/// with their seats. Every node of a federation holds the same roster; the handshake compares
/// its hash ([HS-4]) and every signature covers it ([SIG-2]).
public struct Roster: WireCodable {
    public struct Council: Hashable, Sendable {
        public var name: String
        /// Signs the council's acts and its side of the handshake.
        public var key: PublicKey
        /// The council's electors (its workers' assembly): may replace or dissolve the council (§12.7).
        public var electorsKey: PublicKey

        public init(name: String, key: PublicKey, electorsKey: PublicKey) {
            self.name = name
            self.key = key
            self.electorsKey = electorsKey
        }
    }

    public struct Seat: Hashable, Sendable {
        public var name: String
        /// The council whose mandates fill this seat.
        public var council: String
        public var maxWeight: UInt16

        public init(name: String, council: String, maxWeight: UInt16 = 1) {
            self.name = name
            self.council = council
            self.maxWeight = maxWeight
        }
    }

    public struct Body: Hashable, Sendable {
        public var name: String
        /// Bit set of allowed `DecisionRule`s (`maskBit`).
        public var rules: UInt8
        public var seats: [Seat]

        public init(name: String, rules: [DecisionRule], seats: [Seat]) {
            self.name = name
            self.rules = rules.reduce(0) { $0 | $1.maskBit }
            self.seats = seats.sorted { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }
        }

        public func allows(_ rule: DecisionRule) -> Bool { rules & rule.maskBit != 0 }
        public func seat(named name: String) -> Seat? { seats.first { $0.name == name } }
    }

    public var federation: String
    public var councils: [Council]
    public var bodies: [Body]

    public init(federation: String, councils: [Council], bodies: [Body]) {
        self.federation = federation
        self.councils = councils.sorted { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }
        self.bodies = bodies.sorted { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }
    }

    public func council(named name: String) -> Council? { councils.first { $0.name == name } }
    public func body(named name: String) -> Body? { bodies.first { $0.name == name } }

    public func encode(into writer: inout WireWriter) {
        writer.identifier(federation)
        writer.u16(UInt16(councils.count))
        for council in councils {
            writer.identifier(council.name)
            writer.bytes32(council.key)
            writer.bytes32(council.electorsKey)
        }
        writer.u16(UInt16(bodies.count))
        for body in bodies {
            writer.identifier(body.name)
            writer.u8(body.rules)
            writer.u16(UInt16(body.seats.count))
            for seat in body.seats {
                writer.identifier(seat.name)
                writer.identifier(seat.council)
                writer.u16(seat.maxWeight)
            }
        }
    }

    public init(from reader: inout WireReader) throws(WireError) {
        federation = try reader.identifier("federation")
        let councilCount = Int(try reader.u16("council count"))
        guard councilCount >= 1, councilCount <= Limits.maxRosterEntries else {
            throw reader.fail("\(councilCount) councils; a roster has 1 to \(Limits.maxRosterEntries)")
        }
        var councils = [Council]()
        var keys = Set<PublicKey>()
        for _ in 0..<councilCount {
            let council = Council(name: try reader.identifier("council name"), key: try reader.bytes32("council key"),
                                  electorsKey: try reader.bytes32("electors key"))
            if let last = councils.last, !Array(last.name.utf8).lexicographicallyPrecedes(Array(council.name.utf8)) {
                throw reader.fail("councils are not in strictly ascending name order")
            }
            guard keys.insert(council.key).inserted, keys.insert(council.electorsKey).inserted else {
                throw reader.fail("council \(council.name) reuses a key; every key in a roster is distinct")
            }
            councils.append(council)
        }
        let bodyCount = Int(try reader.u16("body count"))
        guard bodyCount <= Limits.maxRosterEntries else { throw reader.fail("\(bodyCount) bodies; at most \(Limits.maxRosterEntries)") }
        var bodies = [Body]()
        for _ in 0..<bodyCount {
            let name = try reader.identifier("body name")
            if let last = bodies.last, !Array(last.name.utf8).lexicographicallyPrecedes(Array(name.utf8)) {
                throw reader.fail("bodies are not in strictly ascending name order")
            }
            let rules = try reader.u8("rules")
            guard rules != 0, rules & ~0x07 == 0 else { throw reader.fail("body \(name) has rule mask \(rules)") }
            let seatCount = Int(try reader.u16("seat count"))
            guard seatCount >= 1, seatCount <= Limits.maxRosterEntries else {
                throw reader.fail("body \(name) has \(seatCount) seats; 1 to \(Limits.maxRosterEntries)")
            }
            var seats = [Seat]()
            for _ in 0..<seatCount {
                let seat = Seat(name: try reader.identifier("seat name"), council: try reader.identifier("seat council"),
                                maxWeight: try reader.u16("max weight"))
                if let last = seats.last, !Array(last.name.utf8).lexicographicallyPrecedes(Array(seat.name.utf8)) {
                    throw reader.fail("seats of \(name) are not in strictly ascending name order")
                }
                guard councils.contains(where: { $0.name == seat.council }) else {
                    throw reader.fail("seat \(seat.name) of \(name) names unknown council \(seat.council)")
                }
                guard seat.maxWeight >= 1 else { throw reader.fail("seat \(seat.name) of \(name) has weight 0") }
                seats.append(seat)
            }
            var body = Body(name: name, rules: [], seats: seats)
            body.rules = rules
            bodies.append(body)
        }
        self.councils = councils
        self.bodies = bodies
    }
}
