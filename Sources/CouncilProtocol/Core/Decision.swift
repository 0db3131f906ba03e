import CouncilWire

/// What the core decided about one message (§8.3, §12.3).
public enum Decision: Hashable, Sendable {
    /// Valid: now part of the state, to be stored and relayed.
    case accepted(SignedMessage)
    /// Already accepted; nothing changed ([CORE-4]).
    case duplicate(MessageID)
    /// Awaiting dependencies or the clock ([CORE-2], [ORDER-7]); to be stored, not relayed.
    case held(SignedMessage)
    /// Invalid, with its registry code; nothing changed, nothing to relay.
    case rejected(MessageID, WireError)

    public var id: MessageID {
        switch self {
        case .accepted(let message), .held(let message): message.id
        case .duplicate(let id), .rejected(let id, _): id
        }
    }
}

/// One accepted message with what the core derived for it. A class, because indexes and views
/// pass entries around constantly: a reference costs one retain and 8 bytes in the ID index,
/// where a copy of the whole message would cost a dozen retains and 300 bytes per slot.
///
/// It keeps the decoded message, not its bytes: decoding accepts only the canonical form
/// ([ENC-1]), so encoding the decoded message gives the same bytes back when a peer needs them
/// (`signed`), and a stored message costs a third less memory.
public final class LedgerEntry: Sendable {
    public let message: GovernanceMessage
    public let id: MessageID
    public let author: Int
    /// The clock of the message's causal past *and the message itself*.
    public let clock: CausalClock
    /// Position in acceptance order: a causal order, since dependencies are accepted first.
    public let position: Int

    init(message: SignedMessage, author: Int, clock: CausalClock, position: Int) {
        self.message = message.message
        id = message.id
        self.author = author
        self.clock = clock
        self.position = position
    }

    /// The message with its canonical bytes, for a peer or the store.
    public var signed: SignedMessage { SignedMessage(canonical: message, id: id) }
    public var sequence: UInt64 { message.sequence }
    public var timestamp: UInt64 { message.timestamp }
    public var payload: Payload { message.payload }

    /// Whether `other` is in this message's causal past (§12.2).
    public func hasInPast(_ other: LedgerEntry) -> Bool {
        other.position != position && clock.contains(author: other.author, sequence: other.sequence)
    }
}

/// A closed set of accepted messages: the causal past of one message, or everything accepted.
public struct LedgerView: Sendable {
    /// nil means every accepted message.
    let clock: CausalClock?

    public static let everything = LedgerView(clock: nil)

    public func contains(_ entry: LedgerEntry) -> Bool {
        guard let clock else { return true }
        return clock.contains(author: entry.author, sequence: entry.sequence)
    }
}
