@testable import CouncilConformance
import Testing

/// [CONF-4] With `--listen`, an implementation that dialled several times before a case looks
/// gets its newest connection used and the older ones closed, and the suite keeps running.
@Suite("Conformance listener")
struct DialListenerTests {
    @Test("[CONF-4] the newest of several dialled connections is handed out; the older ones are closed")
    func newestWins() async throws {
        let listener = try await DialListener(at: "127.0.0.1:0")
        var dialled: [TestPeer] = []
        for count in 1...3 {
            dialled.append(try await TestPeer.connect(to: "127.0.0.1:\(listener.port)"))
            // Accepted in turn: connections accepted at once may reach the queue in any order.
            while listener.channels.withLockedValue({ $0.count }) < count { try await Task.sleep(for: .milliseconds(5)) }
        }
        let handed = try await listener.next(within: .seconds(5))
        for older in dialled.dropLast() {
            for _ in 0..<500 where !older.hasEnded { try await Task.sleep(for: .milliseconds(10)) }
            #expect(older.hasEnded, "an older connection is closed")
        }
        #expect(!dialled.last!.hasEnded, "the newest connection stays open")
        handed.close()
        for _ in 0..<500 where !dialled.last!.hasEnded { try await Task.sleep(for: .milliseconds(10)) }
        #expect(dialled.last!.hasEnded, "the handed-out peer is that connection")
        for peer in dialled { peer.close() }
    }
}
