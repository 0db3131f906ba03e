import NIOCore
import NIOPosix

/// A listening socket of the daemon (peer links, the operator channel, metrics).
///
/// Each accepted connection is wrapped for async use only when the accept loop takes it, not in the
/// bootstrap's child initializer. NIO traps when an async channel is released without being closed,
/// and a connection accepted as the listener closes can be dropped before anyone takes it
/// (swift-nio#2637); a plain channel dropped that way costs nothing. Connections start with reads
/// off, so nothing arrives before the wrapper's handlers are in place.
struct Listener<Connection: Sendable>: Sendable {
    let server: NIOAsyncChannel<any Channel, Never>
    /// Installs the connection's handlers, on its event loop, and wraps it.
    let configure: @Sendable (any Channel) -> EventLoopFuture<Connection>

    static func bind(_ address: NetworkAddress, _ what: String,
                     _ configure: @escaping @Sendable (any Channel) -> EventLoopFuture<Connection>) async throws -> Listener {
        do {
            let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelOption(.autoRead, value: false)
                .bind(host: address.host, port: address.port) { channel in channel.eventLoop.makeSucceededFuture(channel) }
            return Listener(server: server, configure: configure)
        } catch {
            throw DaemonFailure.runtime("cannot listen for \(what) on \(address): \(error.networkReason)")
        }
    }

    /// Serves each accepted connection until the listener closes, then ends the open ones. The loop
    /// is left to end by the close rather than cancelled, so that every accepted connection is taken.
    func accept(_ serve: @escaping @Sendable (Connection) async -> Void) async throws {
        try await server.executeThenClose { inbound in
            try await withThrowingDiscardingTaskGroup { connections in
                for try await channel in inbound {
                    connections.addTask {
                        guard let connection = try? await channel.eventLoop.flatSubmit({ configure(channel) }).get() else {
                            channel.close(promise: nil)
                            return
                        }
                        _ = try? await channel.setOption(ChannelOptions.autoRead, value: true).get()
                        await serve(connection)
                    }
                }
                connections.cancelAll()
            }
        }
    }

    func close() { server.channel.close(promise: nil) }
}
