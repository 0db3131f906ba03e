import CouncilProtocol
import CouncilWire
import Foundation
import NIOCore
import NIOPosix
import NIOConcurrencyHelpers

/// A peer the conformance suite controls byte by byte: it can complete the handshake as any
/// council whose key it holds, send well-formed or broken frames, and read what the
/// implementation under test answers, with deadlines.
public final class TestPeer: @unchecked Sendable {  // used by one task at a time; the pump shares only `inbox`
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    /// What came in: a frame (already opened when sealed), a fault, or the end of the connection.
    public enum Event: Sendable, Equatable {
        case frame(Frame)
        case undecodable(WireError)
        case closed
    }

    /// Bytes the pump task has read and not yet taken, and whether the stream ended.
    private let inbox = Inbox()
    private let writes: AsyncStream<[UInt8]>.Continuation
    private let rawChannel: any Channel
    private var splitter = FrameSplitter()
    private var inboundCipher: SessionCipher?
    private var outboundCipher: SessionCipher?
    private var ended = false
    private var frames = FrameTrace()
    /// The most recent frames both ways, as hex, for failure reports.
    public var trace: [String] { frames.formatted }
    public private(set) var peerCouncil: String?

    /// Starts a pump that moves bytes between the channel and this peer.
    init(channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>) {
        rawChannel = channel.channel
        let (stream, continuation) = AsyncStream.makeStream(of: [UInt8].self)
        writes = continuation
        let inbox = self.inbox
        Task {
            try? await channel.executeThenClose { inbound, outbound in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        // A reset (the implementation closing with our frames unread) ends the stream too.
                        do {
                            for try await buffer in inbound { inbox.append(buffer.readableBytesView) }
                        } catch {}
                        inbox.end()
                    }
                    for await bytes in stream { try await outbound.write(ByteBuffer(bytes: bytes)) }
                    group.cancelAll()
                }
            }
            inbox.end()
        }
    }

    /// Connects to `address` (TCP, no handshake yet).
    public static func connect(to address: String, timeout: Duration = .seconds(5)) async throws -> TestPeer {
        let (host, port) = try hostAndPort(address)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.milliseconds(Int64(timeout.components.seconds * 1_000)))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: host, port: port, channelInitializer: wrap)
        return TestPeer(channel: channel)
    }

    /// The async channel a peer runs on, dialled or accepted.
    static func wrap(_ channel: any Channel) -> EventLoopFuture<NIOAsyncChannel<ByteBuffer, ByteBuffer>> {
        channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
    }

    /// Splits `host:port`; the host may itself hold colons (IPv6).
    static func hostAndPort(_ address: String) throws -> (String, Int) {
        let parts = address.split(separator: ":")
        guard parts.count >= 2, let port = Int(parts.last!) else { throw Failure("\(address) is not host:port") }
        return (parts.dropLast().joined(separator: ":"), port)
    }

    /// Reads the rest as plaintext: after a refused AUTH, the implementation answers unsealed.
    public func unseal() {
        inboundCipher = nil
        outboundCipher = nil
    }

    /// Whether the connection has ended, without consuming anything.
    public var hasEnded: Bool { ended || inbox.isEnded }

    public func close() {
        writes.finish()
        rawChannel.close(promise: nil)
    }

    // MARK: Sending

    /// Writes raw bytes exactly as given (for broken frames), optionally one byte per write.
    public func sendRaw(_ bytes: [UInt8], byteAtATime: Bool = false) async throws {
        frames.append("→ ", bytes)
        if byteAtATime {
            for byte in bytes {
                writes.yield([byte])
                try await Task.sleep(for: .milliseconds(1))
            }
        } else {
            writes.yield(bytes)
        }
    }

    /// Sends a frame: sealed after the handshake, plaintext before.
    public func send(_ frame: Frame) async throws { try await sendContent(frame.content()) }

    /// Sends frames back to back in one write, sealed (the link must be established): how a busy
    /// peer relays, and how the benchmarks keep their own client from dominating the machine.
    public func send(_ frames: [Frame]) { sendContents(frames.map { $0.content() }) }

    /// Sends frame contents as they are (valid or not), sealed, back to back in one write, so that
    /// the implementation reads them together.
    public func sendContents(_ contents: [[UInt8]]) {
        guard var cipher = outboundCipher else { preconditionFailure("sending sealed frames needs an established link") }
        var bytes: [UInt8] = []
        for content in contents { bytes += cipher.seal(content: content) }
        outboundCipher = cipher
        frames.append("→ sealed \(contents.count) frames")
        writes.yield(bytes)
    }

    /// Sends frame content (version, type, flags, body) as it is, sealed if the link is.
    public func sendContent(_ content: [UInt8]) async throws {
        if var cipher = outboundCipher {
            let sealed = cipher.seal(content: content)
            outboundCipher = cipher
            frames.append("→ sealed ", content, shown: 64)
            writes.yield(sealed)
        } else {
            try await sendRaw(FrameLength.prefixed(content))
        }
    }

    // MARK: Receiving

    /// The next event, or nil at the deadline.
    public func next(within deadline: Duration) async throws -> Event? {
        if let event = try takeBuffered() { return event }
        if ended { return .closed }
        let started = ContinuousClock.now
        while ContinuousClock.now - started < deadline {
            let remaining = deadline - (ContinuousClock.now - started)
            guard let chunk = try await read(within: remaining) else { return nil }
            guard let bytes = chunk else {
                ended = true
                frames.append("← (closed)")
                return .closed
            }
            splitter.append(bytes)
            if let event = try takeBuffered() { return event }
        }
        return nil
    }

    /// Reads until a frame matches, skipping PING (answered), PONG and extension frames ([CONF-4]).
    public func expect(within deadline: Duration, _ matches: (Frame) -> Bool) async throws -> Frame? {
        let started = ContinuousClock.now
        while ContinuousClock.now - started < deadline {
            guard let event = try await next(within: deadline - (ContinuousClock.now - started)) else { return nil }
            switch event {
            case .frame(.ping(let nonce)): try await send(.pong(nonce))
            case .frame(let frame) where matches(frame): return frame
            case .frame: continue
            case .undecodable, .closed: return nil
            }
        }
        return nil
    }

    /// Waits until the connection closes; returns the ERROR seen before it, if any.
    public func expectClose(within deadline: Duration) async throws -> (closed: Bool, error: ErrorNotice?) {
        let started = ContinuousClock.now
        var notice: ErrorNotice?
        while ContinuousClock.now - started < deadline {
            guard let event = try await next(within: deadline - (ContinuousClock.now - started)) else { return (false, notice) }
            switch event {
            case .frame(.error(let error)): notice = error
            case .frame(.ping(let nonce)): try? await send(.pong(nonce))
            case .closed: return (true, notice)
            default: continue
            }
        }
        return (false, notice)
    }

    private func takeBuffered() throws -> Event? {
        let content: [UInt8]
        do {
            splitter.sealed = inboundCipher != nil
            guard let next = try splitter.next() else { return nil }
            content = next
        } catch {
            return .undecodable(error)
        }
        var plaintext = content
        if var cipher = inboundCipher {
            do {
                plaintext = try cipher.open(sealed: content)
                inboundCipher = cipher
            } catch {
                return .undecodable(error)
            }
        }
        frames.append("← ", plaintext)
        do {
            return .frame(try Frame(content: plaintext))
        } catch {
            return .undecodable(error)
        }
    }

    /// Waits for bytes: nil at the deadline, .some(nil) at the end of the stream. Wakes as soon as
    /// bytes arrive, so the benchmarks can time arrivals with it.
    private func read(within deadline: Duration) async throws -> [UInt8]?? {
        let end = ContinuousClock.now + deadline
        while true {
            let (bytes, ended) = inbox.take()
            if !bytes.isEmpty { return .some(bytes) }
            if ended { return .some(nil) }
            if ContinuousClock.now >= end { return .none }
            await inbox.wait(until: end)
        }
    }

    // MARK: Handshake

    /// Completes the handshake as the initiator, claiming `council` and signing with `key`.
    public func handshake(as council: String, key: SigningKey, roster: Roster, deadline: Duration = .seconds(5)) async throws -> String {
        let keys = Dictionary(uniqueKeysWithValues: roster.councils.map { ($0.name, $0.key) })
        let identity = HandshakeIdentity(council: council, key: key, rosterHash: roster.hash, keyOf: { keys[$0] })
        var (session, hello) = LinkSession.initiator(identity: identity)
        try await sendRaw(hello)
        return try await drive(&session, deadline: deadline)
    }

    /// Feeds handshake frames to the session until it completes.
    func drive(_ session: inout LinkSession, deadline: Duration) async throws -> String {
        let started = ContinuousClock.now
        while ContinuousClock.now - started < deadline {
            guard let chunk = try await read(within: deadline - (ContinuousClock.now - started)), let bytes = chunk else { break }
            splitter.append(bytes)
            while let content = try splitter.next() {
                frames.append("← ", content)
                switch session.receive(content) {
                case .send(let reply):
                    try await sendRaw(reply)
                case .established(let peer, let reply, let outbound, let inbound):
                    if !reply.isEmpty { try await sendRaw(reply) }
                    outboundCipher = outbound
                    inboundCipher = inbound
                    peerCouncil = peer
                    return peer
                case .close(let notice, _):
                    throw Failure("handshake refused: \(notice.code.name) \(notice.detail)")
                default:
                    continue
                }
            }
        }
        throw Failure("no handshake within \(deadline)")
    }
}

/// The bytes a peer's pump has read, shared between the pump and the peer, which waits on it.
final class Inbox: Sendable {
    private struct State {
        var bytes: [UInt8] = []
        var ended = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = NIOLockedValueBox(State())

    func append(_ bytes: ByteBufferView) {
        state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            state.bytes.append(contentsOf: bytes)
            defer { state.waiter = nil }
            return state.waiter
        }?.resume()
    }

    func end() {
        state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            state.ended = true
            defer { state.waiter = nil }
            return state.waiter
        }?.resume()
    }

    var isEnded: Bool { state.withLockedValue { $0.ended } }

    func take() -> ([UInt8], Bool) {
        state.withLockedValue { state in
            defer { state.bytes = [] }
            return (state.bytes, state.ended)
        }
    }

    /// Returns when bytes arrive, the stream ends, or `deadline` passes, whichever is first.
    func wait(until deadline: ContinuousClock.Instant) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                try? await Task.sleep(until: deadline)
                self.wakeWaiter()
            }
            await withCheckedContinuation { continuation in
                let ready = state.withLockedValue { state -> Bool in
                    // Past the deadline the sleeper may already have woken nobody: do not wait.
                    if !state.bytes.isEmpty || state.ended || ContinuousClock.now >= deadline { return true }
                    state.waiter = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
            group.cancelAll()
        }
    }

    private func wakeWaiter() {
        state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            defer { state.waiter = nil }
            return state.waiter
        }?.resume()
    }
}

extension TestPeer {
    /// Completes the handshake as the responder (for `--listen`), as `council`.
    public func acceptHandshake(as council: String, key: SigningKey, roster: Roster, deadline: Duration = .seconds(10)) async throws -> String {
        let keys = Dictionary(uniqueKeysWithValues: roster.councils.map { ($0.name, $0.key) })
        var session = LinkSession.responder(identity: HandshakeIdentity(council: council, key: key, rosterHash: roster.hash, keyOf: { keys[$0] }))
        return try await drive(&session, deadline: deadline)
    }
}
