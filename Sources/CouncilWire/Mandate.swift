/// MANDATE (§6.2): a council names a delegate to one of its seats in a body, with a scope, binding
/// instructions, a weight and a validity period.
public struct Mandate: WireCodable {
    /// A binding instruction: on `question`, vote `choice`.
    public struct Instruction: Hashable, Sendable {
        public var question: String
        public var choice: Choice
        public init(question: String, choice: Choice) {
            self.question = question
            self.choice = choice
        }
    }

    public var body: String
    public var seat: String
    public var delegate: PublicKey
    public var weight: UInt16
    /// Milliseconds since the Unix epoch, inclusive.
    public var validFrom: UInt64
    /// Milliseconds since the Unix epoch, exclusive.
    public var validUntil: UInt64
    /// Kinds of question the delegate may act on, sorted, each once.
    public var scope: [String]
    /// Sorted by question, each question once.
    public var instructions: [Instruction]

    public init(
        body: String, seat: String, delegate: PublicKey, weight: UInt16, validFrom: UInt64, validUntil: UInt64,
        scope: [String], instructions: [Instruction] = []
    ) {
        self.body = body
        self.seat = seat
        self.delegate = delegate
        self.weight = weight
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.scope = scope.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        self.instructions = instructions.sorted { Array($0.question.utf8).lexicographicallyPrecedes(Array($1.question.utf8)) }
    }

    public func encode(into writer: inout WireWriter) {
        writer.identifier(body)
        writer.identifier(seat)
        writer.bytes32(delegate)
        writer.u16(weight)
        writer.u64(validFrom)
        writer.u64(validUntil)
        writer.u8(UInt8(scope.count))
        for kind in scope { writer.identifier(kind) }
        writer.u8(UInt8(instructions.count))
        for instruction in instructions {
            writer.identifier(instruction.question)
            writer.u8(instruction.choice.rawValue)
        }
    }

    public init(from reader: inout WireReader) throws(WireError) {
        body = try reader.identifier("body")
        seat = try reader.identifier("seat")
        delegate = try reader.bytes32("delegate")
        weight = try reader.u16("weight")
        validFrom = try reader.u64("valid_from")
        validUntil = try reader.u64("valid_until")
        let scopeCount = Int(try reader.u8("scope count"))
        guard (1...Limits.maxScopeEntries).contains(scopeCount) else {
            throw reader.fail("scope has \(scopeCount) entries; 1 to \(Limits.maxScopeEntries) are allowed")
        }
        scope = try reader.sortedIdentifiers(count: scopeCount, "scope")
        let instructionCount = Int(try reader.u8("instruction count"))
        guard instructionCount <= Limits.maxInstructions else {
            throw reader.fail("\(instructionCount) instructions; at most \(Limits.maxInstructions)")
        }
        var instructions = [Instruction]()
        for _ in 0..<instructionCount {
            let question = try reader.identifier("instruction question")
            if let last = instructions.last, !Array(last.question.utf8).lexicographicallyPrecedes(Array(question.utf8)) {
                throw reader.fail("instructions are not in strictly ascending question order")
            }
            instructions.append(Instruction(question: question, choice: try reader.enumeration(Choice.self, "instruction choice")))
        }
        self.instructions = instructions
    }

    /// The binding instruction for a question, if the mandate has one.
    public func instruction(for question: String) -> Choice? {
        instructions.first { $0.question == question }?.choice
    }
}

extension WireReader {
    /// [ENC-9] A set of identifiers: strictly ascending byte-wise, so each set has one encoding.
    public mutating func sortedIdentifiers(count: Int, _ what: @autoclosure () -> String) throws(WireError) -> [String] {
        var result = [String]()
        result.reserveCapacity(count)
        var previous: String?
        for _ in 0..<count {
            let next = try identifier(what())
            if let previous, !previous.utf8.lexicographicallyPrecedes(next.utf8) {
                throw fail("\(what()) entries are not in strictly ascending order")
            }
            previous = next
            result.append(next)
        }
        return result
    }
}
