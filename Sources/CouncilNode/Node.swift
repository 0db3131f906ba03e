import CouncilProtocol
import CouncilWire
import Foundation
import Logging
import Metrics
import NIOCore

/// The daemon's node: the protocol core (`Ledger`) plus the links and the store. Every inbound
/// frame is decided by the core at once; what must wait for durability (ACKs, relays, operator
/// answers) waits in `pending` until the committer has made the batch durable ([ACK-2]).
public actor Node {
    /// Output that follows a commit.
    enum Output {
        case send(PeerLink, Frame)
        /// A catch-up answer ([SYNC-3]): the messages, then SYNC_DONE; one item of the outbound
        /// queue however many messages it carries ([NODE-2]).
        case catchUp(PeerLink, [LedgerEntry])
        case relay(SignedMessage, except: PeerLink?)
        case answer(AsyncStream<Decision>.Continuation, Decision)
        /// Closes a link after the answers queued before it ([LINK-8]).
        case close(PeerLink, ErrorNotice)
    }

    struct Work {
        var records: [MessageStore.Record] = []
        var outputs: [Output] = []
        /// For a failed commit: who is told STORAGE_UNAVAILABLE instead.
        var failures: [Output] = []
    }

    public let council: String
    public let key: SigningKey
    public let roster: Roster
    /// [ROSTER-2] Computed once: every signature check and handshake needs it, and computing it
    /// encodes the whole roster.
    public nonisolated let rosterHash: Bytes32
    let store: MessageStore
    let limits: NodeLimits
    let logger: Logger
    public internal(set) var ledger: Ledger
    var links: [String: PeerLink] = [:]
    /// Peers whose links the operator has cut.
    var blocked: Set<String> = []
    /// [DAEMON-1] Set when the node starts shutting down: it dials no more, and a link set up
    /// meanwhile gets NORMAL_CLOSE at once.
    var isShuttingDown = false
    /// The link each held message came from, so that it is not relayed back there ([RELAY-1]).
    var heldSources: [MessageID: PeerLink] = [:]
    var pending: [Work] = []
    var storageFault: String?
    /// [SYNC-6] A message was refused with PENDING_LIMIT since the last SYNC round.
    var refusedForRoom = false
    /// [DIGEST-2] The digest depends only on the accepted set, which only grows (until a failed
    /// commit rebuilds the core, which drops this): one computation serves every status query
    /// until the next acceptance.
    var digestCache: (accepted: Int, digest: Bytes32)?
    var currentKeysCache: [String: PublicKey]?
    private var nextSerial: UInt64 = 0
    private var ticks = 0
    private var lastResync = 0
    let wake: AsyncStream<Void>.Continuation
    let wakes: AsyncStream<Void>
    public let configuredPeers: [NodeConfiguration.Peer]

    nonisolated let rules: any GovernanceRules
    nonisolated let verdicts = SignatureVerdicts()

    public init(council: String, key: SigningKey, roster: Roster, store: MessageStore, limits: NodeLimits,
                peers: [NodeConfiguration.Peer], logger: Logger, rules: any GovernanceRules = SpecRules()) throws {
        self.rules = rules
        self.council = council
        self.key = key
        self.roster = roster
        rosterHash = roster.hash
        self.store = store
        self.limits = limits
        self.logger = logger
        configuredPeers = peers
        let (restored, settled) = try Self.restore(roster: roster, store: store, limits: limits, rules: rules)
        ledger = restored
        (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        if !settled.isEmpty {
            pending.append(Work(records: settled))
            wake.yield()
        }
    }

    /// Rebuilds the core from the store: accepted messages in their order, then the held ones.
    /// Held messages that the restart can now decide (their time has come) are returned as records
    /// to store, so the database follows the core.
    static func restore(roster: Roster, store: MessageStore, limits: NodeLimits, rules: any GovernanceRules) throws -> (Ledger, [MessageStore.Record]) {
        var ledger = Ledger(roster: roster, rules: rules, maxClockSkew: limits.maxClockSkewMilliseconds, maxPending: limits.maxPending)
        let held = try store.load { message in
            // [CONF-10] What was accepted in this order is accepted again; anything else is damage.
            // Each message hashed to its stored id, so its signature, checked when it was first
            // accepted, need not be checked again.
            guard let decoded = try? SignedMessage(bytes: message.bytes),
                  case .accepted = ledger.receive(decoded, now: Self.now(), signatureChecked: true).first else {
                throw store.damage("the message at position \(message.position) is no longer accepted when the store is replayed")
            }
        }
        var settled: [MessageStore.Record] = []
        for bytes in held {
            for decision in ledger.receive(bytes: bytes, now: Self.now()) {
                switch decision {
                case .accepted(let message): settled.append(.accepted(message))
                case .rejected(let id, _): settled.append(.released(id))
                case .held, .duplicate: break
                }
            }
        }
        return (ledger, settled)
    }

    /// [ORDER-7] Decides held messages whose time has come; run every second by the daemon. Each
    /// is relayed to every link but the one it came from ([RELAY-1]).
    /// [SYNC-4][SYNC-6] While messages wait for dependencies, after a message was refused with
    /// PENDING_LIMIT, or while the store fails, it asks the peers again every `resyncSeconds` ticks:
    /// what the node refused comes back then, not only at the next reconnect, and with a failing
    /// store, the catch-up's commit is what finds that the store works again.
    func tick() {
        ticks += 1
        if limits.acknowledgesBeforeDurable && ticks % 10 == 0 { wake.yield() }
        let wantsSync = ledger.awaitingDependencies > 0 || refusedForRoom || storageFault != nil
        if wantsSync, ticks - lastResync >= limits.resyncSeconds {
            refusedForRoom = false
            resync()
        }
        let decisions = ledger.tick(now: Self.now())
        guard !decisions.isEmpty else { return }
        var work = Work()
        for decision in decisions { record(decision, into: &work, source: heldSources.removeValue(forKey: decision.id)) }
        enqueue(work)
    }

    static func now() -> UInt64 { UInt64(Date().timeIntervalSince1970 * 1_000) }

    /// [SYNC-4] Sends SYNC on every link; each peer answers with what this node lacks. On a link
    /// whose last SYNC is unanswered, the round waits for that answer, then goes out with the
    /// vector of that moment (`handle(.syncDone)`).
    func resync() {
        lastResync = ticks
        let vector = ledger.syncVector(limit: Limits.maxSyncEntries)
        for link in links.values { link.offerSync(vector) }
    }

    /// The identity the handshake uses; keys follow accepted REPLACE messages ([HS-13]).
    public nonisolated func handshakeIdentity(currentKeys: @escaping @Sendable (String) -> PublicKey?) -> HandshakeIdentity {
        HandshakeIdentity(council: council, key: key, rosterHash: rosterHash, keyOf: currentKeys)
    }

    /// Current keys of every council, for the handshake. Built once and shared by every link (a
    /// dictionary is copy-on-write): a copy per link would cost each idle link the whole roster.
    /// Only an accepted REPLACE changes it, and `record` then drops it (as does a rebuilt core).
    public func currentKeys() -> [String: PublicKey] {
        if let keys = currentKeysCache { return keys }
        let keys = Dictionary(uniqueKeysWithValues: ledger.councilStates().map { ($0.name, $0.key) })
        currentKeysCache = keys
        return keys
    }

    // MARK: Links

    func makeLink(peer: String, initiator: String, channel: any NIOCore.Channel) -> PeerLink {
        nextSerial += 1
        return PeerLink(peer: peer, initiator: initiator, serial: nextSerial, limit: limits.outboundQueue, channel: channel)
    }

    /// Registers an authenticated link; false if another link to the peer wins ([NODE-4]) or the
    /// node is full ([NODE-1]). On success the link's first frame is SYNC ([LINK-1]).
    func attach(_ link: PeerLink) -> ErrorNotice? {
        if isShuttingDown { return ErrorNotice(code: .normalClose, detail: "\(council) is shutting down") }
        if blocked.contains(link.peer) { return ErrorNotice(code: .normalClose, detail: "the link with \(link.peer) is cut by the operator") }
        if let existing = links[link.peer] {
            // The link whose initiator has the lower name wins; from one initiator, the newer wins.
            let keepNew = existing.initiator == link.initiator || link.initiator < existing.initiator
            guard keepNew else { return ErrorNotice(code: .duplicateLink, detail: "a link with \(link.peer) is already up") }
            close(existing, ErrorNotice(code: .duplicateLink, detail: "replaced by a newer link"))
        } else if links.count >= limits.maxPeers {
            return ErrorNotice(code: .tooManyPeers, detail: "this node has \(limits.maxPeers) links")
        }
        links[link.peer] = link
        logger.info("link up", metadata: ["peer": "\(link.peer)", "initiator": "\(link.initiator)"])
        Gauge(label: "council_links_up").record(links.count)
        link.sendSync(ledger.syncVector(limit: Limits.maxSyncEntries))
        return nil
    }

    func detach(_ link: PeerLink, reason: String) {
        guard links[link.peer]?.serial == link.serial else { return }
        links[link.peer] = nil
        logger.info("link down", metadata: ["peer": "\(link.peer)", "reason": "\(reason)"])
        Gauge(label: "council_links_up").record(links.count)
    }

    public func isLinked(_ peer: String) -> Bool { links[peer] != nil }

    // MARK: Frames

    /// [SIG-3] Decodes and verifies a MESSAGE off the actor: a link's burst task calls it so that
    /// signature checks run outside this actor while it decides, and settles the link's claim
    /// on `verdicts`. A message it cannot vouch for (nil) is decoded and checked again by the
    /// core, which then rejects it with the right code.
    nonisolated func verify(_ bytes: [UInt8], id: MessageID) -> SignedMessage? {
        let message = try? SignedMessage(bytes: bytes)
        let valid = message.map { rules.verifies($0, rosterHash: rosterHash) } ?? false
        verdicts.settle(id, valid: valid)
        return valid ? message : nil
    }

    /// Which of `ids` this node has accepted: duplicates the reader need not verify again.
    func alreadyAccepted(_ ids: [MessageID]) -> Set<MessageID> {
        Set(ids.filter { if case .accepted = ledger.knowledge(of: $0) { true } else { false } })
    }

    /// Decides a burst of MESSAGE frames from one link in order, as one unit of work: one commit
    /// and one release of ACKs and relays. Returns how many count towards the invalid-frame budget.
    /// `verified` holds the messages whose signatures were found valid, by this link or by another
    /// that checked the same ID now or recently. The core decodes the rest: it answers duplicates
    /// before any signature check ([MSG-8]) and checks the others itself, for their codes.
    func handle(messages: [[UInt8]], verified: [SignedMessage?], from link: PeerLink) -> Int {
        var work = Work()
        var invalid = 0
        let now = Self.now()
        for index in messages.indices {
            if decide(messages[index], verified: verified[index], from: link, now: now, into: &work) { invalid += 1 }
        }
        enqueue(work)
        return invalid
    }

    /// Decides one message from a peer; true if its rejection counts towards the budget ([ACK-6]).
    func decide(_ bytes: [UInt8], verified: SignedMessage?, from link: PeerLink, now: UInt64, into work: inout Work) -> Bool {
        let decisions = verified.map { ledger.receive($0, now: now, signatureChecked: true) } ?? ledger.receive(bytes: bytes, now: now)
        var counts = false
        for (index, decision) in decisions.enumerated() {
            let isFirst = index == 0
            if isFirst, case .held(let message) = decision { heldSources[message.id] = link }
            record(decision, into: &work, source: isFirst ? link : heldSources.removeValue(forKey: decision.id))
            guard isFirst else { continue }
            switch decision {
            case .accepted(let message): reply(.ack(Ack(id: message.id, status: .accepted)), to: link, into: &work)
            case .held(let message): reply(.ack(Ack(id: message.id, status: .held)), to: link, into: &work)
            case .duplicate(let id): work.outputs.append(.send(link, .ack(Ack(id: id, status: .duplicate))))
            case .rejected(let id, let error):
                work.outputs.append(.send(link, .reject(Reject(id: id, code: error.code, detail: error.detail))))
                if limits.relaysRejected, let message = try? SignedMessage(bytes: bytes) { work.outputs.append(.relay(message, except: link)) }
                counts = InvalidFrameBudget.counts(error.code, tracesToEquivocation: ledger.rejectionTracesToEquivocation(id))
                if error.code == .pendingLimit { refusedForRoom = true }
                logger.notice("rejected message", metadata: ["peer": "\(link.peer)", "id": "\(id.short)", "code": "\(error.code.name)",
                                                            "detail": "\(error.detail)"])
            }
        }
        return counts
    }

    /// Handles one frame from a peer other than a MESSAGE in a burst. Returns true if it counts
    /// towards the invalid-frame budget ([ACK-6]).
    func handle(_ frame: Frame, from link: PeerLink) -> Bool {
        switch frame {
        case .message:
            // The reader delivers every MESSAGE in a burst, through `handle(messages:verified:from:)`.
            assertionFailure("a MESSAGE outside a burst")
        case .sync(let vector):
            let missing = ledger.entries(missingFrom: vector)
            var work = Work()
            work.outputs.append(.catchUp(link, missing))
            if !missing.isEmpty {
                logger.info("catch-up started", metadata: ["peer": "\(link.peer)", "sending": "\(missing.count)"])
                Counter(label: "council_catchups_total").increment()
            }
            enqueue(work)
        case .syncDone(let count):
            if link.syncAnswered() { link.sendSync(ledger.syncVector(limit: Limits.maxSyncEntries)) }
            if count > 0 { logger.info("catch-up finished", metadata: ["peer": "\(link.peer)", "received": "\(count)"]) }
        case .error(let notice):
            logger.notice("peer reported a fault", metadata: ["peer": "\(link.peer)", "code": "\(notice.code.name)", "detail": "\(notice.detail)"])
        case .reject(let reject):
            logger.warning("peer rejected a message we sent", metadata: ["peer": "\(link.peer)", "id": "\(reject.id.short)", "code": "\(reject.code.name)"])
        case .ack, .pong, .ping, .hello, .welcome, .auth, .ignoredExtension:
            break  // ACK and PONG stay in the link's reader; the rest are the session's
        }
        return false
    }

    /// [LINK-8] Closes a link once the node has answered every MESSAGE it decided before: those
    /// answers wait for their commit, so the close waits behind them rather than overtaking them.
    /// A commit that stalls delays the close by `closeBackstop` at most ([LINK-6]).
    func close(_ link: PeerLink, _ notice: ErrorNotice) {
        logger.notice("closing link", metadata: ["peer": "\(link.peer)", "code": "\(notice.code.name)", "detail": "\(notice.detail)"])
        link.closeConnection(after: Self.closeBackstop)
        enqueue(Work(outputs: [.close(link, notice)]))
    }

    static let closeBackstop = TimeAmount.seconds(10)

    func reply(_ frame: Frame, to link: PeerLink, into work: inout Work) {
        work.outputs.append(.send(link, frame))
        if case .ack(let ack) = frame {
            work.failures.append(.send(link, .reject(Reject(id: ack.id, code: .storageUnavailable, detail: storageFault ?? "the store failed"))))
        }
    }

    /// The metrics every message or commit touches, made once (after `councild` bootstraps metrics).
    static let acceptedCounter = Counter(label: "council_messages_accepted_total")
    static let commitQueueGauge = Gauge(label: "council_commit_queue_depth")
    static let commitTimer = Metrics.Timer(label: "council_commit_seconds")

    /// Turns one decision into store records, relays and metrics.
    func record(_ decision: Decision, into work: inout Work, source: PeerLink?) {
        switch decision {
        case .accepted(let message):
            work.records.append(.accepted(message))
            work.outputs.append(.relay(message, except: source))
            if case .replacement = message.message.payload { currentKeysCache = nil }
            Self.acceptedCounter.increment()
            logger.info("accepted", metadata: ["id": "\(message.id.short)", "kind": "\(message.kind)", "from": "\(source?.peer ?? "local")"])
        case .held(let message):
            work.records.append(.held(message))
        case .rejected(let id, let error):
            work.records.append(.released(id))
            Counter(label: "council_messages_rejected_total", dimensions: [("code", error.code.name)]).increment()
        case .duplicate:
            break
        }
    }

    func enqueue(_ work: Work) {
        var work = work
        if limits.acknowledgesBeforeDurable {
            // The planted fault: answers go out now, the store catches up later.
            for output in work.outputs { perform(output) }
            work.outputs = []
            pending.append(work)
            return
        }
        pending.append(work)
        Self.commitQueueGauge.record(pending.count)
        wake.yield()
    }

    // MARK: Commits

    /// The committer: takes everything pending, commits it in one transaction, then releases its
    /// outputs, in order. Runs for the life of the daemon.
    func takeBatch() -> [Work] {
        defer { pending = [] }
        return pending
    }

    nonisolated func runCommitter() async {
        for await _ in wakes {
            while true {
                let batch = await takeBatch()
                if batch.isEmpty { break }
                let records = batch.flatMap(\.records)
                let started = DispatchTime.now()
                do {
                    if !records.isEmpty { try await commitOffThread(records) }
                    Self.commitTimer.recordInterval(since: started)
                    await completed(batch, committed: !records.isEmpty)
                } catch {
                    await failed(batch, error: error)
                }
            }
        }
    }

    nonisolated func commitOffThread(_ records: [MessageStore.Record]) async throws {
        let store = self.store
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            DispatchQueue.global().async {
                do {
                    try store.commit(records)
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    /// Releases a batch's outputs. Only a batch that wrote something proves the store works again:
    /// a batch of duplicates' ACKs commits nothing.
    func completed(_ batch: [Work], committed: Bool) {
        for work in batch { for output in work.outputs { perform(output) } }
        if committed, let fault = storageFault {
            logger.notice("storage recovered; acknowledging again", metadata: ["was": "\(fault)"])
            storageFault = nil
            // What was refused with STORAGE_UNAVAILABLE meanwhile, the peers now send again.
            resync()
        }
    }

    /// [ACK-5] A batch that could not be made durable is not acknowledged, and the core is rebuilt
    /// from the store so that memory never runs ahead of the disk.
    func failed(_ batch: [Work], error: Error) {
        // Work decided since the batch was taken was decided by the core being dropped, on top of
        // what the batch held: it fails with the batch. Committed later, it would put messages on
        // disk whose dependencies are not there, which the next start reports as damage.
        let batch = batch + takeBatch()
        let reason = "storage unavailable: \(error)"
        if storageFault == nil { logger.error("cannot make messages durable; acknowledgements stopped", metadata: ["error": "\(error)"]) }
        storageFault = reason
        // The core is rebuilt first, so that what this batch held only in memory is known to be gone
        // before anything is answered; the caches may describe more than the rebuilt core holds.
        digestCache = nil
        currentKeysCache = nil
        do {
            (ledger, _) = try Self.restore(roster: roster, store: store, limits: limits, rules: rules)
        } catch {
            logger.critical("cannot reload the store", metadata: ["error": "\(error)"])
        }
        for work in batch {
            for output in work.failures { perform(output) }
            for output in work.outputs {
                switch output {
                case .answer(let continuation, let decision):
                    continuation.yield(.rejected(decision.id, WireError(.storageUnavailable, reason)))
                    continuation.finish()
                case .send(_, .ack(let ack)) where ack.status != .duplicate:
                    break  // replaced by REJECT STORAGE_UNAVAILABLE in `failures`
                case .send(let link, .ack(let ack)) where !ledger.isAccepted(ack.id):
                    // A duplicate of a message that this batch was to make durable, and lost.
                    link.send(.reject(Reject(id: ack.id, code: .storageUnavailable, detail: reason)))
                case .relay:
                    break  // nothing that is not durable is relayed
                case .catchUp(let link, let entries):
                    link.sendCatchUp(entries.filter { ledger.isAccepted($0.id) })  // only what is durable
                case .send, .close:
                    perform(output)  // answers and closes that do not depend on this batch
                }
            }
        }
    }

    func perform(_ output: Output) {
        switch output {
        case .send(let link, let frame):
            link.send(frame)
        case .catchUp(let link, let entries):
            link.sendCatchUp(entries)
        case .relay(let message, let except):
            for link in links.values where link.serial != except?.serial { link.send(.message(message.bytes)) }
        case .answer(let continuation, let decision):
            continuation.yield(decision)
            continuation.finish()
        case .close(let link, let notice):
            link.close(notice)
        }
    }
}
