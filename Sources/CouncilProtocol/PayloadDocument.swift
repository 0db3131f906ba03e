import CouncilWire

/// Reads an act from JSON, with the field names of Spec §6 (the same names `--json` output and the
/// test vectors use) and the act's kind under `act`: `{"act": "VOTE", "resolution": "…", "choice": "for"}`.
/// (`kind` is a PROPOSAL's own field: the kind of question.)
public enum PayloadDocument {
    public static func parse(_ document: JSONDocument, at path: String) throws(JSONParser.Failure) -> Payload {
        func field(_ name: String) -> String { JSONParser.join(path, name) }
        let kind = try document.string(field("act"))
        /// Text within its field's limit (Spec §11): the encoder must never see an over-long value.
        func text(_ name: String, max: Int = Limits.maxStatementLength) throws(JSONParser.Failure) -> String {
            let value = try document.optionalString(field(name)) ?? ""
            guard value.utf8.count <= max else { throw document.failure(field(name), "is \(value.utf8.count) bytes; at most \(max) are allowed") }
            return value
        }
        func choice(_ name: String) throws(JSONParser.Failure) -> Choice {
            let value = try document.string(field(name))
            guard let choice = Choice.allCases.first(where: { $0.description == value }) else {
                throw document.failure(field(name), "\"\(value)\" is not a choice (for, against, abstain)")
            }
            return choice
        }
        func identifiers(_ name: String) throws(JSONParser.Failure) -> [String] {
            var items: [String] = []
            for index in 0..<(try document.count(field(name))) { items.append(try document.identifier(field("\(name).\(index)"))) }
            return items
        }
        switch kind {
        case "MANDATE":
            var instructions: [Mandate.Instruction] = []
            let instructionCount = try document.count(field("instructions"), required: false)
            guard instructionCount <= Limits.maxInstructions else {
                throw document.failure(field("instructions"), "at most \(Limits.maxInstructions) instructions")
            }
            for index in 0..<instructionCount {
                instructions.append(.init(question: try document.identifier(field("instructions.\(index).question")),
                                          choice: try choice("instructions.\(index).choice")))
            }
            guard Set(instructions.map(\.question)).count == instructions.count else {
                throw document.failure(field("instructions"), "a question is instructed twice")
            }
            let scope = try identifiers("scope")
            guard (1...Limits.maxScopeEntries).contains(scope.count), Set(scope).count == scope.count else {
                throw document.failure(field("scope"), "must list 1 to \(Limits.maxScopeEntries) distinct kinds")
            }
            return .mandate(Mandate(
                body: try document.identifier(field("body")), seat: try document.identifier(field("seat")),
                delegate: try document.bytes32(field("delegate")), weight: try document.integer(field("weight"), UInt16.self, default: 1),
                validFrom: try document.integer(field("valid_from"), UInt64.self), validUntil: try document.integer(field("valid_until"), UInt64.self),
                scope: scope, instructions: instructions))
        case "RECALL":
            return .recall(Recall(mandate: try document.bytes32(field("mandate")), reason: try text("reason")))
        case "PROPOSAL":
            let ruleName = try document.string(field("rule"))
            guard let rule = DecisionRule.allCases.first(where: { $0.description == ruleName }) else {
                throw document.failure(field("rule"), "\"\(ruleName)\" is not a rule (majority, two-thirds, unanimity)")
            }
            return .proposal(Proposal(
                mandate: try document.bytes32(field("mandate")), question: try document.identifier(field("question")),
                kind: try document.identifier(field("kind")), rule: rule, quorum: try document.integer(field("quorum"), UInt16.self, default: 1),
                closesAt: try document.integer(field("closes_at"), UInt64.self, default: 0), title: try text("title", max: Limits.maxTitleLength),
                text: try text("text", max: Limits.maxResolutionTextLength)))
        case "VOTE":
            return .vote(Vote(resolution: try document.bytes32(field("resolution")), mandate: try document.bytes32(field("mandate")),
                              choice: try choice("choice"), statement: try text("statement")))
        case "REPLACE":
            return .replacement(Replacement(council: try document.identifier(field("council")), newKey: try document.bytes32(field("new_key")),
                                            reason: try text("reason")))
        case "DISSOLVE":
            return .dissolution(Dissolution(council: try document.identifier(field("council")), statement: try text("statement")))
        default:
            throw document.failure(field("act"), "\"\(kind)\" is not an act that can be drafted (MANDATE, RECALL, PROPOSAL, VOTE, REPLACE, DISSOLVE; CLOSE is drafted by `close`)")
        }
    }
}

/// The payload's JSON with its kind, as `PayloadDocument` reads it back.
extension Payload {
    public var documentJSON: JSONValue {
        guard case .object(var fields) = json else { return json }
        fields["act"] = .string(kind.description)
        return .object(fields)
    }
}
