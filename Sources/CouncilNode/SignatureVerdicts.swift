import CouncilWire
import NIOConcurrencyHelpers

/// [SIG-3] Signature checks shared by all of a node's links. In a mesh each message arrives once
/// per peer, often several copies before the first is decided; an ID names its bytes, signature
/// included ([ID-1]), so one check answers for every copy. A reader claims the IDs it will check; a copy
/// whose ID another reader has claimed, or has found valid, is not checked again: its reader waits
/// for that verdict and passes a valid one on. The core checks only copies found invalid (for their
/// codes; an invalid verdict is not remembered) or whose verdict was forgotten.
final class SignatureVerdicts: Sendable {
    private struct State {
        var inFlight: Set<MessageID> = []
        /// Readers waiting for the verdict on an ID in flight.
        var waiters: [MessageID: [CheckedContinuation<Void, Never>]] = [:]
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

    /// Records the outcome of a claimed check and wakes the readers waiting for it.
    func settle(_ id: MessageID, valid: Bool) {
        let waiters = state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            state.inFlight.remove(id)
            let waiters = state.waiters.removeValue(forKey: id) ?? []
            guard valid, state.valid.insert(id).inserted else { return waiters }
            if state.ring.count < capacity {
                state.ring.append(id)
            } else {
                state.valid.remove(state.ring[state.next])
                state.ring[state.next] = id
                state.next = (state.next + 1) % capacity
            }
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Whether each ID was found valid, once no check of it is in flight. Call it only after
    /// settling every ID this reader claimed: a claimed check never waits, so neither does this
    /// for long.
    func verdicts(of ids: [MessageID]) async -> [Bool] {
        for id in state.withLockedValue({ state in ids.filter(state.inFlight.contains) }) { await settlement(of: id) }
        return state.withLockedValue { state in ids.map(state.valid.contains) }
    }

    /// Returns once no check of `id` is in flight.
    private func settlement(of id: MessageID) async {
        await withCheckedContinuation { continuation in
            let settled = state.withLockedValue { state -> Bool in
                guard state.inFlight.contains(id) else { return true }
                state.waiters[id, default: []].append(continuation)
                return false
            }
            if settled { continuation.resume() }
        }
    }

    func isValid(_ id: MessageID) -> Bool { state.withLockedValue { $0.valid.contains(id) } }

    /// Readers waiting for a verdict (for tests that must know a reader is waiting).
    var waiting: Int { state.withLockedValue { $0.waiters.values.reduce(0) { $0 + $1.count } } }
}
