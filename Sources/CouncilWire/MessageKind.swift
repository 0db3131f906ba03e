/// The kind byte of a governance message (§6.1).
public enum MessageKind: UInt8, CaseIterable, Sendable, CustomStringConvertible {
    case mandate = 1
    case recall = 2
    case proposal = 3
    case vote = 4
    case close = 5
    case replacement = 6
    case dissolution = 7

    public var description: String {
        switch self {
        case .mandate: "MANDATE"
        case .recall: "RECALL"
        case .proposal: "PROPOSAL"
        case .vote: "VOTE"
        case .close: "CLOSE"
        case .replacement: "REPLACE"
        case .dissolution: "DISSOLVE"
        }
    }
}

/// How a delegate votes: for, against, or abstaining (§6.5). Abstentions are recorded, not lost.
public enum Choice: UInt8, CaseIterable, Sendable, CustomStringConvertible {
    case yes = 1
    case no = 2
    case abstain = 3

    public var description: String {
        switch self {
        case .yes: "for"
        case .no: "against"
        case .abstain: "abstain"
        }
    }
}

/// How a resolution is decided (§12.6).
public enum DecisionRule: UInt8, CaseIterable, Sendable, CustomStringConvertible {
    /// More weight for than against among votes cast; abstentions count for the quorum only.
    case majority = 1
    /// At least two thirds of the weight cast for or against is for.
    case twoThirds = 2
    /// No weight against, and some for.
    case unanimity = 3

    public var description: String {
        switch self {
        case .majority: "majority"
        case .twoThirds: "two-thirds"
        case .unanimity: "unanimity"
        }
    }

    /// The bit this rule has in a body's `rules` mask in the roster (§12.1).
    public var maskBit: UInt8 { 1 << (rawValue - 1) }
}

/// The result a CLOSE declares (§6.6).
public enum Outcome: UInt8, CaseIterable, Sendable, CustomStringConvertible {
    case adopted = 1
    case rejected = 2
    case noQuorum = 3

    public var description: String {
        switch self {
        case .adopted: "adopted"
        case .rejected: "rejected"
        case .noQuorum: "no-quorum"
        }
    }
}

extension WireReader {
    /// Reads a one-byte enumeration; a value outside it is not canonical ([ENC-8]).
    public mutating func enumeration<E: RawRepresentable>(_ type: E.Type, _ what: @autoclosure () -> String) throws(WireError) -> E
    where E.RawValue == UInt8 {
        let raw = try u8(what())
        guard let value = E(rawValue: raw) else { throw fail("\(what()) value \(raw) is not defined") }
        return value
    }
}
