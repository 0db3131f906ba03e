import CouncilProtocol
import CouncilWire

/// Fault injection: each seed draws at least three kinds and schedules them in the act phase.
extension Simulation {
    mutating func scheduleFaults() -> [Fault] {
        let kinds = Array(Fault.allCases.shuffled(using: &random).prefix(random.int(3...Fault.allCases.count)))
        let horizon = 12_000
        for kind in kinds {
            for _ in 0..<random.int(1...3) {
                let start = now + UInt64(random.int(300...horizon))
                let end = start + UInt64(random.int(300...3_000))
                switch kind {
                case .loss, .duplication, .reordering:
                    queue.push(.faultWindow(kind, on: true), at: start)
                    queue.push(.faultWindow(kind, on: false), at: end)
                case .partition:
                    let cut = Array(links.sorted().shuffled(using: &random).prefix(random.int(1...max(1, links.count / 2))))
                    for link in cut { queue.push(.cut(link), at: start + UInt64(random.int(0...200))) }
                    // Heal in another order than the cut ("swizzle").
                    for link in cut.shuffled(using: &random) { queue.push(.heal(link), at: end + UInt64(random.int(0...400))) }
                case .crash:
                    let node = random.int(0...(nodes.count - 1))
                    queue.push(.crash(node), at: start)
                    queue.push(.restart(node), at: end)
                case .hostile:
                    for _ in 0..<random.int(5...20) { queue.push(.hostile, at: now + UInt64(random.int(100...horizon))) }
                }
            }
        }
        return kinds
    }

    static let hostileKey = TestFederation.key("sim-hostile")

    /// The untrusted station: forgeries, impersonations, garbled copies and replays.
    mutating func injectHostile() {
        let upNodes = nodes.indices.filter { nodes[$0].up }
        guard let target = random.pick(upNodes) else { return }
        let ledger = nodes[target].ledger
        let council = federation.councils[random.int(0...(federation.councils.count - 1))]
        let payload = Payload.mandate(Mandate(
            body: "national", seat: council, delegate: Self.hostileKey.publicKey, weight: 1, validFrom: now - 1_000,
            validUntil: now + 600_000, scope: SimFederation.kinds))
        var bytes: [UInt8]
        switch random.int(0...3) {
        case 0:
            // The false rumour: a well-formed act signed by a key with no role.
            let draft = ledger.draft(author: Self.hostileKey.publicKey, payload: payload, now: now)
            bytes = SignedMessage(signing: draft, with: Self.hostileKey, rosterHash: federation.roster.hash).bytes
        case 1:
            // Impersonation: the council's name and key, the hostile's signature.
            let author = ledger.currentKey(of: council, in: .everything) ?? federation.councilKeys[council]!.publicKey
            var draft = ledger.draft(author: author, payload: payload, now: now)
            draft.signature = Self.hostileKey.sign(draft.signingInput(rosterHash: federation.roster.hash))
            bytes = draft.encoded
        case 2:
            guard let original = random.pick(nodes[target].log) else { return }
            bytes = original.bytes
            bytes[random.int(0...(bytes.count - 1))] ^= UInt8(random.int(1...255))
        default:
            // A replay of something real: harmless, a duplicate.
            guard let original = random.pick(nodes[target].log) else { return }
            queue.push(.deliver(from: -1, to: target, frame: .message(original.bytes)), at: now + 1)
            return
        }
        forged.insert(Hashing.sha256(bytes))
        stats.forgeries += 1
        queue.push(.deliver(from: -1, to: target, frame: .message(bytes)), at: now + 1)
    }
}
