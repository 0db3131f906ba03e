import CouncilProtocol
import CouncilWire

/// Governance cases (PROTOCOL.md §12): the suite acts as councils, electors and delegates and
/// checks each answer's code.
enum GovernanceCases {
    static func key(_ council: String) -> SigningKey { ConformanceContract.councilKey(council) }

    /// A case that acts once and expects one answer.
    static func single(_ id: String, _ summary: String, expect: CaseContext.Answer,
                       _ build: @escaping @Sendable (CaseContext) async throws -> (SigningKey, Payload)) -> ConformanceCase {
        ConformanceCase(id, summary) { context in
            let (signer, payload) = try await build(context)
            let (_, answer) = try await context.act(signer, payload)
            return context.verdict(answer, expect)
        }
    }

    static func mandatePayload(_ context: CaseContext, body: String = "parliament", seat: String, weight: UInt16 = 1, from: UInt64? = nil,
                               until: UInt64? = nil, scope: [String] = ["strike"]) -> Payload {
        .mandate(Mandate(body: body, seat: seat, delegate: SigningKey.generate().publicKey, weight: weight, validFrom: from ?? context.now - 60_000,
                         validUntil: until ?? context.now + 86_400_000, scope: scope))
    }

    /// [CORE-3][CORE-4] A new message built on a rejected one: DEPENDENCY_REJECTED while the node
    /// remembers the rejection, ACK 2 (held for the missing dependency) once it has forgotten it,
    /// which [CORE-4] allows.
    static func builtOnRejected(_ answer: CaseContext.Answer) -> Verdict {
        [.reject(.dependencyRejected), .ack(.held)].contains(answer) ? .pass
            : .fail(expected: "REJECT DEPENDENCY_REJECTED, or ACK 2 from a node that forgot the rejection ([CORE-4])", actual: answer.description)
    }

    static let all: [ConformanceCase] = [
        ConformanceCase("ACK-1/valid-mandate-acknowledged", "A valid MANDATE is answered ACK accepted") { context in
            _ = try await context.mandate("miskolc")
            return .pass
        },
        ConformanceCase("ACK-3/duplicate", "The same message again is ACK duplicate") { context in
            let (mandate, _) = try await context.mandate("miskolc")
            return context.verdict(try await context.send(mandate), .ack(.duplicate))
        },
        ConformanceCase("CORE-4/duplicate-changes-nothing", "A duplicate mandate does not occupy the seat twice") { context in
            let (mandate, _) = try await context.mandate("gyor")
            _ = try await context.send(mandate)
            let (_, answer) = try await context.act(key("gyor"), .recall(Recall(mandate: mandate.id, reason: "once")))
            return context.verdict(answer, .ack(.accepted))
        },
        ConformanceCase("CORE-2/held-then-released", "A message whose prev is missing is held (ACK 2), then accepted with it") { context in
            let (mandate, delegate) = try await context.mandate("pecs")
            let first = context.sign(context.draft(delegate, .proposal(Proposal(mandate: mandate.id, question: "held-q", kind: "strike", rule: .majority,
                                                                               quorum: 1, closesAt: context.now, title: "", text: ""))), delegate)
            var secondDraft = context.draft(delegate, .proposal(Proposal(mandate: mandate.id, question: "held-r", kind: "strike", rule: .majority,
                                                                        quorum: 1, closesAt: context.now, title: "", text: "")))
            secondDraft.sequence = first.sequence + 1
            secondDraft.prev = first.id
            secondDraft.refs = secondDraft.refs.filter { $0 != first.id }
            let second = context.sign(secondDraft, delegate)
            let held = try await context.send(second)
            guard held == .ack(.held) else { return .fail(expected: "ACK held", actual: held.description) }
            let accepted = try await context.send(first)
            guard accepted == .ack(.accepted) else { return .fail(expected: "ACK accepted for the missing message", actual: accepted.description) }
            return context.verdict(try await context.send(second), .ack(.duplicate))
        },
        ConformanceCase("CORE-3/dependency-rejected", "A message built on a rejected one is DEPENDENCY_REJECTED") { context in
            let bad = context.sign(context.draft(key("csepel"), mandatePayload(context, seat: "gyor")), key("csepel"))
            guard try await context.send(bad) == .reject(.notAuthorised) else { return .inconclusive("the base message was not rejected as expected") }
            var child = context.draft(key("csepel"), .dissolution(Dissolution(council: "nowhere", statement: "")))
            child.sequence = bad.sequence + 1
            child.prev = bad.id
            child.refs = []
            return builtOnRejected(try await context.send(context.sign(child, key("csepel"))))
        },
        ConformanceCase("CORE-3/held-then-bad-signature", "A message held on one that then fails its signature is DEPENDENCY_REJECTED") { context in
            var bytes = context.sign(context.draft(key("csepel"), mandatePayload(context, seat: "gyor")), key("csepel")).bytes
            bytes[bytes.count - GovernanceMessage.signatureLength] ^= 0x01  // R, not S: the signature stays canonical
            let forged = try SignedMessage(bytes: bytes)
            var child = context.draft(key("gyor"), .dissolution(Dissolution(council: "nowhere", statement: "")))
            child.refs = [forged.id]
            let signedChild = context.sign(child, key("gyor"))
            guard try await context.send(signedChild) == .ack(.held) else { return .inconclusive("the message naming an unknown ref was not held") }
            guard try await context.send(forged) == .reject(.badSignature) else { return .inconclusive("the forged message was not rejected as expected") }
            // A new message naming the forgery shows whether the node remembers its rejection; the held
            // message must have met the same fate: rejected with it, or still held (ACK 2 again).
            var probe = context.draft(key("miskolc"), .dissolution(Dissolution(council: "nowhere", statement: "")))
            probe.refs = [forged.id]
            let remembered = try await context.send(context.sign(probe, key("miskolc")))
            let probed = builtOnRejected(remembered)
            guard case .pass = probed else { return probed }
            return context.verdict(try await context.send(signedChild), remembered)
        },
        ConformanceCase("CORE-5/bad-sequence", "A prev that is not the author's previous message is BAD_SEQUENCE") { context in
            let (mandate, _) = try await context.mandate("miskolc")
            var draft = context.draft(key("gyor"), mandatePayload(context, seat: "gyor"))
            draft.sequence = max(draft.sequence, 2)
            draft.prev = mandate.id
            draft.refs = draft.refs.filter { $0 != mandate.id }
            return context.verdict(try await context.send(context.sign(draft, key("gyor"))), .reject(.badSequence))
        },
        ConformanceCase("CORE-6/equivocation", "A second message with the author's sequence number is EQUIVOCATION") { context in
            let (mandate, delegate) = try await context.mandate("miskolc")
            let first = context.draft(delegate, .proposal(Proposal(mandate: mandate.id, question: "eq-1", kind: "strike", rule: .majority, quorum: 1,
                                                                  closesAt: context.now, title: "", text: "")))
            var twin = first
            twin.payload = .proposal(Proposal(mandate: mandate.id, question: "eq-2", kind: "strike", rule: .majority, quorum: 1, closesAt: context.now,
                                              title: "", text: ""))
            guard try await context.send(context.sign(first, delegate)) == .ack(.accepted) else { return .inconclusive("setup rejected") }
            return context.verdict(try await context.send(context.sign(twin, delegate)), .reject(.equivocation))
        },
        ConformanceCase("CORE-7/bad-timestamp", "A timestamp earlier than a dependency's is BAD_TIMESTAMP") { context in
            let (mandate, _) = try await context.mandate("gyor")
            var draft = context.draft(key("gyor"), .recall(Recall(mandate: mandate.id, reason: "backdated")))
            draft.timestamp = mandate.message.timestamp - 1
            return context.verdict(try await context.send(context.sign(draft, key("gyor"))), .reject(.badTimestamp))
        },
        single("CORE-8/unknown-author", "A signed act by a key with no role is UNKNOWN_AUTHOR", expect: .reject(.unknownAuthor)) { context in
            (SigningKey.generate(), .dissolution(Dissolution(council: "budapest", statement: "The CWC has been arrested.")))
        },
        single("MANDATE-3/unknown-body", "A mandate to a body the roster lacks is UNKNOWN_BODY", expect: .reject(.unknownBody)) { context in
            (key("miskolc"), mandatePayload(context, body: "senate", seat: "miskolc"))
        },
        single("MANDATE-3/unknown-seat", "A mandate to a seat the body lacks is UNKNOWN_SEAT", expect: .reject(.unknownSeat)) { context in
            (key("miskolc"), mandatePayload(context, seat: "vienna"))
        },
        single("MANDATE-4/other-councils-seat", "A council may not fill another council's seat", expect: .reject(.notAuthorised)) { context in
            (key("miskolc"), mandatePayload(context, seat: "gyor"))
        },
        single("MANDATE-5/weight-above-seat", "A weight above the seat's maximum is BAD_WEIGHT", expect: .reject(.badWeight)) { context in
            (key("pecs"), mandatePayload(context, seat: "pecs", weight: 2))
        },
        single("MANDATE-5/weight-zero", "Weight 0 is BAD_WEIGHT", expect: .reject(.badWeight)) { context in
            (key("pecs"), mandatePayload(context, seat: "pecs", weight: 0))
        },
        single("MANDATE-6/empty-validity", "An empty validity period is INVALID_FIELD", expect: .reject(.invalidField)) { context in
            (key("miskolc"), mandatePayload(context, seat: "miskolc", from: context.now, until: context.now))
        },
        ConformanceCase("MANDATE-7/seat-occupied", "A second mandate for an occupied seat is SEAT_OCCUPIED") { context in
            _ = try await context.mandate("miskolc")
            let (_, answer) = try await context.act(key("miskolc"), mandatePayload(context, seat: "miskolc"))
            return context.verdict(answer, .reject(.seatOccupied))
        },
        ConformanceCase("RECALL-1/unknown-mandate", "A recall of a mandate not in its past is UNKNOWN_MANDATE") { context in
            let (_, answer) = try await context.act(key("gyor"), .recall(Recall(mandate: Hashing.sha256([1, 9, 5, 6]), reason: "")))
            return context.verdict(answer, .reject(.unknownMandate))
        },
        ConformanceCase("RECALL-2/only-issuer-recalls", "Only the council that issued a mandate may recall it") { context in
            let (mandate, _) = try await context.mandate("gyor")
            let (_, answer) = try await context.act(key("miskolc"), .recall(Recall(mandate: mandate.id, reason: "not ours")))
            return context.verdict(answer, .reject(.notAuthorised))
        },
        ConformanceCase("RECALL-3/recalled-twice", "Recalling a recalled mandate is MANDATE_RECALLED") { context in
            let (mandate, _) = try await context.mandate("pecs")
            _ = try await context.act(key("pecs"), .recall(Recall(mandate: mandate.id, reason: "first")))
            let (_, answer) = try await context.act(key("pecs"), .recall(Recall(mandate: mandate.id, reason: "again")))
            return context.verdict(answer, .reject(.mandateRecalled))
        },
        ConformanceCase("RECALL-4/late-vote-rejected", "After a recall the delegate's vote is MANDATE_RECALLED") { context in
            let (resolution, _, _) = try await context.proposal(by: "gyor")
            let (mandate, delegate) = try await context.mandate("miskolc")
            _ = try await context.act(key("miskolc"), .recall(Recall(mandate: mandate.id, reason: "diverged")))
            let (_, answer) = try await context.act(delegate, .vote(Vote(resolution: resolution.id, mandate: mandate.id, choice: .yes)))
            return context.verdict(answer, .reject(.mandateRecalled))
        },
        ConformanceCase("PROPOSE-1/unknown-mandate", "A proposal under a mandate not in its past is UNKNOWN_MANDATE") { context in
            let (_, delegate) = try await context.mandate("pecs")
            let (_, answer) = try await context.act(delegate, .proposal(Proposal(mandate: Hashing.sha256([7]), question: "q", kind: "strike",
                                                                                  rule: .majority, quorum: 1, closesAt: 0, title: "", text: "")))
            return context.verdict(answer, .reject(.unknownMandate))
        },
        ConformanceCase("PROPOSE-2/not-the-delegate", "Only the mandate's delegate may propose under it") { context in
            let (mandate, _) = try await context.mandate("pecs")
            let (_, other) = try await context.mandate("gyor")
            let (_, answer) = try await context.act(other, .proposal(Proposal(mandate: mandate.id, question: "q", kind: "strike", rule: .majority,
                                                                               quorum: 1, closesAt: 0, title: "", text: "")))
            return context.verdict(answer, .reject(.notAuthorised))
        },
        ConformanceCase("PROPOSE-3/after-recall", "A proposal under a recalled mandate is MANDATE_RECALLED") { context in
            let (mandate, delegate) = try await context.mandate("csepel")
            _ = try await context.act(key("csepel"), .recall(Recall(mandate: mandate.id, reason: "")))
            let (_, answer) = try await context.act(delegate, .proposal(Proposal(mandate: mandate.id, question: "q", kind: "strike", rule: .majority,
                                                                                  quorum: 1, closesAt: 0, title: "", text: "")))
            return context.verdict(answer, .reject(.mandateRecalled))
        },
        ConformanceCase("PROPOSE-4/expired", "A proposal after the mandate's validity is MANDATE_EXPIRED") { context in
            let (mandate, delegate) = try await context.mandate("csepel", validFor: 1_000)
            try await Task.sleep(for: .milliseconds(1_500))
            let (_, answer) = try await context.act(delegate, .proposal(Proposal(mandate: mandate.id, question: "q", kind: "strike", rule: .majority,
                                                                                  quorum: 1, closesAt: 0, title: "", text: "")))
            return context.verdict(answer, .reject(.mandateExpired))
        },
        ConformanceCase("PROPOSE-5/out-of-scope", "A proposal outside the mandate's scope is OUT_OF_SCOPE") { context in
            let (mandate, delegate) = try await context.mandate("gyor", scope: ["production"])
            let (_, answer) = try await context.act(delegate, .proposal(Proposal(mandate: mandate.id, question: "national-council", kind: "federation",
                                                                                  rule: .majority, quorum: 1, closesAt: 0, title: "", text: "")))
            return context.verdict(answer, .reject(.outOfScope))
        },
        ConformanceCase("PROPOSE-6/rule-not-allowed", "A rule the body does not allow is RULE_NOT_ALLOWED") { context in
            let (mandate, delegate) = try await context.mandate("csepel", seat: "csepel-1", body: "cwc")
            let (_, answer) = try await context.act(delegate, .proposal(Proposal(mandate: mandate.id, question: "q", kind: "strike", rule: .unanimity,
                                                                                  quorum: 1, closesAt: 0, title: "", text: "")))
            return context.verdict(answer, .reject(.ruleNotAllowed))
        },
        ConformanceCase("PROPOSE-7/quorum-above-seats", "A quorum above the body's seats is INVALID_FIELD") { context in
            let (mandate, delegate) = try await context.mandate("csepel", seat: "csepel-1", body: "cwc")
            let (_, answer) = try await context.act(delegate, .proposal(Proposal(mandate: mandate.id, question: "q", kind: "strike", rule: .majority,
                                                                                  quorum: 4, closesAt: 0, title: "", text: "")))
            return context.verdict(answer, .reject(.invalidField))
        },
    ]
}
