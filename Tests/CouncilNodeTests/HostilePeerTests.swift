import CouncilConformance
import CouncilNode
import CouncilProtocol
import CouncilWire
import Foundation
import Testing

/// Hostile peers in bulk, over TCP, against a real daemon whose honest link must keep working
/// (RELIABILITY.md §4). The conformance suite checks each answer once; this checks them by the
/// thousand, and that nothing rejected is stored or relayed and memory stays bounded.
@Suite("Hostile peers in bulk", .serialized)
struct HostilePeerTests {
    /// What the daemon may grow by under the barrage, and may reach at all (RELIABILITY.md).
    static let growthBound = 64 << 20
    static let residentBound = 256 << 20

    let roster = TestFederation.roster

    func federation() async throws -> DaemonFederation {
        let federation = try DaemonFederation(nodes: ["miskolc", "budapest"], links: [("miskolc", "budapest")])
        try await federation.startAll()
        try await federation.eventually("the honest link is up") { try await federation.linksUp("miskolc") == 1 }
        return federation
    }

    /// A fresh authenticated link to Budapest, claiming Győr with Győr's real key.
    func session(_ federation: DaemonFederation) async throws -> TestPeer {
        let peer = try await TestPeer.connect(to: federation.linkAddress("budapest"))
        _ = try await peer.handshake(as: "gyor", key: TestFederation.councilKey("gyor"), roster: roster)
        return peer
    }

    /// A valid mandate by Győr, drafted on Budapest's view but not submitted.
    func sample(_ federation: DaemonFederation) async throws -> SignedMessage {
        let drafted = try await federation.request("budapest", ["op": "draft", "author": .string(TestFederation.councilKey("gyor").publicKey.description),
                                                               "payload": DaemonTests.mandate(seat: "gyor", delegate: TestFederation.delegateKey(5))])
        let bytes = try #require(drafted["message"]?.stringValue.flatMap(Hex.decode))
        return SignedMessage(signing: try GovernanceMessage(decoding: bytes), with: TestFederation.councilKey("gyor"), rosterHash: roster.hash)
    }

    func resident(_ federation: DaemonFederation, _ node: String) throws -> Int {
        let pid = try #require(federation.processes[node]?.processIdentifier)
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") })
        return (Int(line.split(separator: " ")[1]) ?? 0) * 1_024
    }

    /// The honest link still carries news both ways.
    func honestLinkWorks(_ federation: DaemonFederation) async throws {
        #expect(try await federation.linksUp("miskolc") == 1, "the honest link stayed up")
        let (id, decision) = try await federation.act(TestFederation.councilKey("miskolc"),
                                                       DaemonTests.mandate(seat: "miskolc", delegate: TestFederation.delegateKey(6)), at: "miskolc")
        #expect(decision == "accepted")
        try await federation.eventually("Miskolc's act reaches Budapest") { try await federation.knows("budapest", id) == "accepted" }
    }

    @Test("[SIG-3][ENC-1][RELAY-2] every single-byte change of a signed message is rejected, never stored or relayed; replays are acknowledged as duplicates")
    func everySingleByteChange() async throws {
        let federation = try await federation()
        defer { federation.stopAll() }
        let original = try await sample(federation)
        var peer = try await session(federation)
        var changed: [MessageID] = []
        var answered = 0
        for position in original.bytes.indices {
            for flip: UInt8 in [0x01, 0x80] {
                var bytes = original.bytes
                bytes[position] ^= flip
                let id = Hashing.sha256(bytes)
                changed.append(id)
                var answer: Frame?
                for _ in 0..<2 where answer == nil {
                    try await peer.send(.message(bytes))
                    answer = try await peer.expect(within: .seconds(5)) { $0.answers(id) }
                    if answer == nil {  // the link was closed after MAX_INVALID_FRAMES: a new one
                        peer.close()
                        peer = try await session(federation)
                    }
                }
                guard case .reject = answer else {
                    Issue.record("byte \(position) ^ \(flip): \(answer.map { "\($0)" } ?? "no answer"), expected REJECT")
                    continue
                }
                answered += 1
            }
        }
        #expect(answered == original.bytes.count * 2)
        for node in ["budapest", "miskolc"] {
            let missing = try await federation.request(node, ["op": "missing", "ids": .array(changed.map { .string($0.description) })])
            #expect(missing["missing"]?.arrayValue?.count == changed.count, "\(node) stored or was relayed none of the \(changed.count) changed messages")
        }

        peer.close()
        peer = try await session(federation)
        try await peer.send(.message(original.bytes))
        let first = try await peer.expect(within: .seconds(5)) { if case .ack = $0 { true } else { false } }
        guard case .ack(let ack) = first else { Issue.record("the original was not acknowledged"); return }
        #expect(ack.status == .accepted)
        let accepted = try await federation.request("budapest", ["op": "status"])["accepted"]?.intValue
        for _ in 0..<200 {
            try await peer.send(.message(original.bytes))
            let again = try await peer.expect(within: .seconds(5)) { if case .ack = $0 { true } else { false } }
            guard case .ack(let replayed) = again, replayed.status == .duplicate else {
                Issue.record("a replay was answered \(again.map { "\($0)" } ?? "nothing"), expected ACK duplicate")
                break
            }
        }
        #expect(try await federation.request("budapest", ["op": "status"])["accepted"]?.intValue == accepted, "200 replays applied nothing twice")
        try await federation.eventually("the original reaches Miskolc") { try await federation.knows("miskolc", original.id) == "accepted" }
        peer.close()
        try await honestLinkWorks(federation)
    }

    @Test("[FRAME-3][LINK-5] 10,000 garbage frames and 4 GiB length prefixes: each link closed with the Spec's error, memory bounded, the honest link unharmed")
    func garbageBarrage() async throws {
        let federation = try await federation()
        defer { federation.stopAll() }
        let before = try resident(federation, "budapest")
        var random = SystemRandomNumberGenerator()
        var sent = 0
        var closedWithError = 0
        let perLink = NodeLimits().maxInvalidFrames + 1  // [LINK-5]: closed once there are more than MAX_INVALID_FRAMES
        let types = [FrameType.ping, .pong, .message, .ack, .reject, .sync, .syncDone].map(\.rawValue)
        var sessions = 0
        while sent < 10_000 {
            let peer = try await session(federation)
            sessions += 1
            // Version 1 and a known type, so the garbage reaches the body checks; a burst that
            // happens to hold valid frames is followed by another.
            for _ in 0..<4 {
                for _ in 0..<perLink {
                    let length = Int.random(in: 2...2_048, using: &random)
                    let body = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
                    try await peer.sendContent([1, types.randomElement(using: &random)!] + body)
                }
                sent += perLink
                let (closed, notice) = try await peer.expectClose(within: .seconds(2))
                if closed {
                    if notice != nil { closedWithError += 1 }
                    break
                }
            }
            peer.close()
        }
        #expect(closedWithError == sessions, "every garbage link was closed with an ERROR (\(closedWithError) of \(sessions))")

        for declared: UInt32 in [1 << 24, 1 << 31, .max] {
            let peer = try await TestPeer.connect(to: federation.linkAddress("budapest"))
            try await peer.sendRaw(withUnsafeBytes(of: declared.bigEndian) { Array($0) })
            let (closed, notice) = try await peer.expectClose(within: .seconds(3))
            #expect(closed && notice?.code == .frameTooLarge, "a \(declared)-byte prefix is refused at once")
            peer.close()
        }
        let after = try resident(federation, "budapest")
        #expect(after - before < Self.growthBound, "resident memory grew \((after - before) >> 20) MiB")
        #expect(after < Self.residentBound, "resident memory \(after >> 20) MiB")
        try await honestLinkWorks(federation)
    }

    @Test("[LINK-5][ACK-6][LINK-8] messages sent before the frame that exceeds the budget are still decided and answered, then the link closes")
    func budgetKeepsTheLinkOrder() async throws {
        let federation = try await federation()
        defer { federation.stopAll() }
        let peer = try await session(federation)
        defer { peer.close() }
        let unknownType: [UInt8] = [1, 0x7D, 0]  // UNKNOWN_FRAME_TYPE: the link survives it ([ERR-2])
        let limit = NodeLimits().maxInvalidFrames
        peer.sendContents(Array(repeating: unknownType, count: limit))
        // In one write, so the node reads them together: a valid MESSAGE, then the frame over the budget.
        let message = try await sample(federation)
        peer.sendContents([Frame.message(message.bytes).content(), unknownType])
        let acknowledged = try await peer.expect(within: .seconds(5)) { if case .ack(let ack) = $0 { ack.id == message.id } else { false } }
        #expect(acknowledged != nil, "the message was acknowledged before the link closed:\n\(peer.trace.suffix(8).joined(separator: "\n"))")
        let (closed, notice) = try await peer.expectClose(within: .seconds(5))
        #expect(closed && notice?.code == .tooManyInvalidFrames, "closed with TOO_MANY_INVALID_FRAMES, got \(notice?.code.name ?? "no ERROR")")
        #expect(try await federation.knows("budapest", message.id) == "accepted", "the message before the last invalid frame was decided")
    }
}
