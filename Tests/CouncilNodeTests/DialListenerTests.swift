@testable import CouncilConformance
import NIOCore
import NIOPosix
import Testing

/// [CONF-4] With `--listen`, an implementation that dialled several times before a case looks
/// gets its newest connection used and the older ones closed, and the suite keeps running.
@Suite("Conformance listener")
struct DialListenerTests {
    @Test("[CONF-4] the newest of several dialled connections is handed out; the older ones are closed")
    func newestWins() async throws {
        let listener = try await DialListener(at: "127.0.0.1:0")
        var dialled: [any Channel] = []
        for _ in 0..<3 {
            dialled.append(try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: listener.port).get())
        }
        while listener.channels.withLockedValue({ $0.count }) < 3 { try await Task.sleep(for: .milliseconds(5)) }
        let peer = try await listener.next(within: .seconds(5))
        for older in dialled.dropLast() { try await older.closeFuture.get() }
        #expect(dialled.last!.isActive, "the newest connection stays open")
        #expect(!peer.hasEnded)
        peer.close()
        try await dialled.last!.closeFuture.get()
    }
}
