import CouncilWire

/// The node's state as JSON (`council mandates --json`, `council resolutions --json`, transcripts).
extension Ledger {
    public func mandatesJSON() -> JSONValue {
        .array(standingMandates().compactMap { entry -> JSONValue? in
            guard case .mandate(let act) = entry.payload, case .object(var fields) = act.payload.json else { return nil }
            fields["id"] = .string(entry.id.description)
            fields["council"] = .string(council(ofBody: act.body, seat: act.seat) ?? "")
            fields["issued_at"] = .uint(entry.timestamp)
            return .object(fields)
        })
    }

    public func resolutionsJSON() -> JSONValue {
        .array(resolutionStates().map { state -> JSONValue in
            let votes: [JSONValue] = state.votes.map { vote, counted in
                guard case .vote(let act) = vote.payload else { return .null }
                let seat: String
                if case .mandate(let mandate)? = entry(act.mandate)?.payload { seat = mandate.seat } else { seat = "" }
                return ["id": .string(vote.id.description), "seat": .string(seat), "choice": .string(act.choice.description),
                        "statement": .string(act.statement), "counted": .bool(counted), "delegate": .string(vote.message.author.description)]
            }
            return [
                "id": .string(state.id.description), "body": .string(state.body), "question": .string(state.proposal.question),
                "kind": .string(state.proposal.kind), "title": .string(state.proposal.title), "rule": .string(state.proposal.rule.description),
                "quorum": .uint(state.proposal.quorum), "closes_at": .uint(state.proposal.closesAt),
                "status": .string(state.close == nil ? "open" : "closed"), "close": state.close.map { .string($0.description) } ?? .null,
                "tally": state.tally.json, "votes": .array(votes),
            ]
        })
    }

    public func councilsJSON() -> JSONValue {
        .array(councilStates().map { ["name": .string($0.name), "key": .string($0.key.description), "dissolved": .bool($0.dissolved)] })
    }
}

extension Mandate {
    var payload: Payload { .mandate(self) }
}

extension Decision {
    /// `{"decision": "accepted" | "held" | "duplicate" | "rejected", "id": …, "code": …, "detail": …}`
    public var json: JSONValue {
        switch self {
        case .accepted(let message): ["decision": "accepted", "id": .string(message.id.description)]
        case .held(let message): ["decision": "held", "id": .string(message.id.description)]
        case .duplicate(let id): ["decision": "duplicate", "id": .string(id.description)]
        case .rejected(let id, let error):
            ["decision": "rejected", "id": .string(id.description), "code": .string(error.code.name), "detail": .string(error.detail)]
        }
    }
}
