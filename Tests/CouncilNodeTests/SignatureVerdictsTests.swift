@testable import CouncilNode
import CouncilWire
import Testing

/// [SIG-3] One signature check answers for every copy of an ID, and only a valid one is remembered.
@Suite("Signature verdicts shared by links")
struct SignatureVerdictsTests {
    func id(_ n: UInt64) -> MessageID { MessageID(w0: n, w1: 0, w2: 0, w3: 0) }

    @Test("a copy whose ID another link is checking, or found valid, is not checked again")
    func oneCheckPerID() {
        let verdicts = SignatureVerdicts()
        #expect(verdicts.claim([id(1), id(2), id(1)]) == [true, true, false], "the second copy in one burst waits for the first")
        #expect(verdicts.claim([id(1)]) == [false], "another link's copy is not checked while the first is")
        verdicts.settle(id(1), valid: true)
        #expect(verdicts.isValid(id(1)))
        #expect(verdicts.claim([id(1)]) == [false], "a valid ID is not checked again")
    }

    @Test("a copy whose ID another link is checking takes that check's verdict once it is in, valid or not", .timeLimit(.minutes(1)))
    func copyTakesTheVerdict() async {
        let verdicts = SignatureVerdicts()
        #expect(verdicts.claim([id(1), id(2)]) == [true, true])
        async let waited = verdicts.verdicts(of: [id(1), id(2), id(3)])
        while verdicts.waiting == 0 { await Task.yield() }  // the reader waits for id 1's check
        verdicts.settle(id(1), valid: true)
        verdicts.settle(id(2), valid: false)
        #expect(await waited == [true, false, false], "id 3 was never checked, so it is not taken as valid")
    }

    @Test("an ID found invalid is checked again by the next copy, never taken as valid")
    func invalidIsNotRemembered() {
        let verdicts = SignatureVerdicts()
        _ = verdicts.claim([id(7)])
        verdicts.settle(id(7), valid: false)
        #expect(!verdicts.isValid(id(7)))
        #expect(verdicts.claim([id(7)]) == [true])
    }

    @Test("memory is bounded: the oldest valid IDs are forgotten first")
    func bounded() {
        let verdicts = SignatureVerdicts(capacity: 4)
        for n in 1...6 {
            _ = verdicts.claim([id(UInt64(n))])
            verdicts.settle(id(UInt64(n)), valid: true)
        }
        #expect(!verdicts.isValid(id(1)) && !verdicts.isValid(id(2)))
        #expect((3...6).allSatisfy { verdicts.isValid(id(UInt64($0))) })
    }
}
