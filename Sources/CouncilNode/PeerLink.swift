import CouncilProtocol
import CouncilWire
import NIOCore
import Synchronization

/// The node's handle on one authenticated link: a bounded outbound queue ([NODE-2]) that the link's
/// writer drains. Sending never blocks the node; a queue that fills closes the link instead.
public final class PeerLink: Sendable {
    enum Item: Sendable {
        case frame(Frame)
        case close(ErrorNotice)
    }

    public let peer: String
    /// The council that opened the TCP connection: decides which of two links survives ([NODE-4]).
    public let initiator: String
    public let serial: UInt64
    let channel: any Channel
    let items: AsyncStream<Item>
    private let continuation: AsyncStream<Item>.Continuation
    private let depth = Mutex(0)
    private let limit: Int

    init(peer: String, initiator: String, serial: UInt64, limit: Int, channel: any Channel) {
        self.channel = channel
        self.peer = peer
        self.initiator = initiator
        self.serial = serial
        self.limit = limit
        (items, continuation) = AsyncStream.makeStream(of: Item.self)
    }

    public var queueDepth: Int { depth.withLock { $0 } }

    /// Queues a frame; on a full queue the link is closed with SLOW_CONSUMER and false is returned.
    /// Catch-up answers (`bounded: false`) are exempt: they are what the node already holds in
    /// memory, and a node far behind must get all of them.
    @discardableResult
    public func send(_ frame: Frame, bounded: Bool = true) -> Bool {
        let admitted = depth.withLock { depth -> Bool in
            guard depth < limit || !bounded else { return false }
            depth += 1
            return true
        }
        guard admitted else {
            close(ErrorNotice(code: .slowConsumer, detail: "the peer did not drain \(limit) queued frames"))
            return false
        }
        continuation.yield(.frame(frame))
        return true
    }

    /// Asks the writer to send the notice and close; if the writer is stuck behind a full socket,
    /// the connection is closed anyway shortly after ([NODE-2]).
    public func close(_ notice: ErrorNotice) {
        continuation.yield(.close(notice))
        continuation.finish()
        let channel = self.channel
        channel.eventLoop.scheduleTask(in: .seconds(2)) { channel.close(promise: nil) }
    }

    func dequeued() { depth.withLock { $0 -= 1 } }
}
