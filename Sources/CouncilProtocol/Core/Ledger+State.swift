import CouncilWire

/// §12.10: the state a node reports, and its digest.
extension Ledger {
    /// One council's standing in the state.
    public struct CouncilState: Hashable, Sendable {
        public let name: String
        public let key: PublicKey
        public let dissolved: Bool
    }

    /// One resolution's standing in the state.
    public struct ResolutionState: Hashable, Sendable {
        public let id: MessageID
        public let proposal: Proposal
        public let body: String
        /// The effective CLOSE, if any ([CLOSE-5]).
        public let close: MessageID?
        /// The effective CLOSE's tally, or the provisional tally of an open resolution.
        public let tally: Tally
        /// Every accepted vote, counted or not, with whether it counts: dissent is not lost.
        public let votes: [(vote: LedgerEntry, counted: Bool)]

        public static func == (lhs: Self, rhs: Self) -> Bool { lhs.id == rhs.id && lhs.close == rhs.close && lhs.tally == rhs.tally }
        public func hash(into hasher: inout Hasher) { hasher.combine(id) }
    }

    public func councilStates() -> [CouncilState] {
        roster.councils.map { council in
            CouncilState(name: council.name, key: currentKey(of: council.name, in: .everything) ?? council.key,
                         dissolved: isDissolved(council.name, in: .everything))
        }
    }

    public func resolutionStates() -> [ResolutionState] {
        proposals.sorted().compactMap { accepted[$0] }.compactMap { entry in
            guard case .proposal(let proposal) = entry.payload else { return nil }
            let close = effectiveClose(of: entry.id)
            let tally: Tally
            if let close, case .close(let act) = close.payload { tally = act.tally } else { tally = self.tally(of: entry, in: .everything) }
            let view = close.map { LedgerView(clock: $0.clock) } ?? .everything
            let counted = Set(rules.countedVotes(on: entry, in: view, ledger: self).map(\.id))
            let votes = entries(votesByResolution[entry.id], in: .everything).map { ($0, counted.contains($0.id)) }
            return ResolutionState(id: entry.id, proposal: proposal, body: body(ofResolution: entry) ?? "", close: close?.id,
                                   tally: tally, votes: votes)
        }
    }

    /// [DIGEST-1] The state digest.
    public func digest() -> Bytes32 {
        var writer = WireWriter(capacity: 1024)
        writer.raw(Array("COUNCIL/1 STATE".utf8) + [0])
        writer.bytes32(rosterHash)
        writer.u64(UInt64(order.count))
        var ids = WireWriter(capacity: order.count * 32)
        for id in order.map(\.id).sorted() { ids.bytes32(id) }
        writer.bytes32(Hashing.sha256(ids.bytes))
        let councils = councilStates()
        writer.u16(UInt16(councils.count))
        for council in councils {
            writer.identifier(council.name)
            writer.bytes32(council.key)
            writer.bool(council.dissolved)
        }
        let mandates = standingMandates()
        writer.u32(UInt32(mandates.count))
        for mandate in mandates { writer.bytes32(mandate.id) }
        let resolutions = resolutionStates()
        writer.u32(UInt32(resolutions.count))
        for resolution in resolutions {
            writer.bytes32(resolution.id)
            writer.bool(resolution.close != nil)
            if let close = resolution.close { writer.bytes32(close) }
            writer.u8(resolution.tally.outcome.rawValue)
            writer.u32(resolution.tally.yes)
            writer.u32(resolution.tally.no)
            writer.u32(resolution.tally.abstain)
            writer.u16(resolution.tally.seatsVoted)
        }
        return Hashing.sha256(writer.bytes)
    }
}
