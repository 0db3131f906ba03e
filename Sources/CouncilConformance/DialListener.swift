import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Where the suite accepts the connections the implementation dials (`--listen`, CONFORMANCE.md
/// [CONF-4]), handed to cases newest first.
public final class DialListener: Sendable {
    let channels = NIOLockedValueBox<[NIOAsyncChannel<ByteBuffer, ByteBuffer>]>([])
    /// The bound port (the one asked for, or the one the system chose for port 0).
    public let port: Int

    /// Binds `address` (host:port) and starts accepting.
    public init(at address: String) async throws {
        let (host, port) = try TestPeer.hostAndPort(address)
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port, childChannelInitializer: TestPeer.wrap)
        self.port = server.channel.localAddress?.port ?? port
        Task { [channels] in
            try? await server.executeThenClose { inbound in
                for try await channel in inbound { channels.withLockedValue { $0.append(channel) } }
            }
        }
    }

    /// The newest connection the implementation dialled, waiting up to `timeout` for one. Older
    /// ones are closed: between cases the implementation dials again each time its handshake
    /// times out, and a case handed one of those would find the implementation gone from it.
    public func next(within timeout: Duration) async throws -> TestPeer {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let queued = channels.withLockedValue { queued in
                defer { queued = [] }
                return queued
            }
            let newest = queued.last(where: { $0.channel.isActive })
            // Closed through `executeThenClose`: NIO stops the process when an NIOAsyncChannel
            // is dropped with its writer unfinished.
            for stale in queued where stale.channel !== newest?.channel { try? await stale.executeThenClose { _, _ in } }
            if let newest { return TestPeer(channel: newest) }
            try? await Task.sleep(for: .milliseconds(20))
        }
        throw TestPeer.Failure("the implementation did not dial port \(port) within \(timeout)")
    }
}
