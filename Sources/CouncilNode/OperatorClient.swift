import CouncilProtocol
import CouncilWire
import NIOCore
import NIOPosix

/// The CLI's side of the operator channel: one request, one answer.
public enum OperatorClient {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func request(_ request: JSONValue, to address: NetworkAddress) async throws -> JSONValue {
        let channel: LineDecoder.Channel
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(3))
                .connect(host: address.host, port: address.port, channelInitializer: LineDecoder.wrap)
        } catch {
            throw Failure(description: "cannot reach the node's operator channel at \(address): \(error.networkReason). Is councild running?")
        }
        do {
            return try await channel.executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(string: request.compact + "\n"))
                for try await line in inbound {
                    var parser = JSONParser(line, file: "answer")
                    do {
                        return try parser.parse()
                    } catch {
                        throw Failure(description: "\(address) did not answer in JSON: is it a node's control address?")
                    }
                }
                throw Failure(description: "the node closed the operator channel without answering")
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(description: "the operator channel at \(address) failed: \(error.networkReason)")
        }
    }

    /// An act for a key the client holds (a delegate's, the electors'): the node drafts it
    /// (`draft`), the client signs it, the node decides it (`submit`). Returns the signed message
    /// and the node's answer (OPERATOR.md §4.5).
    public static func signAndSubmit(_ payload: JSONValue, as key: SigningKey, rosterHash: Bytes32,
                                     to address: NetworkAddress) async throws -> (message: SignedMessage, answer: JSONValue) {
        let drafted = try await request(["op": "draft", "author": .string(key.publicKey.description), "payload": payload], to: address)
        guard let hex = drafted["message"]?.stringValue, let bytes = Hex.decode(hex) else {
            throw Failure(description: "the node drafted nothing: \(drafted["error"]?.stringValue ?? drafted.compact)")
        }
        let message = SignedMessage(signing: try GovernanceMessage(decoding: bytes), with: key, rosterHash: rosterHash)
        return (message, try await request(["op": "submit", "message": .string(Hex.encode(message.bytes))], to: address))
    }
}
