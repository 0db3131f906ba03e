/// One frame of the link protocol (§4), decoded.
///
/// MESSAGE keeps the governance message as bytes: its ID and signature are defined over those
/// exact bytes, and decoding them is the core's job (a bad message is a REJECT, not a frame error).
public enum Frame: Hashable, Sendable {
    case hello(Hello)
    case welcome(Welcome)
    case auth(Auth)
    case error(ErrorNotice)
    case ping(UInt64)
    case pong(UInt64)
    case message([UInt8])
    case ack(Ack)
    case reject(Reject)
    case sync(SyncVector)
    case syncDone(UInt32)
    /// A type in the extension range (0x80–0xFF) that this version does not know ([FRAME-9]).
    case ignoredExtension(FrameType)

    /// The protocol versions this implementation speaks.
    public static let supportedVersions: ClosedRange<UInt8> = 1...1
    /// [FRAME-4] Version 1's header carries version 0x01.
    public static let version: UInt8 = 1

    public var type: FrameType {
        switch self {
        case .hello: .hello
        case .welcome: .welcome
        case .auth: .auth
        case .error: .error
        case .ping: .ping
        case .pong: .pong
        case .message: .message
        case .ack: .ack
        case .reject: .reject
        case .sync: .sync
        case .syncDone: .syncDone
        case .ignoredExtension(let type): type
        }
    }

    /// The frame's content: version, type, flags and body, without the length prefix (§4.2).
    public func content(version: UInt8 = Frame.version) -> [UInt8] {
        var writer = WireWriter(capacity: capacity)
        write(into: &writer, version: version)
        return writer.bytes
    }

    /// Room for the content without regrowing: a MESSAGE is its body and three bytes.
    var capacity: Int {
        if case .message(let bytes) = self { return bytes.count + 3 + FrameLength.prefixSize }
        return 64
    }

    func write(into writer: inout WireWriter, version: UInt8) {
        writer.u8(version)
        writer.u8(type.rawValue)
        writer.u8(0)
        switch self {
        case .hello(let body): body.encode(into: &writer)
        case .welcome(let body): body.encode(into: &writer)
        case .auth(let body): body.encode(into: &writer)
        case .error(let body): body.encode(into: &writer)
        case .ping(let nonce), .pong(let nonce): writer.u64(nonce)
        case .message(let bytes): writer.raw(bytes)
        case .ack(let body): body.encode(into: &writer)
        case .reject(let body): body.encode(into: &writer)
        case .sync(let body): body.encode(into: &writer)
        case .syncDone(let count): writer.u32(count)
        case .ignoredExtension: break
        }
    }

    /// The plaintext frame as it travels during the handshake: length prefix and content, in one buffer.
    public func encoded(version: UInt8 = Frame.version) -> [UInt8] {
        var writer = WireWriter(capacity: capacity)
        writer.u32(0)
        write(into: &writer, version: version)
        writer.patchU32(UInt32(writer.bytes.count - FrameLength.prefixSize), at: 0)
        return writer.bytes
    }

    /// Decodes a frame's content (version, type, flags, body), checking in the Spec's order
    /// (§4.5): version, type, flags, then the body.
    public init(content bytes: [UInt8], expectedVersion: UInt8 = Frame.version) throws(WireError) {
        var reader = WireReader(bytes, failure: .malformedFrame)
        guard bytes.count >= Limits.minPlaintextFrameLength else {
            throw WireError(.frameTooShort, "a frame has at least version, type and flags; got \(bytes.count) bytes")
        }
        let version = try reader.u8("version")
        guard version == expectedVersion else {
            throw WireError(.unsupportedVersion, "frame version \(version); this link speaks \(expectedVersion)")
        }
        let type = FrameType(rawValue: try reader.u8("type"))
        let flags = try reader.u8("flags")
        if type.isExtension {
            self = .ignoredExtension(type)
            return
        }
        guard Self.knownTypes.contains(type) else {
            throw WireError(.unknownFrameType, "frame type \(type) is not defined in version 1")
        }
        guard flags == 0 else {
            throw WireError(.reservedFlags, "flags 0x\(String(flags, radix: 16)) set on \(type); version 1 defines none")
        }
        switch type {
        case .hello: self = .hello(try Hello(from: &reader))
        case .welcome: self = .welcome(try Welcome(from: &reader))
        case .auth: self = .auth(try Auth(from: &reader))
        case .error: self = .error(try ErrorNotice(from: &reader))
        case .ping: self = .ping(try reader.u64("nonce"))
        case .pong: self = .pong(try reader.u64("nonce"))
        case .message:
            guard reader.remaining > 0 else { throw reader.fail("MESSAGE frame with an empty body") }
            self = .message(Array(try reader.raw(reader.remaining, "message")))
        case .ack: self = .ack(try Ack(from: &reader))
        case .reject: self = .reject(try Reject(from: &reader))
        case .sync: self = .sync(try SyncVector(from: &reader))
        default: self = .syncDone(try reader.u32("count"))
        }
        try reader.expectEnd("\(type) body")
    }

    static let knownTypes: Set<FrameType> = [
        .hello, .welcome, .auth, .error, .ping, .pong, .message, .ack, .reject, .sync, .syncDone,
    ]
}

extension Frame {
    /// Whether this frame is the answer, ACK or REJECT, to the MESSAGE with `id` ([ACK-1]).
    public func answers(_ id: MessageID) -> Bool {
        switch self {
        case .ack(let ack): ack.id == id
        case .reject(let reject): reject.id == id
        default: false
        }
    }
}
