/// The 4-byte big-endian length prefix in front of every frame (§4.1).
public enum FrameLength {
    public static let prefixSize = 4

    /// [FRAME-2][FRAME-3] Checks a declared length before a single byte of the body is buffered.
    /// `sealed` frames (after the handshake) must also hold the AEAD tag.
    public static func check(_ declared: UInt32, sealed: Bool) throws(WireError) -> Int {
        let length = Int(declared)
        guard length <= Limits.maxFrameLength else {
            throw WireError(.frameTooLarge, "declared length \(length) exceeds the limit of \(Limits.maxFrameLength)")
        }
        let minimum = sealed ? Limits.minSealedFrameLength : Limits.minPlaintextFrameLength
        guard length >= minimum else {
            throw WireError(.frameTooShort, "declared length \(length) is below the minimum of \(minimum)")
        }
        return length
    }

    /// Reads the prefix from the first four bytes, or nil if fewer have arrived.
    public static func peek<C: Collection>(_ bytes: C) -> UInt32? where C.Element == UInt8 {
        guard bytes.count >= prefixSize else { return nil }
        return bytes.prefix(prefixSize).reduce(0) { $0 << 8 | UInt32($1) }
    }

    public static func prefixed(_ content: [UInt8]) -> [UInt8] {
        var writer = WireWriter(capacity: content.count + prefixSize)
        writer.u32(UInt32(content.count))
        writer.raw(content)
        return writer.bytes
    }
}

/// Splits a byte stream into frame contents, for plaintext streams (the handshake, the test
/// vectors and the fuzzer). The daemon does the same on ByteBuffers.
///
/// A short read leaves the buffer untouched; a bad length throws before anything is buffered.
public struct FrameSplitter {
    public private(set) var buffer: [UInt8] = []
    public var sealed: Bool

    public init(sealed: Bool = false) { self.sealed = sealed }

    public mutating func append<C: Sequence>(_ bytes: C) where C.Element == UInt8 { buffer.append(contentsOf: bytes) }

    /// The next frame's content (without its length prefix), or nil until it has fully arrived.
    public mutating func next() throws(WireError) -> [UInt8]? {
        guard let declared = FrameLength.peek(buffer) else { return nil }
        let length = try FrameLength.check(declared, sealed: sealed)
        guard buffer.count >= FrameLength.prefixSize + length else { return nil }
        let content = Array(buffer[FrameLength.prefixSize..<FrameLength.prefixSize + length])
        buffer.removeFirst(FrameLength.prefixSize + length)
        return content
    }
}
