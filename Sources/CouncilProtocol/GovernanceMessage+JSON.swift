import CouncilWire

/// The decoded fields of messages and frames as JSON, with the Spec's field names (§6), for test
/// vectors, `--json` output and transcripts.
extension GovernanceMessage {
    public var json: JSONValue {
        [
            "kind": .string(kind.description),
            "author": .string(author.description),
            "sequence": .uint(sequence),
            "timestamp": .uint(timestamp),
            "prev": .string(prev.description),
            "refs": .array(refs.map { .string($0.description) }),
            "payload": payload.json,
            "signature": .string(Hex.encode(signature.bytes)),
        ]
    }
}

extension Payload {
    public var json: JSONValue {
        switch self {
        case .mandate(let act):
            [
                "body": .string(act.body), "seat": .string(act.seat), "delegate": .string(act.delegate.description),
                "weight": .uint(act.weight), "valid_from": .uint(act.validFrom), "valid_until": .uint(act.validUntil),
                "scope": .array(act.scope.map { .string($0) }),
                "instructions": .array(act.instructions.map { ["question": .string($0.question), "choice": .string($0.choice.description)] }),
            ]
        case .recall(let act):
            ["mandate": .string(act.mandate.description), "reason": .string(act.reason)]
        case .proposal(let act):
            [
                "mandate": .string(act.mandate.description), "question": .string(act.question), "kind": .string(act.kind),
                "rule": .string(act.rule.description), "quorum": .uint(act.quorum), "closes_at": .uint(act.closesAt),
                "title": .string(act.title), "text": .string(act.text),
            ]
        case .vote(let act):
            [
                "resolution": .string(act.resolution.description), "mandate": .string(act.mandate.description),
                "choice": .string(act.choice.description), "statement": .string(act.statement),
            ]
        case .close(let act):
            ["resolution": .string(act.resolution.description), "tally": act.tally.json]
        case .replacement(let act):
            ["council": .string(act.council), "new_key": .string(act.newKey.description), "reason": .string(act.reason)]
        case .dissolution(let act):
            ["council": .string(act.council), "statement": .string(act.statement)]
        }
    }
}

extension Tally {
    public var json: JSONValue {
        [
            "outcome": .string(outcome.description), "for": .uint(yes), "against": .uint(no), "abstain": .uint(abstain),
            "seats_voted": .uint(seatsVoted),
        ]
    }
}

extension Frame {
    /// The frame's fields; a MESSAGE frame's message is decoded when it is well formed.
    public var json: JSONValue {
        var fields: [String: JSONValue] = ["type": .string(type.description)]
        switch self {
        case .hello(let hello):
            fields["min_version"] = .uint(hello.minVersion)
            fields["max_version"] = .uint(hello.maxVersion)
            fields["roster_hash"] = .string(hello.rosterHash.description)
            fields["council"] = .string(hello.council)
            fields["ephemeral"] = .string(hello.ephemeral.description)
        case .welcome(let welcome):
            fields["version"] = .uint(welcome.version)
            fields["roster_hash"] = .string(welcome.rosterHash.description)
            fields["council"] = .string(welcome.council)
            fields["ephemeral"] = .string(welcome.ephemeral.description)
            fields["signature"] = .string(Hex.encode(welcome.signature.bytes))
        case .auth(let auth):
            fields["signature"] = .string(Hex.encode(auth.signature.bytes))
        case .error(let notice):
            fields["code"] = .uint(notice.code.rawValue)
            fields["code_name"] = .string(notice.code.name)
            fields["detail"] = .string(notice.detail)
        case .ping(let nonce), .pong(let nonce):
            fields["nonce"] = .uint(nonce)
        case .message(let bytes):
            fields["message"] = .string(Hex.encode(bytes))
        case .ack(let ack):
            fields["id"] = .string(ack.id.description)
            fields["status"] = .uint(ack.status.rawValue)
        case .reject(let reject):
            fields["id"] = .string(reject.id.description)
            fields["code"] = .uint(reject.code.rawValue)
            fields["code_name"] = .string(reject.code.name)
            fields["detail"] = .string(reject.detail)
        case .sync(let vector):
            fields["entries"] = .array(vector.entries.map { ["author": .string($0.author.description), "sequence": .uint($0.sequence)] })
        case .syncDone(let count):
            fields["count"] = .uint(count)
        case .ignoredExtension:
            break
        }
        return .object(fields)
    }
}
