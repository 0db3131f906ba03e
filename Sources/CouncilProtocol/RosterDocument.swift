import CouncilWire

/// The roster's JSON form (Spec §12.1): what `roster.json` files hold. Only the canonical encoding
/// counts for the roster hash; this is the readable way to write one.
public enum RosterDocument {
    public static func parse(_ text: String, file: String) throws(JSONParser.Failure) -> Roster {
        let document = try JSONDocument(text: text, file: file)
        try document.allowOnly("", ["federation", "councils", "bodies", "description"])
        let federation = try document.identifier("federation")
        var councils: [Roster.Council] = []
        var keys: Set<PublicKey> = []
        func bounded(_ path: String, required: Bool = true) throws(JSONParser.Failure) -> Int {
            let count = try document.count(path, required: required)
            guard count <= Limits.maxRosterEntries else { throw document.failure(path, "at most \(Limits.maxRosterEntries) entries") }
            return count
        }
        for index in 0..<(try bounded("councils")) {
            let path = "councils.\(index)"
            try document.allowOnly(path, ["name", "display", "key", "electors_key"])
            let council = Roster.Council(name: try document.identifier("\(path).name"), key: try document.bytes32("\(path).key"),
                                         electorsKey: try document.bytes32("\(path).electors_key"))
            guard !councils.contains(where: { $0.name == council.name }) else { throw document.failure("\(path).name", "council \(council.name) appears twice") }
            guard keys.insert(council.key).inserted else { throw document.failure("\(path).key", "this key is already used in the roster") }
            guard keys.insert(council.electorsKey).inserted else { throw document.failure("\(path).electors_key", "this key is already used in the roster") }
            councils.append(council)
        }
        guard !councils.isEmpty else { throw document.failure("councils", "a roster needs at least one council") }
        var bodies: [Roster.Body] = []
        for index in 0..<(try bounded("bodies", required: false)) {
            let path = "bodies.\(index)"
            try document.allowOnly(path, ["name", "display", "rules", "seats"])
            let name = try document.identifier("\(path).name")
            var rules: [DecisionRule] = []
            for ruleIndex in 0..<(try document.count("\(path).rules")) {
                let rulePath = "\(path).rules.\(ruleIndex)"
                let text = try document.string(rulePath)
                guard let rule = DecisionRule.allCases.first(where: { $0.description == text }) else {
                    throw document.failure(rulePath, "\"\(text)\" is not a rule (majority, two-thirds, unanimity)")
                }
                rules.append(rule)
            }
            guard !rules.isEmpty else { throw document.failure("\(path).rules", "a body allows at least one rule") }
            var seats: [Roster.Seat] = []
            for seatIndex in 0..<(try bounded("\(path).seats")) {
                let seatPath = "\(path).seats.\(seatIndex)"
                try document.allowOnly(seatPath, ["name", "council", "max_weight"])
                let seat = Roster.Seat(name: try document.identifier("\(seatPath).name"), council: try document.identifier("\(seatPath).council"),
                                       maxWeight: try document.integer("\(seatPath).max_weight", UInt16.self, default: 1))
                guard councils.contains(where: { $0.name == seat.council }) else {
                    throw document.failure("\(seatPath).council", "council \(seat.council) is not in the roster")
                }
                guard seat.maxWeight >= 1 else { throw document.failure("\(seatPath).max_weight", "must be at least 1") }
                guard !seats.contains(where: { $0.name == seat.name }) else { throw document.failure("\(seatPath).name", "seat \(seat.name) appears twice") }
                seats.append(seat)
            }
            guard !seats.isEmpty else { throw document.failure("\(path).seats", "a body has at least one seat") }
            guard !bodies.contains(where: { $0.name == name }) else { throw document.failure("\(path).name", "body \(name) appears twice") }
            bodies.append(Roster.Body(name: name, rules: rules, seats: seats))
        }
        return Roster(federation: federation, councils: councils, bodies: bodies)
    }

    /// Writes a roster as JSON, with optional display names for councils.
    public static func render(_ roster: Roster, displayNames: [String: String] = [:]) -> String {
        let councils: [JSONValue] = roster.councils.map { council in
            var fields: [String: JSONValue] = ["name": .string(council.name), "key": .string(council.key.description),
                                               "electors_key": .string(council.electorsKey.description)]
            if let display = displayNames[council.name] { fields["display"] = .string(display) }
            return .object(fields)
        }
        let bodies: [JSONValue] = roster.bodies.map { body in
            [
                "name": .string(body.name),
                "rules": .array(DecisionRule.allCases.filter(body.allows).map { .string($0.description) }),
                "seats": .array(body.seats.map { ["name": .string($0.name), "council": .string($0.council), "max_weight": .uint($0.maxWeight)] }),
            ]
        }
        return JSONValue.object(["federation": .string(roster.federation), "councils": .array(councils), "bodies": .array(bodies)]).rendered() + "\n"
    }
}
