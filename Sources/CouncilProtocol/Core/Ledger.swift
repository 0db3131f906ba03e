import CouncilWire

/// The protocol core (§12): the set of accepted governance messages, the messages held for their
/// dependencies, and every decision about them. No I/O, no clock, no randomness: messages and the
/// current time come in, decisions go out, so the same rules run in tests, the simulator and the
/// daemon.
public struct Ledger: Sendable {
    public let roster: Roster
    public let rosterHash: Bytes32
    let rules: any GovernanceRules
    /// [ORDER-7] Messages dated further ahead than this are held.
    public let maxClockSkew: UInt64
    /// [ORDER-6] At most this many held messages.
    public let maxPending: Int

    var authors = AuthorTable()
    var accepted: [MessageID: LedgerEntry] = [:]
    /// Accepted messages in acceptance order.
    var order: [LedgerEntry] = []
    /// Per author index, accepted messages by sequence number − 1.
    var chains: [[LedgerEntry]] = []
    /// Accepted messages that no accepted message names yet: what a new message should ref.
    public internal(set) var heads: Set<MessageID> = []
    var rejected: RememberedRejections
    var pending: [MessageID: SignedMessage] = [:]
    /// Missing dependency → held messages waiting for it.
    var waiting: [MessageID: [MessageID]] = [:]
    /// Held only because they are dated ahead of the clock.
    var early: Set<MessageID> = []

    // Indexes of accepted messages (§12.5–§12.7).
    var mandatesBySeat: [String: [MessageID]] = [:]
    var mandatesByDelegate: [PublicKey: [MessageID]] = [:]
    var recallsByMandate: [MessageID: [MessageID]] = [:]
    var replacementsByCouncil: [String: [MessageID]] = [:]
    var dissolutionsByCouncil: [String: [MessageID]] = [:]
    var votesByResolution: [MessageID: [MessageID]] = [:]
    var closesByResolution: [MessageID: [MessageID]] = [:]
    public internal(set) var proposals: [MessageID] = []
    /// Council keys introduced by REPLACE messages, by key.
    var replacementKeys: [PublicKey: [MessageID]] = [:]
    let rosterCouncilByKey: [PublicKey: String]
    let rosterCouncilByElectors: [PublicKey: String]

    /// [CORE-4] How many rejections the reference remembers, the most recent: about 10 MB of IDs
    /// and codes at most.
    public static let rememberedRejections = 65_536

    public init(roster: Roster, rules: any GovernanceRules = SpecRules(), maxClockSkew: UInt64 = Limits.maxClockSkew, maxPending: Int = 10_000,
                rememberedRejections: Int = Ledger.rememberedRejections) {
        self.roster = roster
        rosterHash = roster.hash
        self.rules = rules
        self.maxClockSkew = maxClockSkew
        self.maxPending = maxPending
        rejected = RememberedRejections(capacity: rememberedRejections)
        rosterCouncilByKey = Dictionary(uniqueKeysWithValues: roster.councils.map { ($0.key, $0.name) })
        rosterCouncilByElectors = Dictionary(uniqueKeysWithValues: roster.councils.map { ($0.electorsKey, $0.name) })
    }

    public var acceptedCount: Int { order.count }
    public var pendingCount: Int { pending.count }
    /// Held messages that wait for a dependency rather than for their time ([ORDER-7]).
    public var awaitingDependencies: Int { pending.count - early.count }

    public func entry(_ id: MessageID) -> LedgerEntry? { accepted[id] }
    public func isAccepted(_ id: MessageID) -> Bool { accepted[id] != nil }

    func entries(_ ids: [MessageID]?, in view: LedgerView) -> [LedgerEntry] {
        (ids ?? []).compactMap { accepted[$0] }.filter(view.contains)
    }

    /// The view of a message's causal past: the merged clocks of its dependencies.
    func view(ofDependencies message: GovernanceMessage) -> LedgerView {
        var clock = CausalClock()
        for dependency in message.refs + (message.prev.isZero ? [] : [message.prev]) {
            if let entry = accepted[dependency] { clock.merge(entry.clock) }
        }
        return LedgerView(clock: clock)
    }

    /// [SYNC-1][SYNC-2] The highest sequence number held per author, sorted by key; beyond `limit`
    /// authors, those with the most messages.
    public func syncVector(limit: Int = .max) -> SyncVector {
        var entries = authors.keys.indices.compactMap { index in
            index < chains.count && !chains[index].isEmpty
                ? SyncVector.Entry(author: authors.keys[index], sequence: UInt64(chains[index].count)) : nil
        }
        if entries.count > limit { entries = Array(entries.sorted { ($0.sequence, $1.author) > ($1.sequence, $0.author) }.prefix(limit)) }
        return SyncVector(entries: entries.sorted { $0.author < $1.author })
    }

    /// [SYNC-3] Every accepted message the peer's vector lacks, in acceptance (causal) order.
    public func messages(missingFrom vector: SyncVector) -> [SignedMessage] { entries(missingFrom: vector).map(\.signed) }

    /// The entries of `messages(missingFrom:)`: a node encodes each only as it sends it.
    public func entries(missingFrom vector: SyncVector) -> [LedgerEntry] {
        let theirs = Dictionary(uniqueKeysWithValues: vector.entries.map { ($0.author, $0.sequence) })
        var missing: [LedgerEntry] = []
        for (index, chain) in chains.enumerated() {
            let have = Int(min(theirs[authors.keys[index]] ?? 0, UInt64(chain.count)))
            missing += chain[have...]
        }
        return missing.sorted { $0.position < $1.position }
    }

    /// Every accepted message in acceptance order (what a node persists and replays).
    public var acceptedMessages: [SignedMessage] { order.map(\.signed) }
}
