/// Writes the Spec's primitive types (§5.2) in their one canonical form: big-endian integers,
/// length-prefixed identifiers and text.
///
/// Encoding values that the Spec forbids (an identifier of 65 bytes, say) is a programmer
/// error: the message types validate before they encode.
public struct WireWriter {
    public private(set) var bytes: [UInt8]

    public init(capacity: Int = 128) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public mutating func u8(_ value: UInt8) { bytes.append(value) }

    public mutating func u16(_ value: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    public mutating func u32(_ value: UInt32) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func u64(_ value: UInt64) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func bytes32(_ value: Bytes32) {
        value.append(to: &bytes)
    }

    /// Overwrites four bytes written earlier (a length prefix reserved before its content).
    public mutating func patchU32(_ value: UInt32, at offset: Int) {
        bytes.withUnsafeMutableBytes { $0.storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt32.self) }
    }

    public mutating func raw<C: Sequence>(_ value: C) where C.Element == UInt8 { bytes.append(contentsOf: value) }

    public mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    public mutating func identifier(_ value: String) {
        let utf8 = Array(value.utf8)
        precondition(Identifier.isValid(utf8[...]) && utf8.count <= Limits.maxIdentifierLength, "invalid identifier \(value)")
        u8(UInt8(utf8.count))
        raw(utf8)
    }

    public mutating func text(_ value: String, max: Int) {
        let utf8 = Array(value.utf8)
        precondition(utf8.count <= max, "text longer than \(max) bytes")
        u16(UInt16(utf8.count))
        raw(utf8)
    }
}
