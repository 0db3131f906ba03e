import CouncilWire

/// [LINK-5][ACK-6] A link's budget of invalid frames and rejected messages: once the peer has spent
/// more than `limit`, the link closes with TOO_MANY_INVALID_FRAMES. It is a value apart from
/// `LinkSession` because both the frames a session reads and the messages a node rejects spend it,
/// and a shell may decide messages while its reader goes on reading.
public struct InvalidFrameBudget: Sendable {
    public let limit: Int
    public private(set) var spent = 0

    public init(limit: Int) { self.limit = limit }

    /// [ACK-6] Whether a REJECT with `code` spends the budget: codes of §10.3 and §10.4 (the message
    /// is wrong) do; node conditions of §10.5, from 0x0300, do not. Nor does a rejection that traces
    /// back to an EQUIVOCATION (`Ledger.rejectionTracesToEquivocation`): an honest peer that took
    /// the other of two histories relays it, and everything built on it.
    public static func counts(_ code: ErrorCode, tracesToEquivocation: Bool) -> Bool {
        code < .storageUnavailable && !tracesToEquivocation
    }

    /// True once the link must close: the shell handles nothing more the peer sends.
    public var isExhausted: Bool { spent > limit }

    /// Counts `count` more; returns the notice to close the link with on the spend that exceeds the
    /// budget (only that one: the link closes once).
    public mutating func spend(_ count: Int = 1) -> ErrorNotice? {
        let wasExhausted = isExhausted
        spent += count
        guard isExhausted, !wasExhausted else { return nil }
        return ErrorNotice(code: .tooManyInvalidFrames, detail: "\(spent) invalid frames")
    }
}
