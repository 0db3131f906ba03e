import CouncilProtocol
import CouncilWire
import Testing

@Suite("The invalid-frame budget (§8.4)")
struct InvalidFrameBudgetTests {
    @Test("[LINK-5] a link survives MAX_INVALID_FRAMES invalid frames and closes on the next")
    func closesPastTheLimit() {
        var budget = InvalidFrameBudget(limit: 16)
        for _ in 0..<16 { #expect(budget.spend() == nil) }
        #expect(!budget.isExhausted)
        let notice = budget.spend()
        #expect(notice?.code == .tooManyInvalidFrames)
        #expect(budget.isExhausted)
    }

    @Test("[ACK-6] a burst's rejections are spent together, and any that cross the limit close the link")
    func burstCrossesTheLimit() {
        var budget = InvalidFrameBudget(limit: 16)
        #expect(budget.spend(10) == nil)
        #expect(budget.spend(7)?.code == .tooManyInvalidFrames)
        #expect(budget.spent == 17)
        #expect(budget.spend() == nil, "the link closes once: later spends ask for no second close")
        #expect(budget.isExhausted)
    }

    @Test("[ACK-6] a REJECT for a wrong message spends the budget; one for a node condition, or for the other of two histories, does not")
    func whichRejectionsCount() {
        #expect(InvalidFrameBudget.counts(.badSignature, tracesToEquivocation: false))
        #expect(InvalidFrameBudget.counts(.dependencyRejected, tracesToEquivocation: false), "on a message rejected for its own fault")
        #expect(!InvalidFrameBudget.counts(.equivocation, tracesToEquivocation: true))
        #expect(!InvalidFrameBudget.counts(.dependencyRejected, tracesToEquivocation: true))
        #expect(!InvalidFrameBudget.counts(.storageUnavailable, tracesToEquivocation: false))
        #expect(!InvalidFrameBudget.counts(.pendingLimit, tracesToEquivocation: false))
    }
}
