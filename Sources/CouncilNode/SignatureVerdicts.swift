import CouncilWire
import NIOConcurrencyHelpers

/// [SIG-3] Signature checks shared by all of a node's links. In a mesh each message arrives once
/// per peer, often several copies before the first is decided; an ID names its bytes, signature
/// included, so one check answers for every copy. A reader claims the IDs it will check; a copy
/// whose ID another reader has claimed, or has found valid, is not checked again.
final class SignatureVerdicts: Sendable {
    private struct State {
        var inFlight: Set<MessageID> = []
        var valid: Set<MessageID> = []
        /// The valid IDs in the order found, so that the oldest are forgotten first.
        var ring: [MessageID] = []
        var next = 0
    }

    private let state = NIOLockedValueBox(State())
    /// How many recent valid IDs are remembered: enough to cover the copies of the bursts in flight
    /// (two per link).
    let capacity: Int

    init(capacity: Int = 8_192) {
        precondition(capacity > 0, "a verdict cache holds at least one ID")
        self.capacity = capacity
    }

    /// For each ID, whether the caller should check it: false if another reader is checking it or
    /// found it valid. IDs the caller should check are claimed until `settle`.
    func claim(_ ids: [MessageID]) -> [Bool] {
        state.withLockedValue { state in
            ids.map { id in
                guard !state.valid.contains(id) else { return false }
                return state.inFlight.insert(id).inserted
            }
        }
    }

    /// Records the outcome of a claimed check.
    func settle(_ id: MessageID, valid: Bool) {
        state.withLockedValue { state in
            state.inFlight.remove(id)
            guard valid, state.valid.insert(id).inserted else { return }
            if state.ring.count < capacity {
                state.ring.append(id)
            } else {
                state.valid.remove(state.ring[state.next])
                state.ring[state.next] = id
                state.next = (state.next + 1) % capacity
            }
        }
    }

    func isValid(_ id: MessageID) -> Bool { state.withLockedValue { $0.valid.contains(id) } }
}
