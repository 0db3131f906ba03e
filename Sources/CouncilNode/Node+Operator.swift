import CouncilProtocol
import CouncilWire
import Foundation

/// What the operator channel asks of the node (Spec OPERATOR.md).
extension Node {
    /// Decides a signed message from the operator; answers once it is durable.
    public func submit(_ message: SignedMessage) async -> Decision {
        let decisions = ledger.receive(message, now: Self.now())
        var work = Work()
        for decision in decisions { record(decision, into: &work, source: nil) }
        if case .rejected(let id, let error) = decisions[0] {
            logger.notice("rejected operator act", metadata: ["id": "\(id.short)", "code": "\(error.code.name)", "detail": "\(error.detail)"])
        }
        let (answers, continuation) = AsyncStream.makeStream(of: Decision.self)
        work.outputs.append(.answer(continuation, decisions[0]))
        enqueue(work)
        for await answer in answers { return answer }
        return decisions[0]
    }

    /// An act of this node's council, signed with its key.
    public func act(_ payload: Payload) async -> Decision {
        let draft: GovernanceMessage
        if case .close(let close) = payload {
            guard let closing = ledger.draftClose(author: key.publicKey, resolution: close.resolution, now: Self.now()) else {
                return .rejected(.zero, WireError(.unknownResolution, "no resolution \(close.resolution.short) here"))
            }
            draft = closing
        } else {
            draft = ledger.draft(author: key.publicKey, payload: payload, now: Self.now())
        }
        return await submit(SignedMessage(signing: draft, with: key, rosterHash: rosterHash))
    }

    /// A message for another key (a delegate's or the electors') to sign and submit. A replayer
    /// may fix the timestamp; the node still keeps it no earlier than the message's past ([CORE-7]).
    public func draft(author: PublicKey, payload: Payload, timestamp: UInt64? = nil) -> GovernanceMessage? {
        let time = timestamp ?? Self.now()
        if case .close(let close) = payload { return ledger.draftClose(author: author, resolution: close.resolution, now: time) }
        return ledger.draft(author: author, payload: payload, now: time)
    }

    /// What this node knows of a message: accepted, held, rejected (with its code) or unknown.
    public func knowledge(of id: MessageID) -> JSONValue {
        switch ledger.knowledge(of: id) {
        case .accepted: ["state": "accepted"]
        case .held: ["state": "held"]
        case .unknown: ["state": "unknown"]
        case .rejected(let code): ["state": "rejected", "code": .string(code.name)]
        }
    }

    /// The IDs among `ids` that this node has neither accepted nor held: what a checker that
    /// remembers acknowledgements finds lost (OPERATOR.md [OPS-15]).
    public func missing(_ ids: [MessageID]) -> [MessageID] {
        ids.filter { id in
            switch ledger.knowledge(of: id) {
            case .accepted, .held: false
            case .unknown, .rejected: true
            }
        }
    }

    /// Takes the link with a peer down administratively and keeps it down until `restore`.
    public func cut(_ peer: String) {
        blocked.insert(peer)
        if let link = links[peer] { close(link, ErrorNotice(code: .normalClose, detail: "link taken down by the operator")) }
        logger.notice("link cut by the operator", metadata: ["peer": "\(peer)"])
    }

    public func restore(_ peer: String) {
        blocked.remove(peer)
        logger.notice("link restored by the operator", metadata: ["peer": "\(peer)"])
    }

    public func isBlocked(_ peer: String) -> Bool { blocked.contains(peer) }

    public func status() -> JSONValue {
        let linked = links
        var peers: [JSONValue] = configuredPeers.map { peer in
            ["council": .string(peer.council), "address": .string(peer.address.description),
             "state": linked[peer.council] == nil ? (blocked.contains(peer.council) ? "cut" : "down") : "up", "queue": .uint(linked[peer.council]?.queueDepth ?? 0)]
        }
        for (name, link) in linked.sorted(by: { $0.key < $1.key }) where !configuredPeers.contains(where: { $0.council == name }) {
            peers.append(["council": .string(name), "address": "(inbound)", "state": "up", "queue": .uint(link.queueDepth)])
        }
        return [
            "council": .string(council), "federation": .string(roster.federation), "roster_hash": .string(rosterHash.description),
            "digest": .string(digest().description), "accepted": .uint(ledger.acceptedCount), "held": .uint(ledger.pendingCount),
            "peers": .array(peers), "cut": .array(blocked.sorted().map { .string($0) }), "storage": .string(storageFault ?? "ok"), "key": .string(key.publicKey.description),
        ]
    }

    /// The state digest, computed once per accepted set (see `digestCache`).
    func digest() -> Bytes32 {
        if let cache = digestCache, cache.accepted == ledger.acceptedCount { return cache.digest }
        let digest = ledger.digest()
        digestCache = (ledger.acceptedCount, digest)
        return digest
    }

    public func mandates() -> JSONValue { ledger.mandatesJSON() }
    public func resolutions() -> JSONValue { ledger.resolutionsJSON() }
    public func councils() -> JSONValue { ledger.councilsJSON() }
}
