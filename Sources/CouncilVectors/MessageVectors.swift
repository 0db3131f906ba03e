import CouncilProtocol
import CouncilWire

/// Spec/vectors/messages.json: one signed message of every kind, then the ways a message can be
/// malformed, non-canonical or wrongly signed. Invalid encodings carry valid signatures over their
/// own bytes, so that a decoder must refuse them for their form alone.
enum MessageVectors {
    static let rosterHash = TestFederation.roster.hash
    static let epoch = TestFederation.epoch

    /// Signs arbitrary unsigned bytes as `key` would, canonical or not.
    static func signRaw(_ unsigned: [UInt8], _ key: SigningKey, rosterHash: Bytes32 = rosterHash) -> [UInt8] {
        unsigned + key.sign(GovernanceMessage.signingDomain + rosterHash.bytes + unsigned).bytes
    }

    static func messageFrame(_ message: [UInt8]) -> [UInt8] { Frame.message(message).encoded() }

    /// The example exchange the valid vectors walk through: the nine points before the parliament.
    struct Story {
        let budapest = TestFederation.councilKey("budapest")
        let csepel = TestFederation.councilKey("csepel")
        let pecs = TestFederation.councilKey("pecs")
        let delegate1 = TestFederation.delegateKey(1)
        let delegate2 = TestFederation.delegateKey(2)
        var messages: [(name: String, description: String, signed: SignedMessage)] = []

        func sign(_ key: SigningKey, _ sequence: UInt64, _ at: UInt64, prev: SignedMessage?, refs: [SignedMessage] = [], _ payload: Payload) -> SignedMessage {
            SignedMessage(signing: GovernanceMessage(author: key.publicKey, sequence: sequence, timestamp: epoch + at,
                                                     prev: prev?.id ?? .zero, refs: refs.map(\.id).sorted(), payload: payload),
                          with: key, rosterHash: rosterHash)
        }

        init() {
            let day = TestFederation.day, hour = TestFederation.hour
            let mandate1 = sign(budapest, 1, 8 * day, prev: nil, .mandate(Mandate(
                body: "parliament", seat: "budapest", delegate: delegate1.publicKey, weight: 3, validFrom: epoch, validUntil: epoch + 60 * day,
                scope: ["strike", "federation"], instructions: [.init(question: "nine-points", choice: .yes)])))
            let mandate2 = sign(csepel, 1, 8 * day, prev: nil, .mandate(Mandate(
                body: "parliament", seat: "csepel", delegate: delegate2.publicKey, weight: 2, validFrom: epoch, validUntil: epoch + 60 * day,
                scope: ["federation", "strike"])))
            let proposal = sign(delegate1, 1, 8 * day + hour, prev: nil, refs: [mandate1, mandate2], .proposal(Proposal(
                mandate: mandate1.id, question: "nine-points", kind: "federation", rule: .majority, quorum: 2,
                closesAt: epoch + 8 * day + 3 * hour, title: "The nine points of 31 October",
                text: "1. The factory belongs to the workers. 2. The supreme controlling body of the factory is the workers' council.")))
            let vote1 = sign(delegate1, 2, 8 * day + 2 * hour, prev: proposal, .vote(Vote(resolution: proposal.id, mandate: mandate1.id, choice: .yes)))
            let vote2 = sign(delegate2, 1, 8 * day + 2 * hour, prev: nil, refs: [proposal], .vote(Vote(
                resolution: proposal.id, mandate: mandate2.id, choice: .abstain, statement: "Csepel abstains until its factories have met.")))
            let close = sign(delegate1, 3, 8 * day + 3 * hour, prev: vote1, refs: [vote2], .close(Close(
                resolution: proposal.id, tally: Tally(outcome: .adopted, yes: 3, no: 0, abstain: 2, seatsVoted: 2))))
            let recall = sign(csepel, 2, 30 * day, prev: mandate2, refs: [close], .recall(Recall(
                mandate: mandate2.id, reason: "The delegate condemned the strike the workers had joined.")))
            let replacement = sign(TestFederation.electorsKey("csepel"), 1, 30 * day + hour, prev: nil, refs: [recall], .replacement(Replacement(
                council: "csepel", newKey: TestFederation.key("csepel-new").publicKey, reason: "The Csepel workers elected a new council.")))
            let dissolution = sign(pecs, 1, 52 * day, prev: nil, .dissolution(Dissolution(
                council: "pecs", statement: "We are returning our mandate into the hands of the workers.")))
            messages = [
                ("mandate", "Budapest mandates delegate 1 to its parliament seat, bound to vote for the nine points", mandate1),
                ("mandate.no-instructions", "Csepel mandates delegate 2, scope in sorted order, no instructions", mandate2),
                ("proposal", "Delegate 1 proposes the nine points; refs sorted ascending", proposal),
                ("vote.for", "Delegate 1 votes for, as instructed; prev is its proposal", vote1),
                ("vote.abstain-with-statement", "Delegate 2 abstains and says why", vote2),
                ("close", "Delegate 1 closes the vote and declares the tally", close),
                ("recall", "Csepel recalls delegate 2", recall),
                ("replace", "Csepel's electors replace the council's key", replacement),
                ("dissolve", "Pécs returns its mandates", dissolution),
            ]
        }
    }

    static func validVector(_ name: String, _ description: String, _ signed: SignedMessage) -> Vector {
        Vector(name: "valid.\(name)", description: description, frame: messageFrame(signed.bytes), expectation: .valid, fields: [
            "roster_hash": .string(rosterHash.description),
            "message": signed.message.json,
            "signing_input": .string(Hex.encode(signed.message.signingInput(rosterHash: rosterHash))),
            "signature": .string(Hex.encode(signed.message.signature.bytes)),
            "id": .string(signed.id.description),
        ])
    }

    static func invalid(_ name: String, _ description: String, _ message: [UInt8], _ code: ErrorCode = .malformedMessage) -> Vector {
        Vector(name: "invalid.\(name)", description: description, frame: messageFrame(message), expectation: .invalid(code))
    }

    static func build() -> VectorFile {
        let story = Story()
        var vectors = story.messages.map { validVector($0.name, $0.description, $0.signed) }
        let mandate = story.messages[0].signed
        let vote = story.messages[3].signed
        let key = story.budapest
        let unsigned = Array(mandate.bytes.dropLast(64))
        let voteUnsigned = Array(vote.bytes.dropLast(64))
        let header = 1 + 32 + 8 + 8 + 32  // kind, author, sequence, timestamp, prev
        // The mandate's payload starts after its empty ref list.
        let payload = header + 1

        func edit(_ bytes: [UInt8], _ change: (inout [UInt8]) -> Void) -> [UInt8] {
            var copy = bytes
            change(&copy)
            return copy
        }
        func u64(_ value: UInt64) -> [UInt8] { FrameVectors.u64(value) }
        func ident(_ text: String) -> [UInt8] { [UInt8(text.utf8.count)] + Array(text.utf8) }

        // Signatures.
        vectors += [
            invalid("signature.flipped-bit", "The mandate with one bit of S flipped", edit(mandate.bytes) { $0[$0.count - 1] ^= 0x01 }, .badSignature),
            invalid("signature.wrong-key", "Claims Budapest as author, signed by Győr's key", signRaw(unsigned, TestFederation.councilKey("gyor")), .badSignature),
            invalid("signature.other-federation", "Signed for a federation with another roster hash",
                    signRaw(unsigned, key, rosterHash: Hashing.sha256(Array("another federation".utf8))), .badSignature),
            invalid("signature.no-domain", "Signed over the unsigned bytes without the domain prefix and roster hash",
                    unsigned + key.sign(unsigned).bytes, .badSignature),
            invalid("signature.zero", "An all-zero signature (the unsigned rumour)", unsigned + [UInt8](repeating: 0, count: 64), .badSignature),
            invalid("signature.s-not-reduced", "S replaced by S + L, the same signature in a non-canonical encoding",
                    edit(mandate.bytes) { Self.addOrderToS(&$0) }, .badSignature),
        ]
        // Header and envelope.
        vectors += [
            invalid("kind.zero", "Kind 0 is not defined", signRaw(edit(unsigned) { $0[0] = 0 }, key)),
            invalid("kind.eight", "Kind 8 is not defined", signRaw(edit(unsigned) { $0[0] = 8 }, key)),
            invalid("sequence.zero", "Sequence 0", signRaw(edit(unsigned) { $0.replaceSubrange(33..<41, with: u64(0)) }, key)),
            invalid("prev.nonzero-at-first", "Sequence 1 with a non-zero prev", signRaw(edit(unsigned) { $0[49 + 31] = 1 }, key)),
            invalid("prev.zero-later", "Sequence 2 with a zero prev", signRaw(edit(unsigned) { $0.replaceSubrange(33..<41, with: u64(2)) }, key)),
            invalid("refs.unsorted", "Two refs in descending order",
                    signRaw(edit(unsigned) { $0.replaceSubrange(header..<header + 1, with: [2] + [UInt8](repeating: 0xBB, count: 32) + [UInt8](repeating: 0xAA, count: 32)) }, key)),
            invalid("refs.duplicate", "The same ref twice",
                    signRaw(edit(unsigned) { $0.replaceSubrange(header..<header + 1, with: [2] + [UInt8](repeating: 0xAA, count: 64)) }, key)),
            invalid("refs.zero", "A zero ref",
                    signRaw(edit(unsigned) { $0.replaceSubrange(header..<header + 1, with: [1] + [UInt8](repeating: 0, count: 32)) }, key)),
            invalid("refs.repeats-prev", "A ref equal to prev",
                    signRaw(edit(voteUnsigned) { $0.replaceSubrange(header..<header + 1, with: [1] + Array($0[49..<81])) }, story.delegate1)),
            invalid("refs.too-many", "33 refs, one over the limit",
                    signRaw(edit(unsigned) { $0.replaceSubrange(header..<header + 1, with: [33] + (1...33).flatMap { [UInt8](repeating: UInt8($0), count: 32) }) }, key)),
            invalid("payload.trailing-byte", "One byte between the payload and the signature", signRaw(unsigned + [0], key)),
            invalid("payload.missing-byte", "The payload's last byte removed", signRaw(Array(unsigned.dropLast()), key)),
            invalid("message.shorter-than-signature", "Sixty bytes: not even a signature", [UInt8](repeating: 7, count: 60)),
        ]
        // Truncation at several points, with the frame length matching what is left.
        for cut in [1, 33, 45, 81, 120, mandate.bytes.count - 65, mandate.bytes.count - 1] {
            vectors.append(invalid("truncated.at-\(cut)", "The mandate cut to its first \(cut) bytes", Array(mandate.bytes.prefix(cut))))
        }
        // Identifiers, sets, enumerations and text.
        let bodyAt = payload
        vectors += [
            invalid("identifier.upper-case", "Body \"Parliament\": identifiers are lower case only",
                    signRaw(edit(unsigned) { $0[bodyAt + 1] = UInt8(ascii: "P") }, key)),
            invalid("identifier.empty", "A zero-length body name",
                    signRaw(edit(unsigned) { $0.replaceSubrange(bodyAt..<bodyAt + 11, with: [0]) }, key)),
            invalid("identifier.leading-dash", "Body \"-arliament\"", signRaw(edit(unsigned) { $0[bodyAt + 1] = UInt8(ascii: "-") }, key)),
            invalid("identifier.too-long", "A 65-byte body name",
                    signRaw(edit(unsigned) { $0.replaceSubrange(bodyAt..<bodyAt + 11, with: ident(String(repeating: "a", count: 65))) }, key)),
            invalid("identifier.utf8", "Seat \"győr\" in UTF-8: identifiers are ASCII",
                    signRaw(edit(unsigned) { $0.replaceSubrange(bodyAt + 11..<bodyAt + 20, with: [5, 0x67, 0x79, 0xC5, 0x91, 0x72]) }, key)),
        ]
        let scopeAt = bodyAt + 11 + 9 + 32 + 2 + 8 + 8  // body, seat, delegate, weight, valid_from, valid_until
        let scopeBytes = [2] + ident("federation") + ident("strike")
        precondition(Array(unsigned[scopeAt..<scopeAt + scopeBytes.count]) == scopeBytes, "the mandate's scope moved")
        let afterScope = scopeAt + scopeBytes.count
        vectors += [
            invalid("scope.unsorted", "Scope [strike, federation]",
                    signRaw(edit(unsigned) { $0.replaceSubrange(scopeAt..<afterScope, with: [2] + ident("strike") + ident("federation")) }, key)),
            invalid("scope.duplicate", "Scope [strike, strike]",
                    signRaw(edit(unsigned) { $0.replaceSubrange(scopeAt..<afterScope, with: [2] + ident("strike") + ident("strike")) }, key)),
            invalid("scope.empty", "An empty scope",
                    signRaw(edit(unsigned) { $0.replaceSubrange(scopeAt..<afterScope, with: [0]) }, key)),
            invalid("instructions.unsorted", "Instructions on questions b then a",
                    signRaw(edit(unsigned) { $0.replaceSubrange(afterScope..<unsigned.count, with: [2] + ident("b") + [1] + ident("a") + [1]) }, key)),
            invalid("instructions.choice-zero", "An instruction with choice 0",
                    signRaw(edit(unsigned) { $0[$0.count - 1] = 0 }, key)),
            invalid("vote.choice-four", "A vote with choice 4", signRaw(edit(voteUnsigned) { $0[$0.count - 3] = 4 }, story.delegate1)),
            invalid("vote.statement-bad-utf8", "A statement holding a lone continuation byte",
                    signRaw(edit(voteUnsigned) { $0.replaceSubrange($0.count - 2..<$0.count, with: [0, 1, 0x80]) }, story.delegate1)),
            invalid("vote.statement-too-long", "A statement of 1025 bytes",
                    signRaw(edit(voteUnsigned) { $0.replaceSubrange($0.count - 2..<$0.count, with: [0x04, 0x01] + [UInt8](repeating: 0x61, count: 1025)) },
                            story.delegate1)),
            invalid("vote.statement-beyond-end", "A statement length pointing past the payload",
                    signRaw(edit(voteUnsigned) { $0.replaceSubrange($0.count - 2..<$0.count, with: [0, 9, 0x61]) }, story.delegate1)),
        ]
        let proposal = story.messages[2].signed
        let proposalUnsigned = Array(proposal.bytes.dropLast(64))
        let ruleAt = header + 1 + 64 + 32 + ident("nine-points").count + ident("federation").count
        precondition(proposalUnsigned[ruleAt] == DecisionRule.majority.rawValue, "the proposal's rule moved")
        let close = story.messages[5].signed
        let closeUnsigned = Array(close.bytes.dropLast(64))
        let outcomeAt = closeUnsigned.count - 15
        precondition(closeUnsigned[outcomeAt] == Outcome.adopted.rawValue, "the close's outcome moved")
        vectors += [
            invalid("proposal.rule-zero", "Decision rule 0", signRaw(edit(proposalUnsigned) { $0[ruleAt] = 0 }, story.delegate1)),
            invalid("proposal.rule-four", "Decision rule 4", signRaw(edit(proposalUnsigned) { $0[ruleAt] = 4 }, story.delegate1)),
            invalid("close.outcome-four", "Outcome 4", signRaw(edit(closeUnsigned) { $0[outcomeAt] = 4 }, story.delegate1)),
        ]
        return VectorFile(fileName: "messages.json", vectors: vectors)
    }

    /// Adds the group order L to the little-endian scalar S (the signature's last 32 bytes).
    static func addOrderToS(_ bytes: inout [UInt8]) {
        let order: [UInt8] = [
            0xED, 0xD3, 0xF5, 0x5C, 0x1A, 0x63, 0x12, 0x58, 0xD6, 0x9C, 0xF7, 0xA2, 0xDE, 0xF9, 0xDE, 0x14,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        ]
        let start = bytes.count - 32
        var carry: UInt16 = 0
        for index in 0..<32 {
            let sum = UInt16(bytes[start + index]) + UInt16(order[index]) + carry
            bytes[start + index] = UInt8(truncatingIfNeeded: sum)
            carry = sum >> 8
        }
    }
}

/// The invalid message vectors, for the conformance suite.
public enum MessageVectorsAccess {
    public static func invalid() -> [Vector] {
        MessageVectors.build().vectors.filter { if case .invalid = $0.expectation { return true }; return false }
    }
}
