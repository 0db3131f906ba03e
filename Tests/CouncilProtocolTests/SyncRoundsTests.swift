import CouncilProtocol
import Testing

@Suite("SYNC rounds on one link (§9.2)")
struct SyncRoundsTests {
    @Test("[SYNC-4] a round waits while a SYNC is unanswered, and goes out once, when the last answer arrives")
    func roundWaitsForTheAnswer() {
        var rounds = SyncRounds()
        let first = rounds.offer()
        #expect(first, "nothing unanswered: the round goes out")
        rounds.sent()
        let (second, third) = (rounds.offer(), rounds.offer())
        #expect(!second && !third, "held back while the SYNC is unanswered")
        let released = rounds.answered()
        #expect(released, "the held-back round goes out with the answer")
        rounds.sent()
        let quiet = rounds.answered()
        #expect(!quiet && rounds.unanswered == 0, "an answer with nothing held back asks for nothing")
        let unasked = rounds.answered()
        #expect(!unasked && rounds.unanswered == 0, "a SYNC_DONE nobody asked for changes nothing")
    }
}
