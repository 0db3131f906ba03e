import CouncilProtocol
import CouncilWire
import Testing

@Suite("Replacement and dissolution (§12.6)")
struct CouncilLifecycleTests {
    static let electors = TestFederation.electorsKey("csepel")
    static let newCouncil = TestFederation.key("csepel-new")

    @Test("[REPLACE-1] only the electors replace a council")
    func onlyElectors() {
        var scenario = Scenario()
        let payload = Payload.replacement(Replacement(council: "csepel", newKey: Self.newCouncil.publicKey, reason: ""))
        #expect(scenario.act(Scenario.csepel, payload).1.code == .notAuthorised)
        #expect(scenario.act(TestFederation.electorsKey("gyor"), payload).1.code == .notAuthorised)
        #expect(scenario.act(Self.electors, payload).1.isAccepted)
        #expect(scenario.ledger.councilStates().first { $0.name == "csepel" }?.key == Self.newCouncil.publicKey)
    }

    @Test("[REPLACE-2] the new key must be new")
    func newKeyIsNew() {
        var scenario = Scenario()
        let payload = Payload.replacement(Replacement(council: "csepel", newKey: Scenario.gyor.publicKey, reason: ""))
        #expect(scenario.act(Self.electors, payload).1.code == .invalidField)
    }

    @Test("[REPLACE-4][CORE-9] the old key's later acts are refused; the mandates it issued before stand and the new council may recall them")
    func replacement() {
        var scenario = Scenario()
        let mandate = scenario.mandate(Scenario.csepel, seat: "csepel", delegate: Scenario.delegate(2))
        #expect(scenario.act(Self.electors, .replacement(Replacement(council: "csepel", newKey: Self.newCouncil.publicKey,
                                                                     reason: "The Csepel workers elected a new council"))).1.isAccepted)
        #expect(scenario.act(Scenario.csepel, .recall(Recall(mandate: mandate.id, reason: "old council"))).1.code == .keyReplaced)
        #expect(scenario.ledger.standingMandates().map(\.id) == [mandate.id])
        #expect(scenario.act(Self.newCouncil, .recall(Recall(mandate: mandate.id, reason: "the new council recalls"))).1.isAccepted)
    }

    @Test("[CORE-9][CORE-10] a key retired for one council and serving a dissolved one is KEY_REPLACED, the earlier check")
    func retiredBeforeDissolved() {
        var scenario = Scenario()
        let shared = TestFederation.key("shared-key")
        let replace = { (council: String, key: SigningKey) in Payload.replacement(Replacement(council: council, newKey: key.publicKey, reason: "")) }
        let pecs = scenario.act(TestFederation.electorsKey("pecs"), replace("pecs", shared)).0
        // Miskolc's electors install the same key without having seen Pécs's REPLACE (§14), then replace it.
        var concurrent = scenario.ledger.draft(author: TestFederation.electorsKey("miskolc").publicKey, payload: replace("miskolc", shared), now: scenario.now)
        concurrent.refs = []
        #expect(scenario.sign(concurrent, TestFederation.electorsKey("miskolc")).1.isAccepted)
        let retired = scenario.act(TestFederation.electorsKey("miskolc"), replace("miskolc", TestFederation.key("shared-key-2"))).0
        var dissolve = scenario.ledger.draft(author: shared.publicKey, payload: .dissolution(Dissolution(council: "pecs", statement: "")), now: scenario.now)
        dissolve.refs = [pecs.id]
        let (dissolution, dissolved) = scenario.sign(dissolve, shared)
        #expect(dissolved.isAccepted)
        var late = scenario.ledger.draft(author: shared.publicKey, payload: .dissolution(Dissolution(council: "pecs", statement: "")), now: scenario.now)
        (late.prev, late.refs) = (dissolution.id, [retired.id])
        #expect(scenario.sign(late, shared).1.code == .keyReplaced)
    }

    @Test("[REPLACE-4] a mandate the old key issued unseen by the replacement is void, with its votes")
    func unseenMandateVoid() {
        var electorsNode = Scenario()
        let other = electorsNode.mandate(Scenario.budapest, seat: "budapest", delegate: Scenario.delegate(1))
        let resolution = electorsNode.propose(Scenario.delegate(1), mandate: other, quorum: 1)
        var oldCouncilNode = electorsNode
        let (replace, _) = electorsNode.act(Self.electors, .replacement(Replacement(council: "csepel", newKey: Self.newCouncil.publicKey, reason: "")))
        let mandate = oldCouncilNode.mandate(Scenario.csepel, seat: "csepel", delegate: Scenario.delegate(2), weight: 2)
        let (vote, decision) = oldCouncilNode.vote(Scenario.delegate(2), on: resolution, mandate: mandate, .yes)
        #expect(decision.isAccepted)
        for message in [mandate, vote] { #expect(electorsNode.ledger.receive(message, now: electorsNode.now).first?.isAccepted == true) }
        _ = oldCouncilNode.ledger.receive(replace, now: oldCouncilNode.now)
        for node in [electorsNode, oldCouncilNode] {
            #expect(node.ledger.standingMandates().map(\.id) == [other.id])
            #expect(node.tally(resolution)?.seatsVoted == 0)
        }
        #expect(electorsNode.ledger.digest() == oldCouncilNode.ledger.digest())
    }

    @Test("[PROPOSE-3][VOTE-5] a mandate recalled and then dissolved with its council is COUNCIL_DISSOLVED, not MANDATE_RECALLED")
    func recalledThenDissolved() {
        var scenario = Scenario()
        let other = scenario.mandate(Scenario.budapest, seat: "budapest", delegate: Scenario.delegate(1))
        let resolution = scenario.propose(Scenario.delegate(1), mandate: other, quorum: 1)
        let mandate = scenario.mandate(Scenario.csepel, seat: "csepel", delegate: Scenario.delegate(2))
        #expect(scenario.act(Scenario.csepel, .recall(Recall(mandate: mandate.id, reason: "strayed"))).1.isAccepted)
        #expect(scenario.vote(Scenario.delegate(2), on: resolution, mandate: mandate, .yes).1.code == .mandateRecalled)
        #expect(scenario.act(Scenario.csepel, .dissolution(Dissolution(council: "csepel", statement: ""))).1.isAccepted)
        #expect(scenario.vote(Scenario.delegate(2), on: resolution, mandate: mandate, .yes).1.code == .councilDissolved)
        let proposal = Proposal(mandate: mandate.id, question: "q", kind: "strike", rule: .majority, quorum: 1,
                                closesAt: scenario.now + TestFederation.hour, title: "", text: "")
        #expect(scenario.act(Scenario.delegate(2), .proposal(proposal)).1.code == .councilDissolved)
    }

    @Test("[DISSOLVE-1][DISSOLVE-2][DISSOLVE-3][CORE-10][REPLACE-3] a dissolved council returns its mandates and acts no more")
    func dissolution() {
        var scenario = Scenario()
        let mandate = scenario.mandate(Scenario.csepel, seat: "csepel", delegate: Scenario.delegate(2))
        let payload = Payload.dissolution(Dissolution(council: "csepel", statement: "We are returning our mandate into the hands of the workers."))
        #expect(scenario.act(Scenario.gyor, payload).1.code == .notAuthorised)
        #expect(scenario.act(Scenario.csepel, payload).1.isAccepted)
        #expect(scenario.ledger.standingMandates().isEmpty)
        #expect(scenario.act(Self.electors, payload).1.code == .councilDissolved)
        #expect(scenario.act(Scenario.csepel, .recall(Recall(mandate: mandate.id, reason: ""))).1.code == .councilDissolved)
        let replacement = Payload.replacement(Replacement(council: "csepel", newKey: Self.newCouncil.publicKey, reason: "too late"))
        #expect(scenario.act(Self.electors, replacement).1.code == .councilDissolved, "[REPLACE-3]")
        #expect(scenario.ledger.councilStates().first { $0.name == "csepel" }?.dissolved == true)
    }
}
