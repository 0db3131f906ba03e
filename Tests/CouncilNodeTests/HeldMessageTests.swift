@testable import CouncilNode
import CouncilConformance
import CouncilProtocol
import CouncilWire
import Foundation
import Testing

/// Messages a node holds or refuses for now, on an in-process node whose waits are shortened from
/// half a minute and five minutes to seconds.
@Suite("Held and refused messages")
struct HeldMessageTests {
    /// Starts the conformance contract's Budapest in this process with `limits` changed.
    func startNode(_ folder: URL, _ change: (inout NodeLimits) -> Void) async throws -> (InProcessNode, port: Int) {
        let (path, port) = try ContractNodeFolder.write(folder, council: "budapest")
        var configuration = try NodeConfiguration.load(path: path)
        change(&configuration.limits)
        let node = InProcessNode(configuration: configuration, rules: SpecRules())
        try await node.start()
        return (node, port)
    }

    /// A link to the node as `council`.
    func link(_ port: Int, as council: String) async throws -> TestPeer {
        let peer = try await TestPeer.connect(to: "127.0.0.1:\(port)")
        _ = try await peer.handshake(as: council, key: ConformanceContract.councilKey(council), roster: ConformanceContract.roster)
        return peer
    }

    /// Reads until a frame matches, answering PING, and answering each SYNC as a peer holding
    /// `held` would ([SYNC-3]).
    func read(_ peer: TestPeer, answering held: Ledger, until matches: (Frame) -> Bool) async throws -> Frame? {
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            guard case .frame(let frame)? = try await peer.next(within: deadline - ContinuousClock.now) else { return nil }
            if matches(frame) { return frame }
            switch frame {
            case .ping(let nonce): try await peer.send(.pong(nonce))
            case .sync(let vector):
                let missing = held.messages(missingFrom: vector)
                peer.send(missing.map { Frame.message($0.bytes) } + [.syncDone(UInt32(missing.count))])
            default: break
            }
        }
        return nil
    }

    /// Sends a message and reads the node's ACK or REJECT of it.
    func answer(to message: SignedMessage, on peer: TestPeer, answering held: Ledger) async throws -> Frame? {
        try await peer.send(.message(message.bytes))
        return try await read(peer, answering: held) { $0.answers(message.id) }
    }

    static var now: UInt64 { UInt64(Date().timeIntervalSince1970 * 1_000) }

    @Test("[SYNC-6][ORDER-6] a message refused with PENDING_LIMIT is asked for again by SYNC, with nothing else held for dependencies, and accepted")
    func pendingLimitRefusalComesBack() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("council-held-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (node, port) = try await startNode(folder) { limits in
            limits.maxPending = 1
            limits.resyncSeconds = 1
        }
        defer { node.crash() }
        // The one held place goes to a message dated an hour ahead: held for its time ([ORDER-7]),
        // it waits for no dependency, so only the refusal below can make the node ask again.
        let now = Self.now
        let early = ConformanceContract.proposalChain(count: 1, now: now + 3_600_000, council: "miskolc")[0]
        let chain = ConformanceContract.proposalChain(count: 2, now: now)
        var held = Ledger(roster: ConformanceContract.roster)
        let peer = try await link(port, as: "gyor")
        defer { peer.close() }
        guard case .ack(let heldAck)? = try await answer(to: early, on: peer, answering: held), heldAck.status == .held else {
            Issue.record("the early message was not held")
            return
        }
        // The peer holds the chain from now on and answers the node's SYNC with it, even one that
        // overtakes the REJECT below; it never resends the refused message itself.
        for message in chain { _ = held.receive(message, now: now, signatureChecked: true) }
        guard case .reject(let refusal)? = try await answer(to: chain[1], on: peer, answering: held) else {
            Issue.record("the second held message was not refused")
            return
        }
        #expect(refusal.code == .pendingLimit)
        let accepted = try await read(peer, answering: held) { frame in
            if case .ack(let ack) = frame { ack.id == chain[1].id && ack.status == .accepted } else { false }
        }
        #expect(accepted != nil, "the refused message came back by catch-up and was accepted:\n\(peer.trace.suffix(12).joined(separator: "\n"))")
    }

    @Test("[RELAY-1][ORDER-7] a message held for its time is relayed, once released, to every link but the one it came from")
    func releasedNotRelayedBack() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("council-held-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (node, port) = try await startNode(folder) { $0.maxClockSkewMilliseconds = 0 }
        defer { node.crash() }
        let nothing = Ledger(roster: ConformanceContract.roster)
        let sentinel = ConformanceContract.proposalChain(count: 1, council: "pecs", delegate: TestFederation.delegateKey(7))[0]
        let sender = try await link(port, as: "gyor")
        defer { sender.close() }
        let observer = try await link(port, as: "pecs")
        defer { observer.close() }
        // Dated once both links are up, far enough ahead to be held however slowly the test runs,
        // and near enough to be released within the read's 15 s.
        let early = ConformanceContract.proposalChain(count: 1, now: Self.now + 5_000, council: "miskolc")[0]
        guard case .ack(let heldAck)? = try await answer(to: early, on: sender, answering: nothing), heldAck.status == .held else {
            Issue.record("the early message was not held")
            return
        }
        let released = try await read(observer, answering: nothing) { $0 == .message(early.bytes) }
        #expect(released != nil, "released within seconds and relayed to the other link")
        // The sentinel follows on the sender's link: had the early message been relayed back, it
        // would have come first.
        _ = try await answer(to: sentinel, on: observer, answering: nothing)
        var relayedBack = false
        let sentinelRelayed = try await read(sender, answering: nothing) { frame in
            if frame == .message(early.bytes) { relayedBack = true }
            return frame == .message(sentinel.bytes)
        }
        #expect(sentinelRelayed != nil, "the sentinel reached the sender's link")
        #expect(!relayedBack, "the early message was not relayed back to the link it came from")
    }
}
