import CouncilProtocol
import CouncilWire
import Testing

@Suite("References, validity periods, rosters and the digest")
struct ReferenceTests {
    @Test("[PROPOSE-1][VOTE-1][VOTE-2] acts must name mandates and resolutions in their past")
    func unknownReferences() {
        var scenario = Scenario()
        let mandate = scenario.mandate(Scenario.budapest, seat: "budapest", delegate: Scenario.delegate(1))
        let resolution = scenario.propose(Scenario.delegate(1), mandate: mandate)
        let nowhere = Hashing.sha256(Array("not a message".utf8))
        #expect(scenario.act(Scenario.delegate(1), .proposal(Proposal(mandate: nowhere, question: "q", kind: "strike", rule: .majority, quorum: 1,
                                                                      closesAt: 0, title: "", text: ""))).1.code == .unknownMandate)
        #expect(scenario.act(Scenario.delegate(1), .vote(Vote(resolution: nowhere, mandate: mandate.id, choice: .yes))).1.code == .unknownResolution)
        #expect(scenario.act(Scenario.delegate(1), .vote(Vote(resolution: resolution.id, mandate: nowhere, choice: .yes))).1.code == .unknownMandate)
    }

    @Test("[PROPOSE-4][VOTE-6] a mandate's validity period bounds the acts under it")
    func validity() {
        var scenario = Scenario()
        let mandate = scenario.act(Scenario.budapest, .mandate(Mandate(
            body: "parliament", seat: "budapest", delegate: Scenario.delegate(1).publicKey, weight: 1, validFrom: scenario.now,
            validUntil: scenario.now + 10_000, scope: ["strike"]))).0
        let resolution = scenario.propose(Scenario.delegate(1), mandate: mandate)
        scenario.now += 60_000
        #expect(scenario.vote(Scenario.delegate(1), on: resolution, mandate: mandate, .yes).1.code == .mandateExpired)
        #expect(scenario.act(Scenario.delegate(1), .proposal(Proposal(mandate: mandate.id, question: "late", kind: "strike", rule: .majority, quorum: 1,
                                                                      closesAt: 0, title: "", text: ""))).1.code == .mandateExpired)
    }

    @Test("[ROSTER-1] a roster reusing a key, naming an unknown council or an empty rule set is refused with its line")
    func rosterValidity() throws {
        let key = TestFederation.councilKey("gyor").publicKey
        let duplicate = """
            {"federation": "f", "councils": [
              {"name": "a", "key": "\(key)", "electors_key": "\(TestFederation.electorsKey("a").publicKey)"},
              {"name": "b", "key": "\(key)", "electors_key": "\(TestFederation.electorsKey("b").publicKey)"}]}
            """
        #expect(throws: JSONParser.Failure.self) { try RosterDocument.parse(duplicate, file: "roster.json") }
        do {
            _ = try RosterDocument.parse(duplicate, file: "roster.json")
        } catch {
            #expect(error.line == 3 && error.field == "councils.1.key")
        }
        let unknownSeat = """
            {"federation": "f", "councils": [{"name": "a", "key": "\(key)", "electors_key": "\(TestFederation.electorsKey("a").publicKey)"}],
             "bodies": [{"name": "p", "rules": ["majority"], "seats": [{"name": "s", "council": "z"}]}]}
            """
        #expect(throws: JSONParser.Failure.self) { try RosterDocument.parse(unknownSeat, file: "roster.json") }
    }

    @Test("[ROSTER-2] the roster hash is SHA-256 of the canonical encoding, and the JSON form round-trips to it")
    func rosterHash() throws {
        let roster = TestFederation.roster
        #expect(roster.hash == Hashing.sha256(roster.encoded))
        #expect(try RosterDocument.parse(RosterDocument.render(roster), file: "roster.json").hash == roster.hash)
        #expect(try Roster(decoding: roster.encoded, failure: .malformedFrame) == roster)
    }

    @Test("[DIGEST-1] the digest of an empty node follows the Spec's encoding byte for byte")
    func emptyDigest() {
        let roster = TestFederation.roster
        var writer = WireWriter()
        writer.raw(Array("COUNCIL/1 STATE".utf8) + [0])
        writer.bytes32(roster.hash)
        writer.u64(0)
        writer.bytes32(Hashing.sha256([UInt8]()))
        writer.u16(UInt16(roster.councils.count))
        for council in roster.councils {
            writer.identifier(council.name)
            writer.bytes32(council.key)
            writer.bool(false)
        }
        writer.u32(0)
        writer.u32(0)
        #expect(Ledger(roster: roster).digest() == Hashing.sha256(writer.bytes))
    }
}
