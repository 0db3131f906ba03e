import CouncilConformance
import CouncilNode
import CouncilProtocol
import CouncilWire
import Foundation
import Testing

/// Real daemons as separate processes on loopback (issue: councild). Miskolc dials Budapest and
/// Budapest dials Győr, so messages between Miskolc and Győr cross a relay.
@Suite("councild processes", .serialized)
struct DaemonTests {
    static let now = UInt64(Date().timeIntervalSince1970 * 1_000)

    static func mandate(seat: String, delegate: SigningKey, weight: Int = 1, scope: [String] = ["strike"]) -> JSONValue {
        ["act": "MANDATE", "body": "parliament", "seat": .string(seat), "delegate": .string(delegate.publicKey.description), "weight": .int(Int64(weight)),
         "valid_from": .uint(now - 3_600_000), "valid_until": .uint(now + 86_400_000), "scope": .array(scope.map { .string($0) })]
    }

    func federation() async throws -> DaemonFederation {
        let federation = try DaemonFederation(nodes: ["miskolc", "budapest", "gyor"], links: [("miskolc", "budapest"), ("budapest", "gyor")])
        try await federation.startAll()
        try await federation.eventually("every link is up") {
            try await federation.linksUp("budapest") == 2
        }
        return federation
    }

    @Test("[RELAY-1][SYNC-5] a mandate, a resolution and its votes reach every node, and all report one digest")
    func propagation() async throws {
        let federation = try await federation()
        defer { federation.stopAll() }
        let delegate = TestFederation.delegateKey(1)
        let (mandate, decision) = try await federation.act(TestFederation.councilKey("miskolc"), Self.mandate(seat: "miskolc", delegate: delegate, weight: 2),
                                                           at: "miskolc")
        #expect(decision == "accepted")
        try await federation.eventually("the mandate reaches Győr, two hops away") { try await federation.knows("gyor", mandate) == "accepted" }
        let (resolution, proposed) = try await federation.act(delegate, [
            "act": "PROPOSAL", "mandate": .string(mandate.description), "question": "general-strike", "kind": "strike", "rule": "majority",
            "quorum": 1, "closes_at": .uint(Self.now), "title": "General strike", "text": "",
        ], at: "gyor")
        #expect(proposed == "accepted")
        try await federation.eventually("the proposal reaches Budapest") { try await federation.knows("budapest", resolution) == "accepted" }
        let (vote, voted) = try await federation.act(delegate, ["act": "VOTE", "resolution": .string(resolution.description),
                                                               "mandate": .string(mandate.description), "choice": "for"], at: "budapest")
        #expect(voted == "accepted")
        for node in federation.nodes {
            try await federation.eventually("\(node) holds the vote") { try await federation.knows(node, vote) == "accepted" }
        }
        try await federation.eventually("the digests agree") {
            Set([try await federation.digest("miskolc"), try await federation.digest("budapest"), try await federation.digest("gyor")]).count == 1
        }
    }

    @Test("[RECALL-4][VOTE-5] a recall propagates, and a later vote under it is rejected everywhere")
    func recallPropagates() async throws {
        let federation = try await federation()
        defer { federation.stopAll() }
        let delegate = TestFederation.delegateKey(2)
        let (mandate, _) = try await federation.act(TestFederation.councilKey("gyor"), Self.mandate(seat: "gyor", delegate: delegate), at: "gyor")
        try await federation.eventually("the mandate reaches Miskolc") { try await federation.knows("miskolc", mandate) == "accepted" }
        let (resolution, _) = try await federation.act(delegate, [
            "act": "PROPOSAL", "mandate": .string(mandate.description), "question": "q", "kind": "strike", "rule": "majority", "quorum": 1,
            "closes_at": .uint(Self.now), "title": "t", "text": "",
        ], at: "gyor")
        let (recall, recalled) = try await federation.act(TestFederation.councilKey("gyor"), ["act": "RECALL", "mandate": .string(mandate.description),
                                                                                            "reason": "diverged"], at: "gyor")
        #expect(recalled == "accepted")
        try await federation.eventually("miskolc holds the recall") { try await federation.knows("miskolc", recall) == "accepted" }
        for node in federation.nodes {
            let (_, decision) = try await federation.act(delegate, ["act": "VOTE", "resolution": .string(resolution.description),
                                                                    "mandate": .string(mandate.description), "choice": "for"], at: node)
            #expect(decision == "MANDATE_RECALLED", "at \(node)")
        }
    }

    @Test("[ACK-2] a node killed with SIGKILL loses nothing it acknowledged and catches up on restart")
    func crashAndCatchUp() async throws {
        let federation = try await federation()
        defer { federation.stopAll() }
        var acknowledged: [MessageID] = []
        for (index, seat) in ["miskolc", "gyor"].enumerated() {
            let (id, decision) = try await federation.act(TestFederation.councilKey(seat), Self.mandate(seat: seat, delegate: TestFederation.delegateKey(3 + index)),
                                                          at: seat)
            #expect(decision == "accepted")
            acknowledged.append(id)
        }
        try await federation.eventually("gyor holds both") {
            for id in acknowledged where try await federation.knows("gyor", id) != "accepted" { return false }
            return true
        }
        federation.kill("gyor")
        let (whileDown, decision) = try await federation.act(TestFederation.councilKey("miskolc"), ["act": "DISSOLVE", "council": "miskolc",
                                                                                                     "statement": "We return our mandate."], at: "miskolc")
        #expect(decision == "accepted")
        try federation.start("gyor")
        try await federation.waitForOperator("gyor")
        for id in acknowledged { #expect(try await federation.knows("gyor", id) == "accepted", "acknowledged before the crash") }
        try await federation.eventually("gyor caught up with what was sent while it was down") {
            try await federation.knows("gyor", whileDown) == "accepted"
        }
        try await federation.eventually("the digests agree") {
            Set([try await federation.digest("miskolc"), try await federation.digest("gyor")]).count == 1
        }
    }

    @Test("[SIG-3][ACK-4][RELAY-2] a forged message over TCP is rejected with its code and never relayed")
    func forgedOverTCP() async throws {
        let federation = try await federation()
        defer { federation.stopAll() }
        let peer = try await TestPeer.connect(to: federation.linkAddress("budapest"))
        defer { peer.close() }
        #expect(try await peer.handshake(as: "szolnok", key: TestFederation.councilKey("szolnok"), roster: federation.roster) == "budapest")
        // The rumour: Budapest's dissolution, signed by no one.
        var forged = GovernanceMessage(author: TestFederation.councilKey("budapest").publicKey, sequence: 1, timestamp: Self.now, prev: .zero, refs: [],
                                       payload: .dissolution(Dissolution(council: "budapest", statement: "The CWC has been arrested.")))
        forged.signature = TestFederation.key("radio-budapest").sign(forged.signingInput(rosterHash: federation.roster.hash))
        let id = Hashing.sha256(forged.encoded)
        try await peer.send(.message(forged.encoded))
        let answer = try await peer.expect(within: .seconds(5)) { frame in
            if case .reject(let reject) = frame { return reject.id == id }
            return false
        }
        guard case .reject(let reject)? = answer else {
            Issue.record("no REJECT: \(peer.trace.joined(separator: "\n"))")
            return
        }
        #expect(reject.code == .badSignature)
        for node in ["miskolc", "gyor"] { #expect(try await federation.knows(node, id) == "unknown", "\(node) never heard of it") }
        #expect(try await federation.request("budapest", ["op": "councils"])["councils"]?.arrayValue?.allSatisfy { $0["dissolved"] == false } == true)
    }

    @Test("a bad config is refused with exit status 3, naming the file, line and field")
    func badConfig() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("council-badconfig-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("node.json")
        try "{\n  \"council\": \"miskolc\",\n  \"listen\": \"nowhere\"\n}\n".write(to: config, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: DaemonFederation.councild)
        process.arguments = ["--config", config.path]
        let pipe = Pipe()
        process.standardError = pipe
        try process.run()
        process.waitUntilExit()
        let message = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 3)
        #expect(message.contains("node.json:"), "names the file and line: \(message)")
    }
}
