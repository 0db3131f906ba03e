@testable import CouncilConformance
import Testing

/// A failure report shows the frames just before the failure, however many the peer carried.
@Suite("Test peer frame trace")
struct FrameTraceTests {
    @Test("the trace keeps the most recent frames, oldest first, as hex with their notes")
    func keepsTheMostRecent() {
        var trace = FrameTrace(capacity: 3)
        for byte: UInt8 in 1...5 { trace.append("← ", [byte, 0xAB]) }
        trace.append("→ sealed 2 frames")
        #expect(trace.formatted == ["← 04ab", "← 05ab", "→ sealed 2 frames"])
        trace.append("← (closed)")
        #expect(trace.formatted == ["← 05ab", "→ sealed 2 frames", "← (closed)"], "read part-way round the ring")
        var long = FrameTrace()
        long.append("→ ", Array(repeating: 0xFF, count: 100), shown: 2)
        #expect(long.formatted == ["→ ffff… (100 bytes)"])
    }
}
