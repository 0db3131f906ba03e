/// Reads the Spec's primitive types (§5.2) from a byte array, strictly: every read checks the
/// bytes that remain first, and every failure is a `WireError` with the code the caller names.
///
/// The reader never traps on any input: lengths are compared against what remains before any
/// slice is taken, and arithmetic is done in `Int` from at most 32-bit values.
public struct WireReader {
    public let bytes: [UInt8]
    public private(set) var position: Int
    public let end: Int
    /// The code every failure carries: MALFORMED_FRAME for frames, MALFORMED_MESSAGE for messages.
    public let failure: ErrorCode

    public init(_ bytes: [UInt8], from start: Int = 0, to end: Int? = nil, failure: ErrorCode) {
        self.bytes = bytes
        self.position = start
        self.end = end ?? bytes.count
        self.failure = failure
    }

    public var remaining: Int { end - position }

    public func fail(_ detail: String) -> WireError { WireError(failure, detail) }

    private mutating func take(_ count: Int, _ what: @autoclosure () -> String) throws(WireError) -> Int {
        guard count <= remaining else {
            throw fail("truncated \(what()): needs \(count) bytes at offset \(position), \(remaining) remain")
        }
        let start = position
        position += count
        return start
    }

    public mutating func u8(_ what: @autoclosure () -> String) throws(WireError) -> UInt8 {
        bytes[try take(1, what())]
    }

    public mutating func u16(_ what: @autoclosure () -> String) throws(WireError) -> UInt16 {
        let at = try take(2, what())
        return UInt16(bytes[at]) << 8 | UInt16(bytes[at + 1])
    }

    public mutating func u32(_ what: @autoclosure () -> String) throws(WireError) -> UInt32 {
        let at = try take(4, what())
        return bytes.withUnsafeBytes { UInt32(bigEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
    }

    public mutating func u64(_ what: @autoclosure () -> String) throws(WireError) -> UInt64 {
        let at = try take(8, what())
        return bytes.withUnsafeBytes { UInt64(bigEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
    }

    public mutating func bytes32(_ what: @autoclosure () -> String) throws(WireError) -> Bytes32 {
        let at = try take(32, what())
        return bytes.withUnsafeBytes { Bytes32(loading: $0, at: at) }
    }

    public mutating func raw(_ count: Int, _ what: @autoclosure () -> String) throws(WireError) -> ArraySlice<UInt8> {
        let at = try take(count, what())
        return bytes[at..<at + count]
    }

    /// [ENC-4] A boolean is one byte, 0x00 or 0x01; any other value is not canonical.
    public mutating func bool(_ what: @autoclosure () -> String) throws(WireError) -> Bool {
        switch try u8(what()) {
        case 0: return false
        case 1: return true
        case let other: throw fail("\(what()) is a boolean but holds \(other)")
        }
    }

    /// [ENC-5] An identifier: a u8 length of 1–64, then that many bytes of `[a-z0-9-]`, first not `-`.
    public mutating func identifier(_ what: @autoclosure () -> String) throws(WireError) -> String {
        let length = Int(try u8("\(what()) length"))
        guard length >= 1, length <= Limits.maxIdentifierLength else {
            throw fail("\(what()) has length \(length); identifiers are 1 to \(Limits.maxIdentifierLength) bytes")
        }
        let slice = try raw(length, what())
        guard Identifier.isValid(slice) else {
            throw fail("\(what()) has a byte outside [a-z0-9-] or starts with '-'")
        }
        return String(decoding: slice, as: UTF8.self)
    }

    /// [ENC-6] Text: a u16 length no greater than the field's maximum, then that many bytes of valid UTF-8.
    public mutating func text(_ what: @autoclosure () -> String, max: Int) throws(WireError) -> String {
        let length = Int(try u16("\(what()) length"))
        guard length <= max else { throw fail("\(what()) has \(length) bytes; at most \(max) are allowed") }
        let slice = try raw(length, what())
        guard let text = String(validating: slice, as: UTF8.self) else {
            throw fail("\(what()) is not valid UTF-8")
        }
        return text
    }

    /// [ENC-7] The body ends exactly at the frame's end: trailing bytes are not canonical.
    public func expectEnd(_ what: @autoclosure () -> String) throws(WireError) {
        guard remaining == 0 else { throw fail("\(remaining) trailing bytes after \(what())") }
    }
}
