import CouncilProtocol
import CouncilWire

/// Votes, closes and tallies (PROTOCOL.md §12.7–§12.9), checked through what a CLOSE may declare.
enum VotingCases {
    static func key(_ council: String) -> SigningKey { ConformanceContract.councilKey(council) }

    /// A CLOSE of `resolution` by `closer`, declaring `tally`.
    static func close(_ context: CaseContext, _ resolution: SignedMessage, by closer: SigningKey, tally: Tally? = nil) async throws -> CaseContext.Answer {
        guard var draft = context.mirror.draftClose(author: closer.publicKey, resolution: resolution.id, now: context.now) else { return .nothing }
        if let tally { draft.payload = .close(Close(resolution: resolution.id, tally: tally)) }
        return try await context.send(context.sign(draft, closer))
    }

    static func vote(_ context: CaseContext, _ delegate: SigningKey, _ resolution: SignedMessage, _ mandate: SignedMessage, _ choice: Choice,
                     statement: String = "") async throws -> CaseContext.Answer {
        try await context.act(delegate, .vote(Vote(resolution: resolution.id, mandate: mandate.id, choice: choice, statement: statement))).1
    }

    static let all: [ConformanceCase] = [
        ConformanceCase("VOTE-1/unknown-resolution", "A vote on a resolution not in its past is UNKNOWN_RESOLUTION") { context in
            let (mandate, delegate) = try await context.mandate("miskolc")
            let (_, answer) = try await context.act(delegate, .vote(Vote(resolution: Hashing.sha256([3]), mandate: mandate.id, choice: .yes)))
            return context.verdict(answer, .reject(.unknownResolution))
        },
        ConformanceCase("VOTE-2/unknown-mandate", "A vote under a mandate not in its past is UNKNOWN_MANDATE") { context in
            let (resolution, _, delegate) = try await context.proposal(by: "gyor")
            let (_, answer) = try await context.act(delegate, .vote(Vote(resolution: resolution.id, mandate: Hashing.sha256([4]), choice: .yes)))
            return context.verdict(answer, .reject(.unknownMandate))
        },
        ConformanceCase("VOTE-3/not-the-delegate", "Only the mandate's delegate may vote under it") { context in
            let (resolution, mandate, _) = try await context.proposal(by: "gyor")
            let (_, other) = try await context.mandate("pecs")
            return context.verdict(try await vote(context, other, resolution, mandate, .yes), .reject(.notAuthorised))
        },
        ConformanceCase("VOTE-4/wrong-body", "A mandate for another body cannot vote") { context in
            let (resolution, _, _) = try await context.proposal(by: "gyor")
            let (cwc, delegate) = try await context.mandate("csepel", seat: "csepel-1", body: "cwc")
            return context.verdict(try await vote(context, delegate, resolution, cwc, .yes), .reject(.wrongBody))
        },
        ConformanceCase("VOTE-6/expired", "A vote after the mandate's validity is MANDATE_EXPIRED") { context in
            let (resolution, _, _) = try await context.proposal(by: "gyor")
            let (mandate, delegate) = try await context.mandate("pecs", validFor: 1_000)
            try await Task.sleep(for: .milliseconds(1_500))
            return context.verdict(try await vote(context, delegate, resolution, mandate, .yes), .reject(.mandateExpired))
        },
        ConformanceCase("VOTE-7/after-close", "A vote on a closed resolution is RESOLUTION_CLOSED") { context in
            let (resolution, mandate, delegate) = try await context.proposal(by: "gyor", closesIn: 0)
            guard try await close(context, resolution, by: delegate) == .ack(.accepted) else { return .inconclusive("the setup CLOSE was refused") }
            return context.verdict(try await vote(context, delegate, resolution, mandate, .yes), .reject(.resolutionClosed))
        },
        ConformanceCase("VOTE-8/out-of-scope", "A vote outside the mandate's scope is OUT_OF_SCOPE") { context in
            let (resolution, _, _) = try await context.proposal(by: "gyor", kind: "strike")
            let (mandate, delegate) = try await context.mandate("miskolc", scope: ["production"])
            return context.verdict(try await vote(context, delegate, resolution, mandate, .yes), .reject(.outOfScope))
        },
        ConformanceCase("VOTE-9/instruction-violated", "A vote against a binding instruction is INSTRUCTION_VIOLATED") { context in
            let (resolution, _, _) = try await context.proposal(by: "gyor", question: "bound-question")
            let (mandate, delegate) = try await context.mandate("miskolc", instructions: [.init(question: "bound-question", choice: .yes)])
            return context.verdict(try await vote(context, delegate, resolution, mandate, .no), .reject(.instructionViolated))
        },
        ConformanceCase("VOTE-10/already-voted", "A second vote by the same delegate and mandate is ALREADY_VOTED") { context in
            let (resolution, mandate, delegate) = try await context.proposal(by: "gyor")
            _ = try await vote(context, delegate, resolution, mandate, .yes)
            return context.verdict(try await vote(context, delegate, resolution, mandate, .no), .reject(.alreadyVoted))
        },
        ConformanceCase("CLOSE-1/unknown-resolution", "A CLOSE of a resolution not in its past is UNKNOWN_RESOLUTION") { context in
            let (_, answer) = try await context.act(key("gyor"), .close(Close(resolution: Hashing.sha256([5]),
                                                                              tally: Tally(outcome: .noQuorum, yes: 0, no: 0, abstain: 0, seatsVoted: 0))))
            return context.verdict(answer, .reject(.unknownResolution))
        },
        ConformanceCase("CLOSE-1/closed-twice", "A second CLOSE that saw the first is RESOLUTION_CLOSED") { context in
            let (resolution, _, delegate) = try await context.proposal(by: "gyor", closesIn: 0)
            _ = try await close(context, resolution, by: delegate)
            return context.verdict(try await close(context, resolution, by: key("miskolc")), .reject(.resolutionClosed))
        },
        ConformanceCase("CLOSE-2/stranger-may-not-close", "A delegate who did not propose may not close") { context in
            let (resolution, _, _) = try await context.proposal(by: "gyor", closesIn: 0)
            let (_, other) = try await context.mandate("pecs")
            return context.verdict(try await close(context, resolution, by: other), .reject(.notAuthorised))
        },
        ConformanceCase("CLOSE-2/seated-council-may-close", "A council seated in the body may close: members disappear") { context in
            let (resolution, _, _) = try await context.proposal(by: "gyor", closesIn: 0)
            return context.verdict(try await close(context, resolution, by: key("miskolc")), .ack(.accepted))
        },
        ConformanceCase("CLOSE-3/too-early", "A CLOSE before closes_at, with seats not voted, is CLOSE_TOO_EARLY") { context in
            let (resolution, _, delegate) = try await context.proposal(by: "gyor", closesIn: 3_600_000)
            return context.verdict(try await close(context, resolution, by: delegate), .reject(.closeTooEarly))
        },
        ConformanceCase("CLOSE-4/tally-mismatch", "A CLOSE declaring another tally than its past gives is TALLY_MISMATCH") { context in
            let (resolution, _, delegate) = try await context.proposal(by: "gyor", closesIn: 0)
            let wrong = Tally(outcome: .adopted, yes: 99, no: 0, abstain: 0, seatsVoted: 1)
            return context.verdict(try await close(context, resolution, by: delegate, tally: wrong), .reject(.tallyMismatch))
        },
        ConformanceCase("TALLY-3/weights-summed", "Votes count with their mandates' weights; abstentions are recorded") { context in
            let (resolution, mandate, delegate) = try await context.proposal(by: "gyor", quorum: 2, closesIn: 0)
            let (heavy, heavyDelegate) = try await context.mandate("csepel", weight: 2)
            _ = try await vote(context, delegate, resolution, mandate, .no)
            _ = try await vote(context, heavyDelegate, resolution, heavy, .abstain, statement: "Csepel abstains")
            let expected = Tally(outcome: .rejected, yes: 0, no: 1, abstain: 2, seatsVoted: 2)
            return context.verdict(try await close(context, resolution, by: delegate, tally: expected), .ack(.accepted))
        },
        ConformanceCase("TALLY-4/majority-adopted", "More weight for than against adopts by majority") { context in
            let (resolution, mandate, delegate) = try await context.proposal(by: "gyor", quorum: 1, closesIn: 0)
            _ = try await vote(context, delegate, resolution, mandate, .yes)
            return context.verdict(try await close(context, resolution, by: delegate, tally: Tally(outcome: .adopted, yes: 1, no: 0, abstain: 0, seatsVoted: 1)),
                                   .ack(.accepted))
        },
        ConformanceCase("TALLY-4/no-quorum", "Fewer seats voted than the quorum is no quorum") { context in
            let (resolution, mandate, delegate) = try await context.proposal(by: "gyor", quorum: 3, closesIn: 0)
            _ = try await vote(context, delegate, resolution, mandate, .yes)
            return context.verdict(try await close(context, resolution, by: delegate, tally: Tally(outcome: .noQuorum, yes: 1, no: 0, abstain: 0, seatsVoted: 1)),
                                   .ack(.accepted))
        },
        ConformanceCase("TALLY-1/crossing-vote-not-counted", "A vote the recall had not seen counts in no tally that holds the recall") { context in
            let (resolution, _, proposer) = try await context.proposal(by: "gyor", quorum: 1, closesIn: 0)
            let (mandate, delegate) = try await context.mandate("miskolc", weight: 2)
            // The vote and the recall are built on the same past: neither has seen the other.
            let voteDraft = context.draft(delegate, .vote(Vote(resolution: resolution.id, mandate: mandate.id, choice: .yes)))
            let recallDraft = context.draft(key("miskolc"), .recall(Recall(mandate: mandate.id, reason: "diverged")))
            let vote = context.sign(voteDraft, delegate), recall = context.sign(recallDraft, key("miskolc"))
            guard try await context.send(recall) == .ack(.accepted) else { return .inconclusive("the recall was refused") }
            let voteAnswer = try await context.send(vote)
            guard voteAnswer == .ack(.accepted) else { return .fail(expected: "the crossing vote is accepted ([VOTE-5] holds in its past)", actual: voteAnswer.description) }
            let counted = Tally(outcome: .adopted, yes: 2, no: 0, abstain: 0, seatsVoted: 1)
            let wrong = try await close(context, resolution, by: proposer, tally: counted)
            guard wrong == .reject(.tallyMismatch) else { return .fail(expected: "a tally counting the crossing vote is TALLY_MISMATCH", actual: wrong.description) }
            return context.verdict(try await close(context, resolution, by: proposer, tally: Tally(outcome: .noQuorum, yes: 0, no: 0, abstain: 0, seatsVoted: 0)),
                                   .ack(.accepted))
        },
        ConformanceCase("TALLY-1/seen-vote-counts", "A vote the recalling council had seen still counts") { context in
            let (resolution, _, proposer) = try await context.proposal(by: "gyor", quorum: 1, closesIn: 0)
            let (mandate, delegate) = try await context.mandate("miskolc", weight: 2)
            _ = try await vote(context, delegate, resolution, mandate, .no)
            _ = try await context.act(key("miskolc"), .recall(Recall(mandate: mandate.id, reason: "voted against")))
            return context.verdict(try await close(context, resolution, by: proposer, tally: Tally(outcome: .rejected, yes: 0, no: 2, abstain: 0, seatsVoted: 1)),
                                   .ack(.accepted))
        },
        ConformanceCase("TALLY-2/seat-counts-once", "A seat's new delegate's vote replaces its recalled delegate's seen vote") { context in
            let (resolution, _, proposer) = try await context.proposal(by: "gyor", quorum: 1, closesIn: 0)
            let (first, firstDelegate) = try await context.mandate("pecs")
            _ = try await vote(context, firstDelegate, resolution, first, .yes)
            let (second, secondDelegate) = try await context.mandate("pecs")
            _ = try await vote(context, secondDelegate, resolution, second, .no)
            return context.verdict(try await close(context, resolution, by: proposer, tally: Tally(outcome: .rejected, yes: 0, no: 1, abstain: 0, seatsVoted: 1)),
                                   .ack(.accepted))
        },
    ]
}
