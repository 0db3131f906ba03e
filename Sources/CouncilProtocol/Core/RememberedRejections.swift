import CouncilWire

/// [CORE-4] The rejections a node remembers: the most recent `capacity`. Each costs memory until it
/// is forgotten, and a peer can send junk without end, so the oldest are forgotten first; a
/// forgotten message is decided anew, and what is built on it is held rather than rejected.
struct RememberedRejections: Sendable {
    let capacity: Int
    private var errors: [MessageID: WireError] = [:]
    /// Rejected as EQUIVOCATION, or as DEPENDENCY_REJECTED on such a message ([ACK-6]).
    private var fromEquivocation: Set<MessageID> = []
    /// Remembered IDs, oldest at `next` once the ring is full.
    private var ring: [MessageID] = []
    private var next = 0

    init(capacity: Int) {
        precondition(capacity > 0, "a node remembers at least one rejection")
        self.capacity = capacity
    }

    subscript(id: MessageID) -> WireError? { errors[id] }

    func tracesToEquivocation(_ id: MessageID) -> Bool { fromEquivocation.contains(id) }

    mutating func remember(_ id: MessageID, _ error: WireError, tracesToEquivocation: Bool) {
        if tracesToEquivocation { fromEquivocation.insert(id) }
        guard errors.updateValue(error, forKey: id) == nil else { return }
        guard ring.count == capacity else {
            ring.append(id)
            return
        }
        errors[ring[next]] = nil
        fromEquivocation.remove(ring[next])
        ring[next] = id
        next = (next + 1) % capacity
    }
}
