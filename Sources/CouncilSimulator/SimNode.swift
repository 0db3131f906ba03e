import CouncilProtocol
import CouncilWire

/// One simulated council node: the core plus what it has made durable. A crash loses the core;
/// a restart rebuilds it from the durable log, as the daemon does from its database.
struct SimNode {
    let council: String
    var ledger: Ledger
    /// Accepted messages in acceptance order: the durable log.
    var log: [SignedMessage] = []
    /// Held messages, durable too ([ACK-2]).
    var held: [MessageID: SignedMessage] = [:]
    var up = true

    init(council: String, roster: Roster, rules: any GovernanceRules) {
        self.council = council
        ledger = Ledger(roster: roster, rules: rules)
    }

    /// Applies decisions to the durable log; returns the messages to relay.
    mutating func record(_ decisions: [Decision]) -> [SignedMessage] {
        var relay: [SignedMessage] = []
        for decision in decisions {
            switch decision {
            case .accepted(let message):
                log.append(message)
                held[message.id] = nil
                relay.append(message)
            case .held(let message):
                held[message.id] = message
            case .rejected(let id, _):
                held[id] = nil
            case .duplicate:
                break
            }
        }
        return relay
    }

    /// Rebuilds the core from the durable log after a crash.
    mutating func restart(roster: Roster, rules: any GovernanceRules, now: UInt64) {
        ledger = Ledger(roster: roster, rules: rules)
        for message in log { _ = ledger.receive(message, now: now, signatureChecked: true) }
        let stillHeld = held.values.sorted { $0.id < $1.id }
        held = [:]
        for message in stillHeld { _ = record(ledger.receive(message, now: now, signatureChecked: true)) }
        up = true
    }
}
