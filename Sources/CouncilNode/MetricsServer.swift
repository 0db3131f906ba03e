import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus

/// Serves the Prometheus text format on an optional local port: any GET answers with every metric.
struct MetricsServer {
    let registry: PrometheusCollectorRegistry

    typealias Channel = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    func serve(_ channel: Channel) async {
        try? await channel.executeThenClose { inbound, outbound in
            for try await part in inbound {
                guard case .end = part else { continue }
                let body = ByteBuffer(bytes: registry.emitToBuffer())
                var headers = HTTPHeaders()
                headers.add(name: "Content-Type", value: "text/plain; version=0.0.4")
                headers.add(name: "Content-Length", value: "\(body.readableBytes)")
                try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers)))
                try await outbound.write(.body(.byteBuffer(body)))
                try await outbound.write(.end(nil))
            }
        }
    }
}
