/// A value with one canonical encoding (§5.1): `encode` writes it, `init(from:)` reads it and
/// refuses every other byte string.
public protocol WireCodable: Hashable, Sendable {
    func encode(into writer: inout WireWriter)
    init(from reader: inout WireReader) throws(WireError)
}

extension WireCodable {
    /// The canonical bytes on their own.
    public var encoded: [UInt8] {
        var writer = WireWriter()
        encode(into: &writer)
        return writer.bytes
    }

    /// Decodes a whole byte string: trailing bytes are not canonical ([ENC-7]).
    public init(decoding bytes: [UInt8], failure: ErrorCode) throws(WireError) {
        var reader = WireReader(bytes, failure: failure)
        try self.init(from: &reader)
        try reader.expectEnd(String(describing: Self.self))
    }
}
