import CouncilProtocol
import CouncilWire

/// Durability, checkable only when the suite controls the implementation's process (`--self-test`).
enum DurabilityCases {
    static let all: [ConformanceCase] = [
        ConformanceCase("ACK-2/acknowledged-survives-crash", "Everything acknowledged is still held after a SIGKILL and restart") { context in
            guard let crashAndRestart = context.crashAndRestart else { return .skip("needs control of the implementation's process (--self-test)") }
            let (mandate, delegate) = try await context.mandate("miskolc")
            let (peer, _) = try await context.link(as: "pecs")
            var messages: [SignedMessage] = []
            for index in 0..<200 {
                let draft = context.draft(delegate, .proposal(Proposal(mandate: mandate.id, question: "durable-\(index)", kind: "strike", rule: .majority,
                                                                      quorum: 1, closesAt: 0, title: "", text: "")))
                let message = context.sign(draft, delegate)
                context.remember(message)
                messages.append(message)
            }
            for message in messages { try await peer.send(.message(message.bytes)) }
            var acknowledged: Set<MessageID> = []
            let ids = Set(messages.map(\.id))
            while acknowledged.count < ids.count {
                guard let frame = try await peer.expect(within: context.deadline(10), { frame in
                    if case .ack(let ack) = frame { return ids.contains(ack.id) }
                    return false
                }), case .ack(let ack) = frame else { break }
                acknowledged.insert(ack.id)
            }
            try await crashAndRestart()
            let (fresh, _) = try await context.link(as: "csepel")
            defer { fresh.close() }
            _ = try await fresh.expect(within: context.deadline(5)) { if case .syncDone = $0 { return true }; return false }
            try await fresh.send(.sync(SyncVector(entries: [])))
            var held: Set<MessageID> = []
            _ = try await fresh.expect(within: context.deadline(30)) { frame in
                if case .message(let bytes) = frame { held.insert(Hashing.sha256(bytes)) }
                if case .syncDone = frame { return true }
                return false
            }
            let lost = acknowledged.subtracting(held)
            return lost.isEmpty ? .pass : .fail(expected: "all \(acknowledged.count) acknowledged messages after the crash", actual: "\(lost.count) lost")
        },
    ]
}
