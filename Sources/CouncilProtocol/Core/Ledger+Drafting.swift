import CouncilWire

/// Building a council's or delegate's next message on top of what this node holds.
extension Ledger {
    /// The next message of `author`: its sequence number and prev from its chain, refs naming what
    /// the act concerns and then the newest messages held (so the act's past is everything this node
    /// knows, up to MAX_REFS), and a timestamp no earlier than any of them ([CORE-7]).
    public func draft(author: PublicKey, payload: Payload, now: UInt64) -> GovernanceMessage {
        let chain = authors.index(of: author).flatMap { $0 < chains.count ? chains[$0] : nil } ?? []
        let prev = chain.last?.id ?? .zero
        var refs = Set(Self.subjects(of: payload).filter { accepted[$0] != nil && $0 != prev })
        let newestFirst = heads.filter { $0 != prev }.compactMap { accepted[$0] }.sorted { $0.position > $1.position }
        for head in newestFirst where refs.count < Limits.maxRefs { refs.insert(head.id) }
        let dependencies = refs.union(prev.isZero ? [] : [prev])
        let latest = dependencies.compactMap { accepted[$0]?.timestamp }.max() ?? 0
        return GovernanceMessage(author: author, sequence: UInt64(chain.count) + 1, timestamp: max(now, latest), prev: prev,
                                 refs: refs.sorted(), payload: payload)
    }

    /// The messages an act names in its payload.
    static func subjects(of payload: Payload) -> [MessageID] {
        switch payload {
        case .recall(let act): [act.mandate]
        case .proposal(let act): [act.mandate]
        case .vote(let act): [act.resolution, act.mandate]
        case .close(let act): [act.resolution]
        case .mandate, .replacement, .dissolution: []
        }
    }

    /// A CLOSE of `resolution` declaring the tally of exactly the past it will have ([CLOSE-4]).
    public func draftClose(author: PublicKey, resolution: MessageID, now: UInt64) -> GovernanceMessage? {
        guard let entry = accepted[resolution], case .proposal = entry.payload else { return nil }
        let placeholder = Tally(outcome: .noQuorum, yes: 0, no: 0, abstain: 0, seatsVoted: 0)
        var message = draft(author: author, payload: .close(Close(resolution: resolution, tally: placeholder)), now: now)
        message.payload = .close(Close(resolution: resolution, tally: tally(of: entry, in: view(ofDependencies: message))))
        return message
    }
}
