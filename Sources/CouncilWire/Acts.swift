/// RECALL (§6.3): the issuing council revokes a mandate, effective at once.
public struct Recall: WireCodable {
    public var mandate: MessageID
    public var reason: String

    public init(mandate: MessageID, reason: String) {
        self.mandate = mandate
        self.reason = reason
    }

    public func encode(into writer: inout WireWriter) {
        writer.bytes32(mandate)
        writer.text(reason, max: Limits.maxStatementLength)
    }

    public init(from reader: inout WireReader) throws(WireError) {
        mandate = try reader.bytes32("mandate")
        reason = try reader.text("reason", max: Limits.maxStatementLength)
    }
}

/// PROPOSAL (§6.4): a mandated delegate puts a resolution before its body.
public struct Proposal: WireCodable {
    /// The proposer's own mandate; the body is that mandate's body.
    public var mandate: MessageID
    /// Names the question, so that mandates can bind a vote on it.
    public var question: String
    /// The kind of question, checked against mandates' scopes.
    public var kind: String
    public var rule: DecisionRule
    /// Seats that must have a counted vote (any choice) for the resolution to be decided.
    public var quorum: UInt16
    /// [CLOSE-2] The earliest CLOSE timestamp, in milliseconds since the Unix epoch.
    public var closesAt: UInt64
    public var title: String
    public var text: String

    public init(
        mandate: MessageID, question: String, kind: String, rule: DecisionRule, quorum: UInt16, closesAt: UInt64,
        title: String, text: String
    ) {
        self.mandate = mandate
        self.question = question
        self.kind = kind
        self.rule = rule
        self.quorum = quorum
        self.closesAt = closesAt
        self.title = title
        self.text = text
    }

    public func encode(into writer: inout WireWriter) {
        writer.bytes32(mandate)
        writer.identifier(question)
        writer.identifier(kind)
        writer.u8(rule.rawValue)
        writer.u16(quorum)
        writer.u64(closesAt)
        writer.text(title, max: Limits.maxTitleLength)
        writer.text(text, max: Limits.maxResolutionTextLength)
    }

    public init(from reader: inout WireReader) throws(WireError) {
        mandate = try reader.bytes32("mandate")
        question = try reader.identifier("question")
        kind = try reader.identifier("kind")
        rule = try reader.enumeration(DecisionRule.self, "rule")
        quorum = try reader.u16("quorum")
        closesAt = try reader.u64("closes_at")
        title = try reader.text("title", max: Limits.maxTitleLength)
        text = try reader.text("text", max: Limits.maxResolutionTextLength)
    }
}

/// VOTE (§6.5): a delegate votes on a resolution under its mandate; a statement records dissent.
public struct Vote: WireCodable {
    public var resolution: MessageID
    public var mandate: MessageID
    public var choice: Choice
    public var statement: String

    public init(resolution: MessageID, mandate: MessageID, choice: Choice, statement: String = "") {
        self.resolution = resolution
        self.mandate = mandate
        self.choice = choice
        self.statement = statement
    }

    public func encode(into writer: inout WireWriter) {
        writer.bytes32(resolution)
        writer.bytes32(mandate)
        writer.u8(choice.rawValue)
        writer.text(statement, max: Limits.maxStatementLength)
    }

    public init(from reader: inout WireReader) throws(WireError) {
        resolution = try reader.bytes32("resolution")
        mandate = try reader.bytes32("mandate")
        choice = try reader.enumeration(Choice.self, "choice")
        statement = try reader.text("statement", max: Limits.maxStatementLength)
    }
}

/// The weights and seats counted for a resolution (§12.6).
public struct Tally: Hashable, Sendable {
    public var outcome: Outcome
    public var yes: UInt32
    public var no: UInt32
    public var abstain: UInt32
    public var seatsVoted: UInt16

    public init(outcome: Outcome, yes: UInt32, no: UInt32, abstain: UInt32, seatsVoted: UInt16) {
        self.outcome = outcome
        self.yes = yes
        self.no = no
        self.abstain = abstain
        self.seatsVoted = seatsVoted
    }
}

/// CLOSE (§6.6): ends voting on a resolution and declares the tally of what its author had seen.
public struct Close: WireCodable {
    public var resolution: MessageID
    public var tally: Tally

    public init(resolution: MessageID, tally: Tally) {
        self.resolution = resolution
        self.tally = tally
    }

    public func encode(into writer: inout WireWriter) {
        writer.bytes32(resolution)
        writer.u8(tally.outcome.rawValue)
        writer.u32(tally.yes)
        writer.u32(tally.no)
        writer.u32(tally.abstain)
        writer.u16(tally.seatsVoted)
    }

    public init(from reader: inout WireReader) throws(WireError) {
        resolution = try reader.bytes32("resolution")
        tally = Tally(
            outcome: try reader.enumeration(Outcome.self, "outcome"),
            yes: try reader.u32("for"),
            no: try reader.u32("against"),
            abstain: try reader.u32("abstain"),
            seatsVoted: try reader.u16("seats_voted")
        )
    }
}

/// REPLACE (§6.7): a council's electors (or the council itself) put a new key in place of the old.
public struct Replacement: WireCodable {
    public var council: String
    public var newKey: PublicKey
    public var reason: String

    public init(council: String, newKey: PublicKey, reason: String) {
        self.council = council
        self.newKey = newKey
        self.reason = reason
    }

    public func encode(into writer: inout WireWriter) {
        writer.identifier(council)
        writer.bytes32(newKey)
        writer.text(reason, max: Limits.maxStatementLength)
    }

    public init(from reader: inout WireReader) throws(WireError) {
        council = try reader.identifier("council")
        newKey = try reader.bytes32("new_key")
        reason = try reader.text("reason", max: Limits.maxStatementLength)
    }
}

/// DISSOLVE (§6.8): a council returns all its mandates and issues nothing more.
public struct Dissolution: WireCodable {
    public var council: String
    public var statement: String

    public init(council: String, statement: String) {
        self.council = council
        self.statement = statement
    }

    public func encode(into writer: inout WireWriter) {
        writer.identifier(council)
        writer.text(statement, max: Limits.maxStatementLength)
    }

    public init(from reader: inout WireReader) throws(WireError) {
        council = try reader.identifier("council")
        statement = try reader.text("statement", max: Limits.maxStatementLength)
    }
}
