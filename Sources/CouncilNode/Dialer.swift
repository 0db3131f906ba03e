import Foundation
import Logging
import NIOCore
import NIOPosix

/// Keeps a configured peer linked: dials, runs the link, and after it ends dials again with capped
/// exponential backoff and full jitter ([NODE-3]). An inbound link from the peer counts as linked.
struct Dialer {
    let peer: NodeConfiguration.Peer
    let node: Node
    let runner: LinkRunner
    let logger: Logger

    static let base = 100
    static let cap = 30_000

    func run() async {
        var attempt = 0
        var reported = false
        while !Task.isCancelled, await !node.isShuttingDown {
            let linked = await node.isLinked(peer.council)
            let blocked = await node.isBlocked(peer.council)
            if linked || blocked {
                try? await Task.sleep(for: .milliseconds(500))
                attempt = 0
                continue
            }
            do {
                let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .connectTimeout(.seconds(3))
                    .channelOption(.socketOption(.tcp_nodelay), value: 1)
                    .connect(host: peer.address.host, port: peer.address.port) { LinkRunner.configure($0) }
                reported = false
                let started = Date()
                // [NODE-3] A link that stayed up a second starts the backoff again; one refused at
                // once (a duplicate, a full node) does not, so a refusing peer is not hammered.
                if await runner.run(channel, initiator: true, expectedPeer: peer.council) != nil, Date().timeIntervalSince(started) >= 1 {
                    attempt = 0
                }
            } catch {
                if !reported {
                    logger.notice("cannot reach peer; retrying with backoff", metadata: ["peer": "\(peer.council)", "address": "\(peer.address)",
                                                                                      "error": "\(error)"])
                    reported = true
                }
            }
            let bound = min(Self.cap, Self.base << min(attempt, 9))
            attempt = min(attempt + 1, 20)
            try? await Task.sleep(for: .milliseconds(Int.random(in: 0...bound)))
        }
    }
}
