/// [SYNC-4] One link's SYNCs: how many are unanswered, and whether a round of SYNC passed the link
/// over meanwhile. A node sends no SYNC on a link while one there is unanswered; the round it held
/// back goes out once the answer is complete, with the vector of that moment. A value, like
/// `InvalidFrameBudget`, that the shell keeps per link.
public struct SyncRounds: Sendable {
    public private(set) var unanswered = 0
    private var heldBack = false

    public init() {}

    /// A SYNC went out.
    public mutating func sent() { unanswered += 1 }

    /// A round of SYNC ([SYNC-4], [SYNC-6]): true if it goes out now, false if it waits for the
    /// answer to an earlier SYNC.
    public mutating func offer() -> Bool {
        if unanswered > 0 { heldBack = true }
        return unanswered == 0
    }

    /// SYNC_DONE arrived: the oldest SYNC is answered. True if a round waited for it, and SYNC
    /// should go out now.
    public mutating func answered() -> Bool {
        unanswered = max(0, unanswered - 1)
        guard unanswered == 0, heldBack else { return false }
        heldBack = false
        return true
    }
}
