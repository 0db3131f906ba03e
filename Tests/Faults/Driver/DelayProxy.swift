import NIOCore
import NIOPosix

/// A TCP forwarder that holds every chunk for a fixed delay in each direction: radio-like latency,
/// since this kernel has no netem. With no delay it is the plain forwarder that carries the
/// operator channel out of a node's namespace.
struct DelayProxy {
    let listen: (host: String, port: Int)
    let target: (host: String, port: Int)
    let delay: TimeAmount

    func run() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let target = target
        let delay = delay
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { inbound in
                ClientBootstrap(group: inbound.eventLoop)
                    .channelOption(.socketOption(.tcp_nodelay), value: 1)
                    .connectTimeout(.seconds(3))
                    .channelInitializer { outbound in
                        outbound.pipeline.addHandler(Forward(partner: inbound, delay: delay))
                    }
                    .connect(host: target.host, port: target.port)
                    .flatMap { outbound in
                        inbound.pipeline.addHandler(Forward(partner: outbound, delay: delay)).map { inbound.read() }
                    }
                    .flatMapError { _ in inbound.close() }
            }
            .bind(host: listen.host, port: listen.port).get()
        try await server.closeFuture.get()
    }

    /// Writes what one side reads to the other side, `delay` later, in order; closes both together.
    final class Forward: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let partner: any Channel
        let delay: TimeAmount

        init(partner: any Channel, delay: TimeAmount) {
            self.partner = partner
            self.delay = delay
        }

        func channelActive(context: ChannelHandlerContext) {
            context.read()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            let partner = partner
            if delay == .zero {
                partner.writeAndFlush(buffer, promise: nil)
            } else {
                context.eventLoop.scheduleTask(in: delay) { partner.writeAndFlush(buffer, promise: nil) }
            }
        }

        func channelReadComplete(context: ChannelHandlerContext) {
            context.read()
        }

        func channelInactive(context: ChannelHandlerContext) {
            let partner = partner
            context.eventLoop.scheduleTask(in: delay) { partner.close(promise: nil) }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}
