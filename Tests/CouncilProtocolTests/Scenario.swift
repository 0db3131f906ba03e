import CouncilProtocol
import CouncilWire

/// A node's core under test with the Spec's test federation, and helpers to act as its councils
/// and delegates.
struct Scenario {
    var ledger: Ledger
    var now: UInt64 = TestFederation.epoch + TestFederation.day
    let roster = TestFederation.roster

    init(rules: any GovernanceRules = SpecRules()) { ledger = Ledger(roster: TestFederation.roster, rules: rules) }

    static let budapest = TestFederation.councilKey("budapest")
    static let csepel = TestFederation.councilKey("csepel")
    static let gyor = TestFederation.councilKey("gyor")
    static let miskolc = TestFederation.councilKey("miskolc")
    static func delegate(_ number: Int) -> SigningKey { TestFederation.delegateKey(number) }

    /// Drafts on this node's view, signs, and submits. Returns the message and its decision.
    @discardableResult
    mutating func act(_ key: SigningKey, _ payload: Payload) -> (SignedMessage, Decision) {
        sign(ledger.draft(author: key.publicKey, payload: payload, now: now), key)
    }

    /// Signs a draft (possibly edited by the test) and submits it.
    @discardableResult
    mutating func sign(_ draft: GovernanceMessage, _ key: SigningKey) -> (SignedMessage, Decision) {
        now += 1_000
        let message = SignedMessage(signing: draft, with: key, rosterHash: ledger.rosterHash)
        return (message, ledger.receive(message, now: now).first!)
    }

    mutating func mandate(_ council: SigningKey, seat: String, body: String = "parliament", delegate: SigningKey, weight: UInt16 = 1,
                          scope: [String] = ["federation", "strike"], instructions: [Mandate.Instruction] = []) -> SignedMessage {
        act(council, .mandate(Mandate(body: body, seat: seat, delegate: delegate.publicKey, weight: weight, validFrom: TestFederation.epoch,
                                      validUntil: TestFederation.epoch + 60 * TestFederation.day, scope: scope, instructions: instructions))).0
    }

    mutating func propose(_ delegate: SigningKey, mandate: SignedMessage, kind: String = "strike", question: String = "general-strike",
                          rule: DecisionRule = .majority, quorum: UInt16 = 1) -> SignedMessage {
        act(delegate, .proposal(Proposal(mandate: mandate.id, question: question, kind: kind, rule: rule, quorum: quorum,
                                         closesAt: now + TestFederation.hour, title: "A general strike", text: "Strike until the demands are met."))).0
    }

    mutating func vote(_ delegate: SigningKey, on resolution: SignedMessage, mandate: SignedMessage, _ choice: Choice) -> (SignedMessage, Decision) {
        act(delegate, .vote(Vote(resolution: resolution.id, mandate: mandate.id, choice: choice)))
    }

    mutating func close(_ key: SigningKey, _ resolution: SignedMessage) -> (SignedMessage, Decision) {
        sign(ledger.draftClose(author: key.publicKey, resolution: resolution.id, now: now)!, key)
    }

    func tally(_ resolution: SignedMessage) -> Tally? {
        ledger.resolutionStates().first { $0.id == resolution.id }?.tally
    }
}

extension Decision {
    /// The rejection code, or nil if the message was not rejected.
    var code: ErrorCode? {
        if case .rejected(_, let error) = self { return error.code }
        return nil
    }

    var isAccepted: Bool {
        if case .accepted = self { return true }
        return false
    }
}
