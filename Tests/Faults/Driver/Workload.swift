import CouncilNode
import CouncilProtocol
import CouncilWire
import Foundation

/// The steady stream the faults run under: round after round, each station council recalls its
/// delegate to the national conference and mandates a new one, one delegate proposes, the others
/// vote, and the proposer's council closes the question once its time is up. Every act whose
/// answer was `accepted` or `held` is acknowledged, and remembered with the node that answered.
actor Workload {
    let federation: FaultFederation
    let pause: Duration
    var random: SystemRandomNumberGenerator
    var running = true
    var paused = false
    var idle = true
    var round = 0
    var mandates: [String: MessageID] = [:]
    var open: [(resolution: MessageID, node: String, closesAt: UInt64)] = []
    private(set) var acknowledged: [MessageID: String] = [:]
    private(set) var sent = 0
    private(set) var rejected = 0
    private(set) var unanswered = 0
    static let body = "national-conference"

    init(federation: FaultFederation, actsPerSecond: Int) {
        self.federation = federation
        pause = .milliseconds(1_000 / max(actsPerSecond, 1))
        random = SystemRandomNumberGenerator()
    }

    var nodes: [String] { federation.nodes }
    static func now() -> UInt64 { UInt64(Date().timeIntervalSince1970 * 1_000) }

    /// Runs rounds until `stop`; a paused workload finishes its current act and waits.
    func run() async {
        while running {
            if paused {
                idle = true
                try? await Task.sleep(for: .milliseconds(20))
                continue
            }
            idle = false
            await playRound()
        }
        idle = true
    }

    func stop() { running = false }
    func setPaused(_ value: Bool) { paused = value }

    /// Pauses and waits until the act in flight has been answered.
    static func quiesce(_ workload: Workload) async {
        await workload.setPaused(true)
        while await !workload.idle { try? await Task.sleep(for: .milliseconds(10)) }
    }

    func playRound() async {
        round += 1
        for node in nodes.shuffled(using: &random) where !paused {
            mandates[node] = nil
            // The node's own view of the seat: an earlier recall may have been stored though its
            // answer was lost to a crash.
            if let old = await standingMandate(at: node) {
                await act(at: node, ["act": "RECALL", "mandate": .string(old), "reason": .string("round \(round): a new delegate")])
            }
            let delegate = delegateKey(node)
            let now = Self.now()
            if let id = await act(at: node, ["act": "MANDATE", "body": .string(Self.body), "seat": .string(node),
                                             "delegate": .string(delegate.publicKey.description), "weight": 1,
                                             "valid_from": .uint(now - 60_000), "valid_until": .uint(now + 6 * 3_600_000), "scope": ["faults"]]) {
                mandates[node] = id
            }
        }
        let proposer = nodes[round % nodes.count]
        if !paused, let mandate = mandates[proposer] {
            let closesAt = Self.now() + 1_500
            if let resolution = await delegateAct(proposer, at: proposer, [
                "act": "PROPOSAL", "mandate": .string(mandate.description), "question": .string("round-\(round)"), "kind": "faults",
                "rule": "majority", "quorum": 1, "closes_at": .uint(closesAt), "title": .string("Question of round \(round)"), "text": "",
            ]) {
                open.append((resolution, proposer, closesAt))
                for voter in nodes where voter != proposer && !paused {
                    guard let voterMandate = mandates[voter] else { continue }
                    let choice = ["for", "against", "abstain"].randomElement(using: &random)!
                    await delegateAct(voter, at: voter, ["act": "VOTE", "resolution": .string(resolution.description),
                                                          "mandate": .string(voterMandate.description), "choice": .string(choice), "statement": ""])
                }
            }
        }
        let due = open.filter { $0.closesAt < Self.now() }
        open.removeAll { $0.closesAt < Self.now() }
        for item in due where !paused {
            await act(at: item.node, ["act": "CLOSE", "resolution": .string(item.resolution.description)])
        }
    }

    /// The mandate standing for `council`'s seat in the body, as the node sees it.
    func standingMandate(at council: String) async -> String? {
        let answer = try? await federation.request(council, ["op": "mandates"])
        return answer?["mandates"]?.arrayValue?.first {
            $0["body"]?.stringValue == Self.body && $0["seat"]?.stringValue == council
        }?["id"]?.stringValue
    }

    /// Each round's delegates have fresh keys: a new delegate, as after a recall.
    func delegateKey(_ council: String) -> SigningKey {
        SigningKey(seed: Hashing.sha256(Array("council-faults delegate \(council) \(round)".utf8)))
    }

    /// An act of the node's own council (operator `act`).
    @discardableResult
    func act(at node: String, _ payload: JSONValue) async -> MessageID? {
        await decide(at: node) { try await self.federation.request(node, ["op": "act", "payload": payload]) }
    }

    /// An act of the council's current delegate: drafted at the node, signed here, submitted.
    @discardableResult
    func delegateAct(_ council: String, at node: String, _ payload: JSONValue) async -> MessageID? {
        let key = delegateKey(council)
        let rosterHash = federation.definition.roster.hash
        let address = federation.control(node)
        return await decide(at: node) {
            try await OperatorClient.signAndSubmit(payload, as: key, rosterHash: rosterHash, to: address).answer
        }
    }

    func decide(at node: String, _ request: @Sendable () async throws -> JSONValue) async -> MessageID? {
        try? await Task.sleep(for: pause)
        sent += 1
        guard let answer = try? await request() else {
            unanswered += 1
            return nil
        }
        guard let decision = answer["decision"]?.stringValue, decision == "accepted" || decision == "held",
              let hex = answer["id"]?.stringValue, let id = Bytes32(hex: hex) else {
            rejected += 1
            return nil
        }
        acknowledged[id] = node
        return id
    }

    func acknowledged(by node: String) -> [MessageID] { acknowledged.filter { $0.value == node }.map(\.key) }
    var allAcknowledged: [MessageID] { Array(acknowledged.keys) }
}
