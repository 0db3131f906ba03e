import CouncilProtocol
import CouncilWire

/// Replacement and dissolution (PROTOCOL.md §12.6), played on Szolnok, which the other cases
/// leave alone: a second run finds it replaced and dissolved, and those cases then skip.
enum LifecycleCases {
    static let council = "szolnok"
    static var electors: SigningKey { ConformanceContract.electorsKey(council) }

    static func replacement(_ context: CaseContext, newKey: PublicKey) -> Payload {
        .replacement(Replacement(council: council, newKey: newKey, reason: "The workers elected a new council."))
    }

    static func dissolved(_ context: CaseContext) -> Bool { context.mirror.isDissolved(council, in: .everything) }

    /// The first successor key Szolnok has not had: each run's REPLACEs install fresh ones.
    static func nextSuccessor(_ context: CaseContext) -> SigningKey {
        let current = context.mirror.currentKey(of: council, in: .everything)
        let used = (1...64).last { ConformanceContract.successorKey(council, $0).publicKey == current } ?? 0
        return ConformanceContract.successorKey(council, used + 1)
    }

    static let all: [ConformanceCase] = [
        ConformanceCase("REPLACE-1/council-cannot-replace-itself", "Only the electors replace a council") { context in
            if dissolved(context) { return .skip("Szolnok was dissolved by an earlier run") }
            let (_, answer) = try await context.act(try context.currentKey(of: council), replacement(context, newKey: SigningKey.generate().publicKey))
            return context.verdict(answer, .reject(.notAuthorised))
        },
        ConformanceCase("REPLACE-2/key-already-used", "A new key that is already a roster key is INVALID_FIELD") { context in
            if dissolved(context) { return .skip("Szolnok was dissolved by an earlier run") }
            let (_, answer) = try await context.act(electors, replacement(context, newKey: ConformanceContract.councilKey("gyor").publicKey))
            return context.verdict(answer, .reject(.invalidField))
        },
        ConformanceCase("HS-13/link-outlives-replace", "A REPLACE does not end a link set up with the old key") { context in
            if dissolved(context) { return .skip("Szolnok was dissolved by an earlier run") }
            let (peer, _) = try await context.link(as: council, key: try context.currentKey(of: council))
            defer { peer.close() }
            let (_, replaced) = try await context.act(electors, replacement(context, newKey: nextSuccessor(context).publicKey))
            guard replaced == .ack(.accepted) else { return .inconclusive("the electors' REPLACE was answered \(replaced)") }
            return try await context.alive(peer) ? .pass
                : .fail(expected: "PONG on the link set up before the REPLACE", actual: peer.hasEnded ? "the link was closed" : "no PONG")
        },
        ConformanceCase("REPLACE-4/old-key-refused", "After a REPLACE the old key's acts are KEY_REPLACED; its mandates stand") { context in
            if dissolved(context) { return .skip("Szolnok was dissolved by an earlier run") }
            let old = try context.currentKey(of: council)
            let (mandate, _) = try await context.mandate(council)
            let successor = nextSuccessor(context)
            let (_, replaced) = try await context.act(electors, replacement(context, newKey: successor.publicKey))
            guard replaced == .ack(.accepted) else { return .fail(expected: "the electors' REPLACE is accepted", actual: replaced.description) }
            let (_, answer) = try await context.act(old, .recall(Recall(mandate: mandate.id, reason: "the old council")))
            guard answer == .reject(.keyReplaced) else { return .fail(expected: "REJECT KEY_REPLACED for the old key", actual: answer.description) }
            let (_, recalled) = try await context.act(successor, .recall(Recall(mandate: mandate.id, reason: "the new council recalls")))
            return context.verdict(recalled, .ack(.accepted))
        },
        ConformanceCase("CORE-9/retired-key", "Any act by a retired council key is KEY_REPLACED") { context in
            if dissolved(context) { return .skip("Szolnok was dissolved by an earlier run") }
            guard context.mirror.currentKey(of: council, in: .everything) != ConformanceContract.councilKey(council).publicKey else {
                return .skip("Szolnok's key has not been replaced (REPLACE-4 did not run)")
            }
            let (_, answer) = try await context.act(ConformanceContract.councilKey(council), .dissolution(Dissolution(council: council, statement: "")))
            return context.verdict(answer, .reject(.keyReplaced))
        },
        CoverageCases.replacedKey,
        ConformanceCase("DISSOLVE-1/other-council-cannot", "Another council may not dissolve Szolnok") { context in
            let (_, answer) = try await context.act(ConformanceContract.councilKey("gyor"), .dissolution(Dissolution(council: council, statement: "")))
            return context.verdict(answer, .reject(.notAuthorised))
        },
        ConformanceCase("DISSOLVE-3/mandates-returned", "A DISSOLVE returns the council's mandates; its acts are then COUNCIL_DISSOLVED") { context in
            if dissolved(context) { return .skip("Szolnok was dissolved by an earlier run") }
            let key = try context.currentKey(of: council)
            let (mandate, delegate) = try await context.mandate(council)
            let (_, answer) = try await context.act(key, .dissolution(Dissolution(council: council, statement: "We are returning our mandate into the hands of the workers.")))
            guard answer == .ack(.accepted) else { return .fail(expected: "the DISSOLVE is accepted", actual: answer.description) }
            let (resolution, _, _) = try await context.proposal(by: "gyor")
            let (_, vote) = try await context.act(delegate, .vote(Vote(resolution: resolution.id, mandate: mandate.id, choice: .yes)))
            return context.verdict(vote, .reject(.councilDissolved))
        },
        ConformanceCase("CORE-10/dissolved-council-acts", "A dissolved council's own acts are COUNCIL_DISSOLVED") { context in
            guard dissolved(context) else { return .skip("Szolnok is not dissolved (DISSOLVE-3 did not run)") }
            let (_, answer) = try await context.act(try context.currentKey(of: council), .dissolution(Dissolution(council: "gyor", statement: "")))
            return context.verdict(answer, .reject(.councilDissolved))
        },
        ConformanceCase("HS-13/dissolved-council-links", "A dissolved council still links with its current key") { context in
            guard dissolved(context) else { return .skip("Szolnok is not dissolved (DISSOLVE-3 did not run)") }
            let (peer, first) = try await context.link(as: council, key: try context.currentKey(of: council))
            defer { peer.close() }
            guard first != nil else { return .fail(expected: "SYNC first on the link", actual: peer.hasEnded ? "the link was closed" : "no SYNC") }
            return try await context.alive(peer) ? .pass : .fail(expected: "PONG", actual: peer.hasEnded ? "the link was closed" : "no PONG")
        },
        ConformanceCase("DISSOLVE-2/dissolved-twice", "Dissolving a dissolved council is COUNCIL_DISSOLVED") { context in
            guard dissolved(context) else { return .skip("Szolnok is not dissolved (DISSOLVE-3 did not run)") }
            let (_, answer) = try await context.act(electors, .dissolution(Dissolution(council: council, statement: "")))
            return context.verdict(answer, .reject(.councilDissolved))
        },
        ConformanceCase("REPLACE-3/dissolved-not-replaced", "A dissolved council cannot be replaced") { context in
            guard dissolved(context) else { return .skip("Szolnok is not dissolved (DISSOLVE-3 did not run)") }
            let (_, answer) = try await context.act(electors, replacement(context, newKey: SigningKey.generate().publicKey))
            return context.verdict(answer, .reject(.councilDissolved))
        },
    ]
}
