import CouncilProtocol
import CouncilWire
import Foundation

/// Everything a case needs: where the implementation under test listens, the contract's roster
/// and keys, a mirror of what the implementation has accepted (so the suite can draft valid
/// messages), and deadlines scaled by `--timeout-scale`.
public final class CaseContext: @unchecked Sendable {  // cases run one at a time
    public let target: String
    public let roster = ConformanceContract.roster
    public let timeoutScale: Double
    /// What the implementation has accepted from the suite, as the suite's own core sees it.
    public private(set) var mirror: Ledger
    private var shared: TestPeer?
    /// Rejections on the shared link: it is renewed before the invalid-frame budget ([LINK-5]) runs out.
    private var sharedRejections = 0
    /// Peers opened during the current case, for the failure trace.
    private var opened: [TestPeer] = []
    /// A peer the implementation dialled (for `--listen` cases), handed over by the runner: the
    /// newest connection, or the next one dialled within the given time.
    public var dialled: ((Duration) async throws -> TestPeer)?
    /// Crashes the implementation (SIGKILL) and starts it again on the same store, when the runner
    /// controls its process (`--self-test`); nil otherwise.
    public var crashAndRestart: (() async throws -> Void)?

    public init(target: String, timeoutScale: Double) {
        self.target = target
        self.timeoutScale = timeoutScale
        mirror = Ledger(roster: ConformanceContract.roster)
    }

    public func deadline(_ seconds: Double) -> Duration { .milliseconds(Int(seconds * 1_000 * timeoutScale)) }

    public var now: UInt64 { UInt64(Date().timeIntervalSince1970 * 1_000) }

    // MARK: Links

    public func connect() async throws -> TestPeer {
        let peer = try await TestPeer.connect(to: target, timeout: deadline(5))
        opened.append(peer)
        return peer
    }

    func beginCase() { opened = [] }

    /// The frames both ways on every link the case opened.
    func endCase() -> [String] {
        defer { opened = [] }
        return opened.enumerated().flatMap { index, peer in ["link \(index + 1):"] + peer.trace.suffix(40) }
    }

    /// An authenticated link as `council` (with its roster key unless `key` is given); the
    /// implementation's first frame (SYNC, [LINK-1]) is read.
    public func link(as council: String, key: SigningKey? = nil) async throws -> (TestPeer, SyncVector?) {
        let peer = try await connect()
        _ = try await peer.handshake(as: council, key: key ?? ConformanceContract.councilKey(council), roster: roster, deadline: deadline(5))
        var first: SyncVector?
        if case .sync(let vector)? = try await peer.expect(within: deadline(5), { frame in
            if case .sync = frame { return true }
            return false
        }) { first = vector }
        try await peer.send(.sync(mirror.syncVector(limit: Limits.maxSyncEntries)))
        return (peer, first)
    }

    /// The suite's standing link (as Győr), reopened when a case closed it.
    public func sharedLink() async throws -> TestPeer {
        if let shared, sharedRejections < 8, !shared.hasEnded {
            opened.append(shared)
            return shared
        }
        shared?.close()
        sharedRejections = 0
        let (peer, _) = try await link(as: "gyor")
        shared = peer
        return peer
    }

    /// Loads what the implementation already holds (it may not be empty), so that drafts continue
    /// its chains instead of equivocating.
    public func bootstrap() async throws {
        // `link` sends the mirror's (empty) SYNC; the answer is everything held, then SYNC_DONE.
        // Each message is answered as a node would ([ACK-1]), a burst at a time: the answers keep
        // the link alive while a long catch-up holds the implementation's PINGs back ([LINK-3]).
        let (peer, _) = try await link(as: "gyor")
        var answers: [Frame] = []
        let started = ContinuousClock.now
        while ContinuousClock.now - started < deadline(60) {
            guard let event = try await peer.next(within: deadline(10)) else { break }
            switch event {
            case .frame(.message(let bytes)):
                let decision = mirror.receive(bytes: bytes, now: .max / 2).first
                answers.append(Self.answer(to: decision, of: bytes))
                if answers.count >= 256 {
                    peer.send(answers)
                    answers = []
                }
            case .frame(.syncDone):
                if !answers.isEmpty { peer.send(answers) }
                shared = peer
                return
            case .frame(.ping(let nonce)): try await peer.send(.pong(nonce))
            case .closed, .undecodable: throw TestPeer.Failure("the implementation closed the link during catch-up")
            default: continue
            }
        }
        throw TestPeer.Failure("no SYNC_DONE after catch-up")
    }

    /// What a node answers to a MESSAGE it decided so ([ACK-1], [ACK-3]).
    static func answer(to decision: Decision?, of bytes: [UInt8]) -> Frame {
        switch decision {
        case .accepted(let message)?: .ack(Ack(id: message.id, status: .accepted))
        case .held(let message)?: .ack(Ack(id: message.id, status: .held))
        case .duplicate(let id)?: .ack(Ack(id: id, status: .duplicate))
        case .rejected(let id, let error)?: .reject(Reject(id: id, code: error.code, detail: error.detail))
        case nil: .reject(Reject(id: Hashing.sha256(bytes), code: .malformedMessage, detail: "no decision"))
        }
    }

    // MARK: Messages

    /// What the implementation answered to one MESSAGE.
    public enum Answer: Sendable, Equatable, CustomStringConvertible {
        case ack(Ack.Status)
        case reject(ErrorCode)
        case nothing

        public var description: String {
            switch self {
            case .ack(let status): "ACK \(status)"
            case .reject(let code): "REJECT \(code.name)"
            case .nothing: "no answer"
            }
        }
    }

    /// Sends one MESSAGE and waits for the ACK or REJECT naming it.
    public func submit(_ bytes: [UInt8], on peer: TestPeer, within seconds: Double = 5) async throws -> Answer {
        let id = Hashing.sha256(bytes)
        try await peer.send(.message(bytes))
        let frame = try await peer.expect(within: deadline(seconds)) { $0.answers(id) }
        switch frame {
        case .ack(let ack)?: return .ack(ack.status)
        case .reject(let reject)?:
            if peer === shared { sharedRejections += 1 }
            return .reject(reject.code)
        default: return .nothing
        }
    }

    public func draft(_ key: SigningKey, _ payload: Payload) -> GovernanceMessage {
        mirror.draft(author: key.publicKey, payload: payload, now: now)
    }

    public func sign(_ message: GovernanceMessage, _ key: SigningKey) -> SignedMessage {
        SignedMessage(signing: message, with: key, rosterHash: roster.hash)
    }

    /// Drafts on the mirror, signs, submits on the shared link (or `peer`), and keeps the mirror in
    /// step with what the implementation accepted.
    @discardableResult
    public func act(_ key: SigningKey, _ payload: Payload, on peer: TestPeer? = nil) async throws -> (SignedMessage, Answer) {
        let message = sign(draft(key, payload), key)
        return (message, try await send(message, on: peer))
    }

    /// Submits a prepared message and mirrors it if accepted or held.
    public func send(_ message: SignedMessage, on peer: TestPeer? = nil) async throws -> Answer {
        let link: TestPeer
        if let peer { link = peer } else { link = try await sharedLink() }
        var answer = try await submit(message.bytes, on: link)
        if answer == .nothing, peer == nil, link.hasEnded {
            // The shared link was closed under us (by a case's own link); submit again on a new one.
            answer = try await submit(message.bytes, on: try await sharedLink())
        }
        if answer == .ack(.accepted) || answer == .ack(.held) || answer == .ack(.duplicate) {
            _ = mirror.receive(message, now: .max / 2, signatureChecked: true)
        }
        return answer
    }

    /// Records a message the implementation accepted by another path (a relay observed).
    public func remember(_ message: SignedMessage) { _ = mirror.receive(message, now: .max / 2, signatureChecked: true) }

    /// A fresh delegate with a standing mandate for `council`'s seat in the parliament: any
    /// mandate standing for the seat is recalled first, so cases never collide ([MANDATE-7]).
    public func mandate(_ council: String, seat: String? = nil, body: String = "parliament", weight: UInt16 = 1,
                        scope: [String] = ["federation", "strike"], instructions: [Mandate.Instruction] = [],
                        validFor: UInt64 = 86_400_000) async throws -> (mandate: SignedMessage, delegate: SigningKey) {
        let seat = seat ?? council
        let key = try currentKey(of: council)
        for standing in mirror.standingMandates() {
            guard case .mandate(let act) = standing.payload, act.body == body, act.seat == seat else { continue }
            let (_, answer) = try await self.act(key, .recall(Recall(mandate: standing.id, reason: "the conformance suite frees the seat")))
            guard answer == .ack(.accepted) else { throw TestPeer.Failure("could not free seat \(seat): \(answer)") }
        }
        let delegate = SigningKey.generate()
        let (message, answer) = try await act(key, .mandate(Mandate(
            body: body, seat: seat, delegate: delegate.publicKey, weight: weight, validFrom: now - 3_600_000, validUntil: now + validFor,
            scope: scope, instructions: instructions)))
        guard answer == .ack(.accepted) else { throw TestPeer.Failure("the setup mandate for \(seat) was answered \(answer)") }
        return (message, delegate)
    }

    /// A council's current key (after any replacement the suite made), with its private half.
    public func currentKey(of council: String) throws -> SigningKey {
        let current = mirror.currentKey(of: council, in: .everything)
        if current == ConformanceContract.councilKey(council).publicKey { return ConformanceContract.councilKey(council) }
        for index in 1...64 where ConformanceContract.successorKey(council, index).publicKey == current {
            return ConformanceContract.successorKey(council, index)
        }
        throw TestPeer.Failure("the suite does not hold \(council)'s current key")
    }

    /// A proposal by a fresh delegate of `council`, open for `closesIn` ms.
    public func proposal(by council: String, kind: String = "strike", rule: DecisionRule = .majority, quorum: UInt16 = 1,
                         closesIn: UInt64 = 3_600_000, question: String = "q-\(UInt32.random(in: 0...UInt32.max))") async throws
        -> (proposal: SignedMessage, mandate: SignedMessage, delegate: SigningKey) {
        let (mandate, delegate) = try await self.mandate(council)
        let (proposal, answer) = try await act(delegate, .proposal(Proposal(
            mandate: mandate.id, question: question, kind: kind, rule: rule, quorum: quorum, closesAt: now + closesIn,
            title: "A conformance question", text: "Proposed by the conformance suite.")))
        guard answer == .ack(.accepted) else { throw TestPeer.Failure("the setup proposal was answered \(answer)") }
        return (proposal, mandate, delegate)
    }
}

