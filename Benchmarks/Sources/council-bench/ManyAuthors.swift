import CouncilConformance
import CouncilProtocol
import CouncilWire
import Foundation

/// Scale in authors: a federation where many delegates speak, each message referencing what its
/// author has seen, as a node drafts it. Every message's causal past then spans every author, which
/// is what makes version vectors expensive (§12.2); the single-author chains of the other
/// scenarios never show it.
enum ManyAuthors {
    /// The test federation with one more body: `seats` seats, all Győr's, so that one council may
    /// mandate that many delegates at once.
    static func roster(seats: Int) -> Roster {
        let base = TestFederation.roster
        let assembly = Roster.Body(name: "assembly", rules: [.majority],
                                   seats: (1...seats).map { Roster.Seat(name: String(format: "seat-%04d", $0), council: "gyor") })
        return Roster(federation: "bench-authors", councils: base.councils, bodies: base.bodies + [assembly])
    }

    /// Győr's mandates for `delegates` delegates, then `rounds` rounds in which each delegate proposes
    /// once, every message drafted (prev and refs) on the causal past a node would have.
    static func messages(roster: Roster, delegates: Int, rounds: Int, now: UInt64 = UInt64(Date().timeIntervalSince1970 * 1_000)) -> [SignedMessage] {
        var ledger = Ledger(roster: roster)
        var messages: [SignedMessage] = []
        func add(_ draft: GovernanceMessage, _ key: SigningKey) -> MessageID {
            let signed = SignedMessage(signing: draft, with: key, rosterHash: roster.hash)
            guard case .accepted = ledger.receive(signed, now: now).first else { fatalError("a many-authors message was not accepted") }
            messages.append(signed)
            return signed.id
        }
        let gyor = TestFederation.key("gyor")
        let keys = (0..<delegates).map { TestFederation.key("author-\($0)") }
        let mandates = keys.enumerated().map { index, key in
            add(ledger.draft(author: gyor.publicKey, payload: .mandate(Mandate(
                body: "assembly", seat: String(format: "seat-%04d", index + 1), delegate: key.publicKey, weight: 1,
                validFrom: now - 3_600_000, validUntil: now + 86_400_000, scope: ["strike"])), now: now), gyor)
        }
        for round in 1...rounds {
            for (key, mandate) in zip(keys, mandates) {
                _ = add(ledger.draft(author: key.publicKey, payload: .proposal(Proposal(
                    mandate: mandate, question: "q-\(round)", kind: "strike", rule: .majority, quorum: 1, closesAt: now,
                    title: "Round \(round)", text: "")), now: now), key)
            }
        }
        return messages
    }
}
