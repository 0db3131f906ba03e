import CouncilProtocol
import CouncilWire

/// Shared verdict helpers: the allowed-set checks of Spec/CONFORMANCE.md §4.
extension CaseContext {
    /// Whether the link still answers a PING (the sentinel for "the link stays up").
    public func alive(_ peer: TestPeer) async throws -> Bool {
        let nonce = UInt64.random(in: 1...UInt64.max)
        try? await peer.send(.ping(nonce))
        return try await peer.expect(within: deadline(3)) { $0 == .pong(nonce) } != nil
    }

    /// Waits for an ERROR and checks it against the allowed set, including whether the link closes.
    public func expectError(_ peer: TestPeer, _ allowed: Allowed, within seconds: Double = 5) async throws -> Verdict {
        let frame = try await peer.expect(within: deadline(seconds)) { frame in
            if case .error = frame { return true }
            return false
        }
        return try await judge(frame, on: peer, allowed, within: seconds)
    }

    /// Judges the frame a case read where an ERROR belongs (nil: none came): its code, then whether
    /// the link closes or stays up as the code requires.
    public func judge(_ frame: Frame?, on peer: TestPeer, _ allowed: Allowed, within seconds: Double = 5) async throws -> Verdict {
        guard case .error(let notice)? = frame else {
            let closed = peer.hasEnded
            return .fail(expected: "ERROR \(allowed)", actual: closed ? "the link closed without an ERROR" : "no ERROR within \(seconds) s")
        }
        guard allowed.codes.contains(notice.code) else { return .fail(expected: "ERROR \(allowed)", actual: "ERROR \(notice.code.name) (\(notice.detail))") }
        switch allowed.closes {
        case true?:
            let (closed, _) = try await peer.expectClose(within: deadline(seconds))
            return closed ? .pass : .fail(expected: "the link closes after \(notice.code.name)", actual: "it stayed open")
        case false?:
            return try await alive(peer) ? .pass : .fail(expected: "the link stays up after \(notice.code.name)", actual: "it no longer answers PING")
        case nil:
            return .pass
        }
    }

    /// Checks a MESSAGE's answer against an expected ACK status or rejection code.
    public func verdict(_ answer: Answer, _ expected: Answer) -> Verdict {
        answer == expected ? .pass : .fail(expected: expected.description, actual: answer.description)
    }

    /// A plaintext HELLO for the handshake cases, claiming `council`.
    public func hello(council: String = "gyor", rosterHash: Bytes32? = nil, min: UInt8 = 1, max: UInt8 = 1,
                      ephemeral: Bytes32? = nil) -> [UInt8] {
        Frame.hello(Hello(minVersion: min, maxVersion: max, rosterHash: rosterHash ?? roster.hash, council: council,
                          ephemeral: ephemeral ?? Bytes32((0..<32).map { _ in UInt8.random(in: 0...255) }))).encoded()
    }

    /// Sends bytes on a fresh, unauthenticated connection and checks the ERROR and the close.
    public func refusedBeforeHandshake(_ bytes: [UInt8], _ codes: Set<ErrorCode>, byteAtATime: Bool = false) async throws -> Verdict {
        let peer = try await connect()
        defer { peer.close() }
        try await peer.sendRaw(bytes, byteAtATime: byteAtATime)
        return try await expectError(peer, Allowed(codes, closes: true))
    }

    /// Sends frame content on a fresh authenticated link and checks the answer.
    public func onLink(_ content: [UInt8], _ allowed: Allowed) async throws -> Verdict {
        let (peer, _) = try await link(as: "miskolc")
        defer { peer.close() }
        try await peer.sendContent(content)
        return try await expectError(peer, allowed)
    }
}
