/// The type byte of a frame header (§4.3). Types 0x80–0xFF belong to extensions and are
/// ignored by peers that do not know them ([FRAME-9]).
public struct FrameType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let hello = FrameType(rawValue: 0x01)
    public static let welcome = FrameType(rawValue: 0x02)
    public static let auth = FrameType(rawValue: 0x03)
    public static let error = FrameType(rawValue: 0x04)
    public static let ping = FrameType(rawValue: 0x10)
    public static let pong = FrameType(rawValue: 0x11)
    public static let message = FrameType(rawValue: 0x20)
    public static let ack = FrameType(rawValue: 0x21)
    public static let reject = FrameType(rawValue: 0x22)
    public static let sync = FrameType(rawValue: 0x30)
    public static let syncDone = FrameType(rawValue: 0x31)

    /// The first type that extensions may use.
    public static let firstExtension: UInt8 = 0x80

    public var isExtension: Bool { rawValue >= Self.firstExtension }

    public var description: String {
        switch self {
        case .hello: "HELLO"
        case .welcome: "WELCOME"
        case .auth: "AUTH"
        case .error: "ERROR"
        case .ping: "PING"
        case .pong: "PONG"
        case .message: "MESSAGE"
        case .ack: "ACK"
        case .reject: "REJECT"
        case .sync: "SYNC"
        case .syncDone: "SYNC_DONE"
        default: "TYPE_0x" + String(rawValue, radix: 16, uppercase: true)
        }
    }
}
