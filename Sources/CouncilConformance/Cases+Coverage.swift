import CouncilProtocol
import CouncilVectors
import CouncilWire

/// Cases for requirements the families above touch only in passing: each gets a case of its own.
enum CoverageCases {
    /// An invalid message vector, sent under another requirement's name.
    static func vector(_ id: String, _ name: String, _ summary: String) -> ConformanceCase {
        ConformanceCase(id, summary) { context in
            guard let vector = MessageVectorsAccess.invalid().first(where: { $0.name == name }), case .invalid(let code) = vector.expectation else {
                return .inconclusive("no vector \(name)")
            }
            return context.verdict(try await context.submit(Array(vector.frame.dropFirst(7)), on: try await context.sharedLink()), .reject(code))
        }
    }

    static func key(_ council: String) -> SigningKey { ConformanceContract.councilKey(council) }

    /// Builds a delegate's second message on a first one the implementation has not seen.
    static func heldPair(_ context: CaseContext, author: SigningKey, mandate: SignedMessage) -> (SignedMessage, SignedMessage) {
        let first = context.sign(context.draft(author, .proposal(Proposal(mandate: mandate.id, question: "pair-a", kind: "strike", rule: .majority,
                                                                         quorum: 1, closesAt: 0, title: "", text: ""))), author)
        var second = context.draft(author, .proposal(Proposal(mandate: mandate.id, question: "pair-b", kind: "strike", rule: .majority, quorum: 1,
                                                              closesAt: 0, title: "", text: "")))
        second.sequence = first.sequence + 1
        second.prev = first.id
        second.refs = second.refs.filter { $0 != first.id }
        return (first, context.sign(second, author))
    }

    static let all: [ConformanceCase] = [
        vector("ENC-1/non-canonical-refused", "invalid.refs.unsorted", "A message in a non-canonical form is refused, signed or not"),
        vector("ENC-3/short-integer", "invalid.truncated.at-45", "An integer cut short is refused: integers have one width"),
        vector("ENC-7/trailing-byte", "invalid.payload.trailing-byte", "A byte after the payload is refused"),
        vector("MSG-7/malformed-message-code", "invalid.kind.zero", "A message breaking §5 is MALFORMED_MESSAGE"),
        vector("SIG-1/domain-prefix", "invalid.signature.no-domain", "A signature without the domain prefix and roster hash is refused"),
        vector("EXT-3/reserved-kind", "invalid.kind.eight", "Message kind 8, reserved for later versions, is invalid in version 1"),
        ConformanceCase("SIG-2/valid-signature-accepted", "A message signed over the signing input is accepted") { context in
            _ = try await context.mandate("csepel")
            return .pass
        },
        ConformanceCase("ID-1/answers-name-sha256", "ACK and REJECT name the SHA-256 of the message's bytes") { context in
            let bytes = [UInt8](repeating: 0x51, count: 90)
            return context.verdict(try await context.submit(bytes, on: try await context.sharedLink()), .reject(.malformedMessage))
        },
        ConformanceCase("MSG-8/signature-before-author", "A badly signed message from a stranger is BAD_SIGNATURE, not UNKNOWN_AUTHOR") { context in
            let stranger = SigningKey.generate()
            var draft = context.draft(stranger, .dissolution(Dissolution(council: "gyor", statement: "")))
            draft.signature = stranger.sign(draft.signingInput(rosterHash: context.roster.hash))
            draft.signature.s.w3 ^= 1
            return context.verdict(try await context.submit(draft.encoded, on: try await context.sharedLink()), .reject(.badSignature))
        },
        ConformanceCase("SEAL-1/counter-nonces", "Sealed frames with consecutive counters are all opened") { context in
            let (peer, _) = try await context.link(as: "miskolc")
            defer { peer.close() }
            for nonce in 1...20 as ClosedRange<UInt64> { try await peer.send(.ping(nonce)) }
            return try await peer.expect(within: context.deadline(3)) { $0 == .pong(20) } != nil ? .pass : .fail(expected: "20 PONGs", actual: "fewer")
        },
        ConformanceCase("SEAL-2/length-is-authenticated", "A sealed frame whose length prefix was altered fails to open") { context in
            let (peer, _) = try await context.link(as: "miskolc")
            defer { peer.close() }
            // Padding a well-formed length by one byte changes the associated data.
            try await peer.sendRaw(FramingCases.prefix(20) + [UInt8](repeating: 0x33, count: 20))
            let (closed, _) = try await peer.expectClose(within: context.deadline(5))
            return closed ? .pass : .fail(expected: "the link closes (DECRYPTION_FAILED)", actual: "it stayed open")
        },
        ConformanceCase("ACK-4/rejected-changes-nothing", "A rejected mandate does not occupy its seat") { context in
            let council = "pecs"
            let signer = try context.currentKey(of: council)
            for standing in context.mirror.standingMandates() {
                if case .mandate(let act) = standing.payload, act.body == "parliament", act.seat == council {
                    _ = try await context.act(signer, .recall(Recall(mandate: standing.id, reason: "free the seat")))
                }
            }
            let (_, bad) = try await context.act(signer, .mandate(Mandate(body: "parliament", seat: council, delegate: SigningKey.generate().publicKey,
                                                                         weight: 9, validFrom: context.now - 1_000, validUntil: context.now + 86_400_000,
                                                                         scope: ["strike"])))
            guard bad == .reject(.badWeight) else { return .inconclusive("the bad mandate was answered \(bad)") }
            _ = try await context.mandate(council)
            return .pass
        },
        ConformanceCase("ACK-6/rejections-count-as-invalid", "More than MAX_INVALID_FRAMES rejected messages close the link") { context in
            let (peer, _) = try await context.link(as: "miskolc")
            defer { peer.close() }
            for index in 0..<20 {
                try await peer.send(.message([UInt8](repeating: UInt8(index), count: 80)))
            }
            let (closed, notice) = try await peer.expectClose(within: context.deadline(5))
            return closed && (notice == nil || notice?.code == .tooManyInvalidFrames) ? .pass
                : .fail(expected: "TOO_MANY_INVALID_FRAMES and a close", actual: closed ? notice!.code.name : "the link stayed open")
        },
        ConformanceCase("SYNC-5/catch-up-acknowledged", "Messages sent in answer to the implementation's SYNC are decided and acknowledged") { context in
            let (peer, vector) = try await context.link(as: "pecs")
            defer { peer.close() }
            guard vector != nil else { return .fail(expected: "a SYNC from the implementation", actual: "none") }
            let (mandate, delegate) = try await context.mandate("csepel")
            let message = context.sign(context.draft(delegate, .proposal(Proposal(mandate: mandate.id, question: "catch-up", kind: "strike", rule: .majority,
                                                                                 quorum: 1, closesAt: 0, title: "", text: ""))), delegate)
            return context.verdict(try await context.send(message, on: peer), .ack(.accepted))
        },
        ConformanceCase("ERR-1/no-reserved-codes", "The implementation's ERROR codes are never in 0x0400–0x7FFF") { context in
            let (peer, _) = try await context.link(as: "miskolc")
            defer { peer.close() }
            var codes: [ErrorCode] = []
            for content in [FramingCases.raw(type: 0x7C), FramingCases.raw(type: 0x10, flags: 2, body: [UInt8](repeating: 0, count: 8)),
                            FramingCases.raw(type: 0x11, body: [1])] {
                try await peer.sendContent(content)
                if case .error(let notice)? = try await peer.expect(within: context.deadline(3), { if case .error = $0 { return true }; return false }) {
                    codes.append(notice.code)
                }
            }
            let reserved = codes.filter { (0x0400..<0x8000).contains($0.rawValue) }
            return codes.isEmpty ? .inconclusive("no ERROR seen") : reserved.isEmpty ? .pass : .fail(expected: "registry codes", actual: "\(reserved)")
        },
        ConformanceCase("ROSTER-2/hash-identifies-federation", "A roster differing in one seat's weight is another federation") { context in
            var roster = context.roster
            roster.bodies[0].seats[0].maxWeight += 1
            return try await context.refusedBeforeHandshake(context.hello(rosterHash: roster.hash), [.wrongFederation])
        },
        ConformanceCase("ORDER-1/decided-by-past", "A vote whose past lacks the recall is accepted, whatever the node holds") { context in
            let (resolution, _, _) = try await context.proposal(by: "gyor")
            let (mandate, delegate) = try await context.mandate("miskolc")
            let vote = context.sign(context.draft(delegate, .vote(Vote(resolution: resolution.id, mandate: mandate.id, choice: .yes))), delegate)
            _ = try await context.act(key("miskolc"), .recall(Recall(mandate: mandate.id, reason: "crossing")))
            return context.verdict(try await context.send(vote), .ack(.accepted))
        },
        ConformanceCase("CORE-1/undecided-before-dependencies", "A message from a stranger with a missing dependency is held, not judged") { context in
            let stranger = SigningKey.generate()
            var draft = context.draft(stranger, .dissolution(Dissolution(council: "gyor", statement: "")))
            draft.refs = [Hashing.sha256(Array("a message nobody has".utf8))]
            return context.verdict(try await context.submit(context.sign(draft, stranger).bytes, on: try await context.sharedLink()), .ack(.held))
        },
        ConformanceCase("ORDER-5/released-with-dependency", "Held messages are decided as soon as their dependency is accepted") { context in
            let (mandate, delegate) = try await context.mandate("miskolc")
            let (first, second) = heldPair(context, author: delegate, mandate: mandate)
            guard try await context.send(second) == .ack(.held) else { return .inconclusive("not held") }
            _ = try await context.send(first)
            return context.verdict(try await context.send(second), .ack(.duplicate))
        },
        ConformanceCase("VOTE-5/recalled-mandate", "A vote under a recalled mandate is MANDATE_RECALLED") { context in
            let (resolution, _, _) = try await context.proposal(by: "gyor")
            let (mandate, delegate) = try await context.mandate("csepel")
            _ = try await context.act(try context.currentKey(of: "csepel"), .recall(Recall(mandate: mandate.id, reason: "")))
            let (_, answer) = try await context.act(delegate, .vote(Vote(resolution: resolution.id, mandate: mandate.id, choice: .no)))
            return context.verdict(answer, .reject(.mandateRecalled))
        },
        ConformanceCase("EXT-1/version-negotiation", "A HELLO offering versions 1 to 9 negotiates version 1") { context in
            let peer = try await context.connect()
            defer { peer.close() }
            try await peer.sendRaw(context.hello(min: 1, max: 9))
            guard case .welcome(let welcome)? = try await peer.expect(within: context.deadline(5), { if case .welcome = $0 { return true }; return false })
            else { return .fail(expected: "WELCOME", actual: "none") }
            return welcome.version == 1 ? .pass : .fail(expected: "version 1", actual: "\(welcome.version)")
        },
        ConformanceCase("EXT-2/extension-code-error", "An ERROR with an extension code (0x8000+) is understood as closing") { context in
            let (peer, _) = try await context.link(as: "miskolc")
            defer { peer.close() }
            try await peer.send(.error(ErrorNotice(code: ErrorCode(rawValue: 0x8001), detail: "an extension")))
            let (closed, _) = try await peer.expectClose(within: context.deadline(5))
            return closed ? .pass : .fail(expected: "the link closes", actual: "it stayed open")
        },
    ]

    /// Run among the lifecycle cases, after Szolnok's replacement.
    static let replacedKey =
ConformanceCase("HS-13/replaced-key-authenticates", "After a REPLACE, the council authenticates with its new key only") { context in
            let council = "szolnok"
            let current = try context.currentKey(of: council)
            guard current.publicKey != ConformanceContract.councilKey(council).publicKey else { return .skip("Szolnok has not been replaced yet") }
            let good = try await context.connect()
            defer { good.close() }
            do {
                _ = try await good.handshake(as: council, key: current, roster: context.roster)
            } catch {
                return .fail(expected: "the new key authenticates", actual: "\(error)")
            }
            let old = try await context.connect()
            defer { old.close() }
            _ = try? await old.handshake(as: council, key: ConformanceContract.councilKey(council), roster: context.roster)
            old.unseal()
            return try await context.expectError(old, Allowed([.authenticationFailed], closes: true))
        }
}
