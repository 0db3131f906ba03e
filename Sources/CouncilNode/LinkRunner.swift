import CouncilProtocol
import CouncilWire
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOConcurrencyHelpers

/// Runs one TCP connection for the node, either side: the handshake under its timeout, then a
/// reader (frames → `LinkSession` → node), a writer (queue → sealed frames → socket) and a
/// heartbeat. All protocol decisions are the session's, the budget's and the node's; this is plumbing.
struct LinkRunner {
    let node: Node
    let limits: NodeLimits
    let logger: Logger

    typealias Channel = NIOAsyncChannel<[FrameChunk], ByteBuffer>

    /// The pipeline of every link: frame splitting in, raw bytes out.
    static func configure(_ channel: any NIOCore.Channel, maxFrameLength: Int = Limits.maxFrameLength) -> EventLoopFuture<Channel> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder(maxFrameLength: maxFrameLength)))
            return try Channel(wrappingChannelSynchronously: channel)
        }
    }

    /// Runs a connection until it closes. Returns the peer if the handshake completed.
    @discardableResult
    func run(_ channel: Channel, initiator: Bool, expectedPeer: String? = nil) async -> String? {
        let keys = await node.currentKeys()
        let identity = node.handshakeIdentity(currentKeys: { keys[$0] })
        var session: LinkSession
        var hello: [UInt8] = []
        if initiator {
            (session, hello) = LinkSession.initiator(identity: identity)
        } else {
            session = LinkSession.responder(identity: identity)
        }
        let budget = SharedValue(InvalidFrameBudget(limit: limits.maxInvalidFrames))
        let established = SharedValue(false)
        let lastReceived = SharedValue(Self.millis())
        let remote = channel.channel.remoteAddress.map { "\($0)" } ?? "?"
        var peerName: String?
        do {
            try await channel.executeThenClose { inbound, outbound in
                try await withThrowingDiscardingTaskGroup { group in
                    let raw = channel.channel
                    let timeout = limits.handshakeTimeoutMilliseconds
                    group.addTask {
                        try await Task.sleep(for: .milliseconds(timeout))
                        if !established.value {
                            logger.notice("handshake timed out", metadata: ["remote": "\(remote)"])
                            let notice = ErrorNotice(code: .handshakeTimeout, detail: "no handshake within \(timeout) ms")
                            try? await outbound.write(ByteBuffer(bytes: Frame.error(notice).encoded()))
                            raw.close(promise: nil)
                        }
                    }
                    if initiator { try await outbound.write(ByteBuffer(bytes: hello)) }
                    var iterator = inbound.makeAsyncIterator()
                    var link: PeerLink?
                    var bursts = Bursts(budget: budget)
                    // A reset connection throws here; the link must still be detached, or the node
                    // would count a dead link as up and never dial again (found by Tests/Faults).
                    var failure: (any Error)?
                    do {
                        while let chunks = try await iterator.next() {
                            lastReceived.value = Self.millis()
                            // MESSAGE frames wait here so that a burst is verified and decided together;
                            // a frame for the node, an invalid frame or a close first waits until the
                            // bursts before it are decided, keeping the link's order.
                            var messages: [[UInt8]] = []
                            for chunk in chunks {
                                // Past the budget the link is closing: nothing more from the peer is handled.
                                if budget.value.isExhausted { continue }
                                let event: LinkEvent
                                switch chunk {
                                case .content(let content): event = session.receive(content)
                                case .lengthFault(let error): event = session.lengthFault(error)
                                }
                                if case .frame(.message(let bytes)) = event, link != nil {
                                    messages.append(bytes)
                                    continue
                                }
                                // ACK and PONG ask nothing of the node: they neither break a burst
                                // nor cost a hop to the node (in a mesh every relay draws an ACK).
                                if case .frame(.ack) = event { continue }
                                if case .frame(.pong) = event { continue }
                                if let link, !messages.isEmpty {
                                    await bursts.submit(messages, by: self, from: link)
                                    messages = []
                                }
                                switch event {
                                case .send(let bytes):
                                    try await outbound.write(ByteBuffer(bytes: bytes))
                                case .established(let peer, let reply, let cipher, _):
                                    if let expectedPeer, expectedPeer != peer {
                                        logger.warning("dialled one council, reached another", metadata: ["expected": "\(expectedPeer)", "peer": "\(peer)"])
                                    }
                                    if !reply.isEmpty { try await outbound.write(ByteBuffer(bytes: reply)) }
                                    established.value = true
                                    peerName = peer
                                    let newLink = await node.makeLink(peer: peer, initiator: initiator ? node.council : peer, channel: raw)
                                    link = newLink
                                    group.addTask { try await Self.write(newLink, cipher: cipher, to: outbound, channel: raw) }
                                    group.addTask { try await heartbeat(newLink, lastReceived: lastReceived) }
                                    if let refusal = await node.attach(newLink) {
                                        logger.notice("link refused", metadata: ["peer": "\(peer)", "code": "\(refusal.code.name)"])
                                        newLink.close(refusal)
                                    }
                                case .frame(let frame):
                                    guard let link else { continue }
                                    guard await bursts.settle() else { continue }
                                    if await node.handle(frame, from: link) { await spend(1, of: budget, on: link) }
                                case .respond(let frame):
                                    link?.send(frame)
                                case .invalid(let notice):
                                    guard let link else { continue }
                                    guard await bursts.settle() else { continue }
                                    if await !spend(1, of: budget, on: link) { link.send(.error(notice)) }
                                case .close(let notice, let notify):
                                    // Bursts that spent the rest of the budget have closed the link already.
                                    guard await bursts.settle() else { continue }
                                    if !notify {
                                        logger.notice("the peer closed the link", metadata: ["peer": "\(peerName ?? remote)", "code": "\(notice.code.name)",
                                                                                           "detail": "\(notice.detail)"])
                                    }
                                    if let link {
                                        await node.close(link, notify ? notice : ErrorNotice(code: .normalClose, detail: ""))
                                        continue
                                    }
                                    if notify {
                                        logger.notice("closing connection", metadata: ["remote": "\(remote)", "code": "\(notice.code.name)",
                                                                                    "detail": "\(notice.detail)"])
                                        try? await outbound.write(ByteBuffer(bytes: Frame.error(notice).encoded()))
                                    }
                                    raw.close(promise: nil)
                                case .none:
                                    break
                                }
                            }
                            if let link, !messages.isEmpty { await bursts.submit(messages, by: self, from: link) }
                        }
                    } catch {
                        failure = error
                    }
                    _ = await bursts.settle()
                    if let link { await node.detach(link, reason: failure.map { "connection failed: \($0)" } ?? "connection closed") }
                    group.cancelAll()
                }
            }
        } catch {
            logger.debug("connection ended", metadata: ["remote": "\(remote)", "error": "\(error)"])
        }
        return peerName
    }

    /// MESSAGE bursts in flight on one link ([SIG-3]). A burst's signatures are checked while the
    /// burst before it is decided, so a link's reading, checking and deciding overlap; bursts are
    /// decided in the order they arrived. At most two are in flight, so a fast peer backs up into
    /// TCP rather than into memory.
    struct Bursts {
        /// The link's budget ([LINK-5]): rejected messages spend it, and past it nothing is decided.
        let budget: SharedValue<InvalidFrameBudget>
        private var inFlight: [Task<Void, Never>] = []

        init(budget: SharedValue<InvalidFrameBudget>) { self.budget = budget }

        /// Starts a burst: a task checks its signatures (`check`), waits for the burst before it, has
        /// the node decide it in one step and spends the budget on what the node rejected ([ACK-6],
        /// [LINK-5]). The reader itself never waits for the node, which may be deciding the burst
        /// before, and goes on reading.
        mutating func submit(_ messages: [[UInt8]], by runner: LinkRunner, from link: PeerLink) async {
            if inFlight.count == 2 { await inFlight.removeFirst().value }
            guard !budget.value.isExhausted else { return }
            let node = runner.node
            let previous = inFlight.last
            let budget = budget
            inFlight.append(Task {
                let verified = await LinkRunner.check(messages, node: node)
                await previous?.value
                guard !budget.value.isExhausted else { return }
                let invalid = await node.handle(messages: messages, verified: verified, from: link)
                if invalid > 0 { await runner.spend(invalid, of: budget, on: link) }
            })
        }

        /// Waits until every burst so far is decided: a frame other than MESSAGE is handled only then.
        /// False if those bursts spent the rest of the budget, so that the frame is not handled.
        mutating func settle() async -> Bool {
            await inFlight.last?.value
            inFlight = []
            return !budget.value.isExhausted
        }
    }

    /// [LINK-5][ACK-6] Spends the link's budget; the spend that exceeds it closes the link, after
    /// the answers to what the node decided before ([LINK-8]). True if it did.
    @discardableResult
    func spend(_ count: Int, of budget: SharedValue<InvalidFrameBudget>, on link: PeerLink) async -> Bool {
        guard let notice = budget.update({ $0.spend(count) }) else { return false }
        await node.close(link, notice)
        return true
    }

    /// [SIG-3] The messages of a burst whose signatures are valid, by index; nil for the rest, which
    /// the node decodes and checks itself. In a mesh most relays are duplicates: their signatures
    /// were checked when first accepted, and the node answers them before any check ([MSG-8]), so
    /// only new messages are checked here, and of those only the ones no other link is checking or
    /// has found valid (`SignatureVerdicts`). A copy another link is checking takes that check's
    /// verdict, decoded here rather than on the node, which would otherwise check it again while it
    /// decides. This burst's own claims are settled before it waits, so no two bursts wait on each
    /// other.
    static func check(_ messages: [[UInt8]], node: Node) async -> [SignedMessage?] {
        let ids = messages.map { Hashing.sha256($0) }
        let known = await node.alreadyAccepted(ids)
        let unknown = messages.indices.filter { !known.contains(ids[$0]) }
        let claims = node.verdicts.claim(unknown.map { ids[$0] })
        let mine = zip(unknown, claims).filter(\.1).map(\.0)
        let others = zip(unknown, claims).filter { !$0.1 }.map(\.0)
        var verified = [SignedMessage?](repeating: nil, count: messages.count)
        for (index, message) in zip(mine, await verify(mine.map { (messages[$0], ids[$0]) }, node: node)) { verified[index] = message }
        for (index, valid) in zip(others, await node.verdicts.verdicts(of: others.map { ids[$0] })) where valid {
            verified[index] = try? SignedMessage(bytes: messages[index])
        }
        return verified
    }

    /// [SIG-3] Signature checks of a burst, split between this task and one more when the burst is
    /// large enough to pay for it.
    static func verify(_ messages: [([UInt8], MessageID)], node: Node) async -> [SignedMessage?] {
        guard messages.count >= 8 else { return messages.map(node.verify) }
        let half = messages.count / 2
        async let first = messages[..<half].map(node.verify)
        let second = messages[half...].map(node.verify)
        return await first + second
    }

    /// Drains the link's queue: seals each frame in order ([SEAL-1]) into buffers of about 64 KiB and
    /// writes them; NIOAsyncChannel's writer waits for writability, so a slow socket backs up into
    /// the bounded queue. A catch-up of a million messages is sealed 64 KiB at a time, not at once.
    static func write(_ link: PeerLink, cipher: SessionCipher, to outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>,
                      channel: any NIOCore.Channel) async throws {
        var cipher = cipher
        var buffer = ByteBuffer()
        let flushAt = 64 * 1_024
        /// Seals one frame into the buffer, writing it out at 64 KiB; false once the nonce counter
        /// is exhausted ([SEAL-4]).
        func seal(_ frame: Frame) async throws -> Bool {
            guard !cipher.isExhausted else { return false }
            buffer.writeBytes(cipher.seal(content: frame.content()))
            if buffer.readableBytes >= flushAt {
                try await outbound.write(buffer)
                buffer = ByteBuffer()
            }
            return true
        }
        for await _ in link.wakeUps {
            buffer = ByteBuffer()
            for item in link.drain() {
                var sealed = true
                switch item {
                case .frame(let frame):
                    sealed = try await seal(frame)
                case .catchUp(let entries):
                    for entry in entries where sealed { sealed = try await seal(.message(entry.signed.bytes)) }
                    if sealed { sealed = try await seal(.syncDone(UInt32(clamping: entries.count))) }
                case .close(let notice):
                    buffer.writeBytes(cipher.seal(content: Frame.error(notice).content()))
                    try? await outbound.write(buffer)
                    channel.close(promise: nil)
                    return
                }
                guard sealed else {
                    channel.close(promise: nil)
                    return
                }
            }
            if buffer.readableBytes > 0 { try await outbound.write(buffer) }
        }
    }

    /// [LINK-3][LINK-4] Sends a PING every interval and closes the link when the peer has been silent too long.
    func heartbeat(_ link: PeerLink, lastReceived: SharedValue<UInt64>) async throws {
        let interval = UInt64(limits.heartbeatIntervalMilliseconds)
        var nonce: UInt64 = 0
        while !Task.isCancelled {
            try await Task.sleep(for: .milliseconds(Int(interval)))
            let silent = Self.millis() - lastReceived.value
            if silent >= UInt64(limits.deadLinkAfterMilliseconds) {
                link.close(ErrorNotice(code: .idleTimeout, detail: "nothing received for \(silent) ms"))
                return
            }
            nonce += 1
            link.send(.ping(nonce))
        }
    }

    static func millis() -> UInt64 { UInt64(DispatchTime.now().uptimeNanoseconds / 1_000_000) }
}

/// A value shared between a connection's tasks.
final class SharedValue<Value: Sendable>: Sendable {
    private let storage: NIOLockedValueBox<Value>
    init(_ value: Value) { storage = NIOLockedValueBox(value) }
    var value: Value {
        get { storage.withLockedValue { $0 } }
        set { storage.withLockedValue { $0 = newValue } }
    }
    /// Reads and changes the value in one step.
    func update<Result>(_ body: (inout Value) -> Result) -> Result { storage.withLockedValue(body) }
}
