import CouncilProtocol
import CouncilWire

/// Relay and catch-up (PROTOCOL.md §9), observed on a second link: a sentinel message proves that
/// a rejected or duplicate message was not forwarded, without waiting for a timeout.
enum RelayCases {
    /// Waits on `observer` for a MESSAGE with `id`; returns the IDs of every MESSAGE seen before it.
    static func observe(_ observer: TestPeer, until id: MessageID, context: CaseContext) async throws -> [MessageID]? {
        var seen: [MessageID] = []
        let found = try await observer.expect(within: context.deadline(5)) { frame in
            guard case .message(let bytes) = frame else { return false }
            let messageID = Hashing.sha256(bytes)
            if messageID == id { return true }
            seen.append(messageID)
            return false
        }
        return found == nil ? nil : seen
    }

    static func sentinel(_ context: CaseContext) -> Payload {
        .recall(Recall(mandate: Hashing.sha256(Array("sentinel".utf8)), reason: "sentinel"))
    }

    static let all: [ConformanceCase] = [
        ConformanceCase("RELAY-1/forwarded-to-other-links", "An accepted message is forwarded to the other links") { context in
            let (observer, _) = try await context.link(as: "pecs")
            defer { observer.close() }
            let (mandate, _) = try await context.mandate("miskolc")
            return try await observe(observer, until: mandate.id, context: context) != nil ? .pass : .fail(expected: "the mandate on Pécs's link", actual: "not relayed")
        },
        ConformanceCase("ACK-7/relays-to-a-silent-peer", "Relays keep coming to a peer that answers no MESSAGE and no SYNC") { context in
            // The observer acknowledges nothing: neither the relays nor the implementation's SYNC.
            let (observer, _) = try await context.link(as: "pecs")
            defer { observer.close() }
            var made: [MessageID] = []
            for council in ["miskolc", "gyor", "csepel"] { made.append(try await context.mandate(council).mandate.id) }
            guard let before = try await observe(observer, until: made[2], context: context) else {
                return .fail(expected: "all three mandates on Pécs's link", actual: "the last one never came")
            }
            let missing = made.prefix(2).filter { !before.contains($0) }
            return missing.isEmpty ? .pass : .fail(expected: "all three mandates on Pécs's link", actual: "\(missing.count) did not come")
        },
        ConformanceCase("RELAY-2/rejected-not-forwarded", "A rejected message is not forwarded (sentinel)") { context in
            let (observer, _) = try await context.link(as: "pecs")
            defer { observer.close() }
            let (bad, answer) = try await context.act(ConformanceContract.councilKey("miskolc"), .dissolution(Dissolution(council: "gyor", statement: "")))
            guard answer == .reject(.notAuthorised) else { return .inconclusive("the bad message was answered \(answer)") }
            let (sentinel, _) = try await context.mandate("csepel")
            guard let before = try await observe(observer, until: sentinel.id, context: context) else { return .inconclusive("the sentinel was not relayed") }
            return before.contains(bad.id) ? .fail(expected: "no relay of the rejected message", actual: "it was relayed") : .pass
        },
        ConformanceCase("RELAY-3/duplicate-not-reforwarded", "A duplicate is neither re-applied nor forwarded again (sentinel)") { context in
            let (mandate, _) = try await context.mandate("gyor")
            let (observer, _) = try await context.link(as: "pecs")
            defer { observer.close() }
            guard try await context.send(mandate) == .ack(.duplicate) else { return .inconclusive("the duplicate was not recognised") }
            let (sentinel, _) = try await context.mandate("csepel")
            guard let before = try await observe(observer, until: sentinel.id, context: context) else { return .inconclusive("the sentinel was not relayed") }
            return before.contains(mandate.id) ? .fail(expected: "no second relay", actual: "relayed again") : .pass
        },
        ConformanceCase("RELAY-4/causal-order", "A held message and its dependency are forwarded dependency first") { context in
            let (observer, _) = try await context.link(as: "pecs")
            defer { observer.close() }
            let (mandate, delegate) = try await context.mandate("miskolc")
            let first = context.sign(context.draft(delegate, .proposal(Proposal(mandate: mandate.id, question: "order-a", kind: "strike", rule: .majority,
                                                                               quorum: 1, closesAt: 0, title: "", text: ""))), delegate)
            var secondDraft = context.draft(delegate, .proposal(Proposal(mandate: mandate.id, question: "order-b", kind: "strike", rule: .majority,
                                                                        quorum: 1, closesAt: 0, title: "", text: "")))
            secondDraft.sequence = first.sequence + 1
            secondDraft.prev = first.id
            secondDraft.refs = secondDraft.refs.filter { $0 != first.id }
            let second = context.sign(secondDraft, delegate)
            _ = try await context.send(second)
            _ = try await context.send(first)
            guard let before = try await observe(observer, until: second.id, context: context) else { return .fail(expected: "both relayed", actual: "the second was not") }
            return before.contains(first.id) ? .pass : .fail(expected: "the dependency before the message", actual: "the message came first")
        },
        ConformanceCase("SYNC-1/sync-lists-what-is-held", "The implementation's SYNC lists each author's highest sequence number") { context in
            _ = try await context.mandate("miskolc")
            let (peer, vector) = try await context.link(as: "csepel")
            defer { peer.close() }
            guard let vector else { return .fail(expected: "SYNC", actual: "none") }
            let expected = context.mirror.syncVector()
            return vector == expected ? .pass : .fail(expected: "\(expected.entries.count) authors as the suite holds them", actual: "\(vector.entries.count) authors, differing")
        },
        ConformanceCase("SYNC-3/catch-up", "An empty SYNC is answered with every message held, then SYNC_DONE with the count") { context in
            let (peer, _) = try await context.link(as: "csepel")
            defer { peer.close() }
            // The link's first SYNC was answered already (nothing missing); ask again from nothing.
            _ = try await peer.expect(within: context.deadline(5)) { if case .syncDone = $0 { return true }; return false }
            try await peer.send(.sync(SyncVector(entries: [])))
            var received = 0
            let done = try await peer.expect(within: context.deadline(30)) { frame in
                if case .message = frame { received += 1 }
                if case .syncDone = frame { return true }
                return false
            }
            guard case .syncDone(let count)? = done else { return .fail(expected: "SYNC_DONE", actual: "none") }
            let held = context.mirror.acceptedCount
            return received == held && Int(count) == held ? .pass : .fail(expected: "\(held) messages and SYNC_DONE \(held)", actual: "\(received) messages, SYNC_DONE \(count)")
        },
        ConformanceCase("SYNC-3/every-sync-answered", "A second SYNC on the same link is answered too") { context in
            let (peer, _) = try await context.link(as: "csepel")
            defer { peer.close() }
            _ = try await peer.expect(within: context.deadline(5)) { if case .syncDone = $0 { return true }; return false }
            try await peer.send(.sync(context.mirror.syncVector()))
            return try await peer.expect(within: context.deadline(5)) { $0 == .syncDone(0) } != nil ? .pass : .fail(expected: "SYNC_DONE 0", actual: "none")
        },
        ConformanceCase("SYNC-2/sync-duplicate-author", "A SYNC naming an author twice is MALFORMED_FRAME") { context in
            let author = ConformanceContract.councilKey("gyor").publicKey
            var writer = WireWriter()
            writer.u16(2)
            for sequence in [1, 2] as [UInt64] {
                writer.bytes32(author)
                writer.u64(sequence)
            }
            return try await context.onLink([1, 0x30, 0] + writer.bytes, Allowed([.malformedFrame], closes: false))
        },
        ConformanceCase("ORDER-7/future-message-held", "A message dated an hour ahead is held (ACK 2), not rejected") { context in
            let key = ConformanceContract.councilKey("gyor")
            var draft = context.draft(key, .dissolution(Dissolution(council: "nowhere", statement: "")))
            draft.timestamp = context.now + 3_600_000
            let answer = try await context.submit(context.sign(draft, key).bytes, on: try await context.sharedLink())
            return context.verdict(answer, .ack(.held))
        },
        ConformanceCase("ACK-1/undecodable-named-by-hash", "A message that does not decode is REJECTed under the SHA-256 of its bytes") { context in
            context.verdict(try await context.submit([UInt8](repeating: 0x42, count: 100), on: try await context.sharedLink()), .reject(.malformedMessage))
        },
    ]
}
