import CouncilProtocol
import CouncilWire
import NIOCore
import NIOConcurrencyHelpers

/// The node's handle on one authenticated link: a bounded outbound queue ([NODE-2]) that the link's
/// writer drains. Sending never blocks the node; a queue that fills closes the link instead. The
/// writer takes everything queued at once and writes it in buffers of up to 64 KiB, so a burst of
/// ACKs and relays costs one write, not one per frame.
public final class PeerLink: Sendable {
    enum Item: Sendable {
        case frame(Frame)
        /// A catch-up answer ([SYNC-3]), one queued item ([NODE-2]): the messages, then SYNC_DONE.
        /// Each message is encoded only as the writer reaches it, so answering a peer that lacks a
        /// million messages costs a list of references, not their bytes.
        case catchUp([LedgerEntry])
        case close(ErrorNotice)
    }

    public let peer: String
    /// The council that opened the TCP connection: decides which of two links survives ([NODE-4]).
    public let initiator: String
    public let serial: UInt64
    let channel: any Channel
    private let queue = NIOLockedValueBox<[Item]>([])
    /// [SYNC-4] The link's unanswered SYNCs and any round held back until they are answered.
    private let syncs = NIOLockedValueBox(SyncRounds())
    /// Wakes the writer; at most one wake-up is kept, since it drains everything anyway.
    let wakeUps: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    private let limit: Int

    init(peer: String, initiator: String, serial: UInt64, limit: Int, channel: any Channel) {
        self.channel = channel
        self.peer = peer
        self.initiator = initiator
        self.serial = serial
        self.limit = limit
        (wakeUps, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    public var queueDepth: Int { queue.withLockedValue { $0.count } }

    /// Queues a frame; on a full queue the link is closed with SLOW_CONSUMER.
    public func send(_ frame: Frame) { enqueue(.frame(frame)) }

    /// Sends SYNC, counting it until its SYNC_DONE comes back.
    func sendSync(_ vector: SyncVector) {
        syncs.withLockedValue { $0.sent() }
        send(.sync(vector))
    }

    /// A round of SYNC: sent now, or held back until the link's earlier SYNC is answered.
    func offerSync(_ vector: SyncVector) {
        if syncs.withLockedValue({ $0.offer() }) { sendSync(vector) }
    }

    /// A SYNC_DONE arrived. True if a round was held back for it, and SYNC should go out now.
    func syncAnswered() -> Bool { syncs.withLockedValue { $0.answered() } }

    /// Queues a catch-up answer: the messages in order, then SYNC_DONE with their number. It counts
    /// as one frame towards the bound, however many messages it carries ([NODE-2]); at most
    /// `maxQueuedCatchUps` may wait at once, so a peer that sends SYNC after SYNC and never reads
    /// cannot pile up answers.
    public func sendCatchUp(_ entries: [LedgerEntry]) { enqueue(.catchUp(entries)) }

    /// [NODE-2] Answers to SYNC that may wait on one link at once.
    static let maxQueuedCatchUps = 4

    /// Admits an item unless the queue is full (or, for a catch-up answer, enough of them wait);
    /// a refused item closes the link with SLOW_CONSUMER.
    private func enqueue(_ item: Item) {
        let admitted = queue.withLockedValue { items -> Bool in
            guard items.count < limit else { return false }
            if case .catchUp = item, items.count(where: { if case .catchUp = $0 { true } else { false } }) >= Self.maxQueuedCatchUps {
                return false
            }
            items.append(item)
            return true
        }
        guard admitted else {
            close(ErrorNotice(code: .slowConsumer, detail: "the peer did not drain its queue (\(limit) frames, \(Self.maxQueuedCatchUps) catch-up answers)"))
            return
        }
        wake.yield()
    }

    /// Asks the writer to send the notice and close; if the writer is stuck behind a full socket,
    /// the connection is closed anyway shortly after ([NODE-2]).
    public func close(_ notice: ErrorNotice) {
        queue.withLockedValue { $0.append(.close(notice)) }
        wake.yield()
        wake.finish()
        closeConnection(after: .seconds(2))
    }

    /// Closes the connection after `delay`, whatever the writer is doing: neither a writer stuck
    /// behind a full socket nor a close waiting behind a stalled commit keeps the link open.
    func closeConnection(after delay: TimeAmount) {
        let channel = self.channel
        channel.eventLoop.scheduleTask(in: delay) { channel.close(promise: nil) }
    }

    /// Everything queued, in order.
    func drain() -> [Item] {
        queue.withLockedValue { items in
            defer { items = [] }
            return items
        }
    }
}
