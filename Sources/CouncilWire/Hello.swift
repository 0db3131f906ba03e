/// HELLO, the initiator's first handshake frame (§7.2): which versions it speaks, which
/// federation it belongs to, who it claims to be, and its ephemeral X25519 share.
public struct Hello: WireCodable {
    public var minVersion: UInt8
    public var maxVersion: UInt8
    public var rosterHash: Bytes32
    public var council: String
    public var ephemeral: Bytes32

    public init(minVersion: UInt8 = 1, maxVersion: UInt8 = 1, rosterHash: Bytes32, council: String, ephemeral: Bytes32) {
        self.minVersion = minVersion
        self.maxVersion = maxVersion
        self.rosterHash = rosterHash
        self.council = council
        self.ephemeral = ephemeral
    }

    public func encode(into writer: inout WireWriter) {
        writer.u8(minVersion)
        writer.u8(maxVersion)
        writer.bytes32(rosterHash)
        writer.identifier(council)
        writer.bytes32(ephemeral)
    }

    public init(from reader: inout WireReader) throws(WireError) {
        minVersion = try reader.u8("min_version")
        maxVersion = try reader.u8("max_version")
        guard minVersion >= 1, minVersion <= maxVersion else {
            throw reader.fail("version range \(minVersion)–\(maxVersion) is empty or starts at 0")
        }
        rosterHash = try reader.bytes32("roster_hash")
        council = try reader.identifier("council")
        ephemeral = try reader.bytes32("ephemeral")
    }
}

/// WELCOME, the responder's answer (§7.3): the chosen version, its own identity and share, and
/// its council key's signature over the transcript so far.
public struct Welcome: WireCodable {
    public var version: UInt8
    public var rosterHash: Bytes32
    public var council: String
    public var ephemeral: Bytes32
    public var signature: Signature

    public init(version: UInt8 = 1, rosterHash: Bytes32, council: String, ephemeral: Bytes32, signature: Signature) {
        self.version = version
        self.rosterHash = rosterHash
        self.council = council
        self.ephemeral = ephemeral
        self.signature = signature
    }

    public func encode(into writer: inout WireWriter) {
        writer.u8(version)
        writer.bytes32(rosterHash)
        writer.identifier(council)
        writer.bytes32(ephemeral)
        writer.signature(signature)
    }

    public init(from reader: inout WireReader) throws(WireError) {
        version = try reader.u8("version")
        rosterHash = try reader.bytes32("roster_hash")
        council = try reader.identifier("council")
        ephemeral = try reader.bytes32("ephemeral")
        signature = try reader.signature("signature")
    }
}

/// AUTH, the initiator's proof of its council key (§7.4).
public struct Auth: WireCodable {
    public var signature: Signature

    public init(signature: Signature) { self.signature = signature }

    public func encode(into writer: inout WireWriter) { writer.signature(signature) }

    public init(from reader: inout WireReader) throws(WireError) {
        signature = try reader.signature("signature")
    }
}
