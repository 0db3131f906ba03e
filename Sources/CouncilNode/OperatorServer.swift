import CouncilProtocol
import CouncilWire
import Logging
import NIOCore
import NIOPosix

/// The operator channel (Spec OPERATOR.md): newline-delimited JSON requests and answers on a
/// loopback-only TCP port. Connections from any other address are closed unanswered.
struct OperatorServer {
    let node: Node
    let logger: Logger

    /// [OPS-15] The most IDs one `missing` request may ask about.
    static let maxMissingIDs = 50_000

    func handle(_ request: JSONDocument) async -> JSONValue {
        do {
            let op = try request.string("op")
            switch op {
            case "status": return ok(await node.status())
            case "mandates": return ok(["mandates": await node.mandates()])
            case "resolutions": return ok(["resolutions": await node.resolutions()])
            case "councils": return ok(["councils": await node.councils()])
            case "act":
                return ok(await node.act(try payload(request)).json)
            case "draft":
                let author = try request.bytes32("author")
                let timestamp: UInt64? = request.value("timestamp") == nil ? nil : try request.integer("timestamp", UInt64.self)
                guard let draft = await node.draft(author: author, payload: try payload(request), timestamp: timestamp) else {
                    return failure("the node cannot draft that act: is the resolution known here?")
                }
                return ok(["message": .string(Hex.encode(draft.encoded))])
            case "submit":
                let bytes = try request.hex("message")
                do {
                    return ok(await node.submit(try SignedMessage(bytes: bytes)).json)
                } catch {
                    return ok(Decision.rejected(Hashing.sha256(bytes), error).json)
                }
            case "has":
                return ok(await node.knowledge(of: try request.bytes32("id")))
            case "missing":
                let count = try request.count("ids")
                guard count <= Self.maxMissingIDs else { return failure(request.failure("ids", "at most \(Self.maxMissingIDs) per request").description) }
                var ids: [MessageID] = []
                for index in 0..<count { ids.append(try request.bytes32("ids.\(index)")) }
                return ok(["missing": .array(await node.missing(ids).map { .string($0.description) })])
            case "cut":
                let peer = try self.peer(request)
                await node.cut(peer)
                return ok(["cut": .string(peer)])
            case "restore":
                let peer = try self.peer(request)
                await node.restore(peer)
                return ok(["restored": .string(peer)])
            default:
                return failure("unknown op \"\(op)\" (status, mandates, resolutions, councils, act, draft, submit, has, missing, cut, restore)")
            }
        } catch {
            return failure(error.description)
        }
    }

    /// [OPS-14] The council whose link `cut` and `restore` name: another council of the roster.
    func peer(_ request: JSONDocument) throws(JSONParser.Failure) -> String {
        let peer = try request.identifier("peer")
        guard peer != node.council, node.roster.council(named: peer) != nil else {
            throw request.failure("peer", "\"\(peer)\" is not another council of the roster")
        }
        return peer
    }

    /// The act in a request: CLOSE needs only its resolution, the tally is computed by the node.
    func payload(_ request: JSONDocument) throws(JSONParser.Failure) -> Payload {
        if request.value("payload.act")?.stringValue == "CLOSE" {
            return .close(Close(resolution: try request.bytes32("payload.resolution"),
                                tally: Tally(outcome: .noQuorum, yes: 0, no: 0, abstain: 0, seatsVoted: 0)))
        }
        return try PayloadDocument.parse(request, at: "payload")
    }

    func ok(_ value: JSONValue) -> JSONValue {
        guard case .object(var fields) = value else { return ["ok": true, "result": value] }
        fields["ok"] = true
        return .object(fields)
    }

    func failure(_ message: String) -> JSONValue { ["ok": false, "error": .string(message)] }

    func serve(_ channel: LineDecoder.Channel) async {
        guard let remote = channel.channel.remoteAddress, Self.isLoopback(remote) else {
            // No address: the client closed before it was served (a port probe); nothing to refuse.
            if let remote = channel.channel.remoteAddress {
                logger.warning("operator connection from a non-loopback address refused", metadata: ["remote": "\(remote)"])
            }
            try? await channel.executeThenClose { _, _ in }  // not a bare close: NIO requires the writer finished
            return
        }
        do {
            try await channel.executeThenClose { inbound, outbound in
                for try await line in inbound {
                    let answer: JSONValue
                    do {
                        let request = try JSONDocument(text: line, file: "request")
                        guard case .object = request.root else { throw OperatorFault.notAnObject }
                        answer = await handle(request)
                    } catch {
                        answer = failure("bad request: \(error)")
                    }
                    try await outbound.write(ByteBuffer(string: answer.compact + "\n"))
                }
            }
        } catch {
            logger.debug("operator connection ended", metadata: ["error": "\(error)"])
        }
    }

    static func isLoopback(_ address: SocketAddress) -> Bool {
        switch address {
        case .v4(let v4): return v4.address.sin_addr.s_addr & 0xFF == 127
        case .v6: return address.ipAddress == "::1" || address.ipAddress?.hasPrefix("::ffff:127.") == true
        case .unixDomainSocket: return true
        }
    }
}

/// Newline-delimited lines of at most 4 MiB, as Strings made on the event loop: a slice of the
/// decoder's buffer handed to a task would share storage that the event loop goes on reusing.
struct LineDecoder: NIOSingleStepByteToMessageDecoder {
    typealias InboundOut = String
    static let maxLine = 4 << 20

    /// Both ends of the operator channel: lines in, bytes out.
    typealias Channel = NIOAsyncChannel<String, ByteBuffer>

    /// Sets up a connection's pipeline, client or server side.
    static func wrap(_ channel: any NIOCore.Channel) -> EventLoopFuture<Channel> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineDecoder()))
            return try Channel(wrappingChannelSynchronously: channel)
        }
    }

    /// How many readable bytes are known to hold no LF: each read is searched once, not the whole
    /// line again, so a 4 MiB line costs one pass ([OPS-4]).
    var searched = 0

    mutating func decode(buffer: inout ByteBuffer) throws -> String? {
        let unsearched = buffer.readableBytesView.dropFirst(searched)
        guard let newline = unsearched.firstIndex(of: UInt8(ascii: "\n")) else {
            searched = buffer.readableBytes
            if searched > Self.maxLine { throw OperatorFault.lineTooLong }
            return nil
        }
        searched = 0
        let line = buffer.readString(length: newline - buffer.readerIndex)
        buffer.moveReaderIndex(forwardBy: 1)
        return line
    }

    mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> String? { try decode(buffer: &buffer) }
}

enum OperatorFault: Error, CustomStringConvertible {
    case lineTooLong, notAnObject

    var description: String {
        switch self {
        case .lineTooLong: "a line longer than \(LineDecoder.maxLine) bytes"
        case .notAnObject: "the line is JSON but not an object, such as {\"op\": \"status\"}"
        }
    }
}
