import CouncilProtocol
import CouncilWire
import Foundation

extension ConformanceContract {
    /// `count` valid messages: a council's mandate for one delegate to its seat in the parliament,
    /// then that delegate's proposals, each naming only its predecessor, so a node can take them
    /// in order at full speed. Benchmarks and storage tests share it; by default Győr and delegate 9
    /// of the conformance federation.
    public static func proposalChain(count: Int, now: UInt64 = UInt64(Date().timeIntervalSince1970 * 1_000), roster: Roster = roster,
                                     council seat: String = "gyor", delegate: SigningKey = TestFederation.delegateKey(9)) -> [SignedMessage] {
        let ledger = Ledger(roster: roster)
        let council = TestFederation.key(seat)
        let mandate = SignedMessage(signing: ledger.draft(author: council.publicKey, payload: .mandate(Mandate(
            body: "parliament", seat: seat, delegate: delegate.publicKey, weight: 1, validFrom: now - 3_600_000, validUntil: now + 86_400_000,
            scope: ["strike"])), now: now), with: council, rosterHash: roster.hash)
        var messages = [mandate]
        messages.reserveCapacity(count)
        var prev = MessageID.zero
        for index in 1..<max(count, 1) {
            let message = SignedMessage(signing: GovernanceMessage(
                author: delegate.publicKey, sequence: UInt64(index), timestamp: now, prev: prev, refs: index == 1 ? [mandate.id] : [],
                payload: .proposal(Proposal(mandate: mandate.id, question: "q-\(index)", kind: "strike", rule: .majority, quorum: 1, closesAt: now,
                                            title: "Benchmark question \(index)", text: ""))),
                with: delegate, rosterHash: roster.hash)
            prev = message.id
            messages.append(message)
        }
        return Array(messages.prefix(count))
    }
}
