import CouncilProtocol
import NIOCore
import NIOPosix

/// The CLI's side of the operator channel: one request, one answer.
public enum OperatorClient {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func request(_ request: JSONValue, to address: NetworkAddress) async throws -> JSONValue {
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(3))
                .connect(host: address.host, port: address.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineDecoder()))
                        return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw Failure(description: "cannot reach the node's operator channel at \(address): \(error). Is councild running?")
        }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: request.compact + "\n"))
            for try await line in inbound {
                var parser = JSONParser(String(buffer: line), file: "answer")
                return try parser.parse()
            }
            throw Failure(description: "the node closed the operator channel without answering")
        }
    }
}
