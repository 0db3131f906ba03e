/// A 64-byte Ed25519 signature (RFC 8032), carried as R ‖ S.
public struct Signature: Hashable, Sendable {
    public var r: Bytes32
    public var s: Bytes32

    public init(r: Bytes32, s: Bytes32) {
        self.r = r
        self.s = s
    }

    /// Builds the signature from exactly 64 bytes; any other count is a programmer error.
    public init<C: Collection>(_ bytes: C) where C.Element == UInt8, C.Index == Int {
        precondition(bytes.count == 64, "a signature is 64 bytes")
        let start = bytes.startIndex
        self.init(r: Bytes32(bytes[start..<start + 32]), s: Bytes32(bytes[start + 32..<start + 64]))
    }

    public var bytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(64)
        r.append(to: &out)
        s.append(to: &out)
        return out
    }

    public static let zero = Signature(r: .zero, s: .zero)
}

extension WireReader {
    public mutating func signature(_ what: @autoclosure () -> String) throws(WireError) -> Signature {
        Signature(r: try bytes32("\(what()) R"), s: try bytes32("\(what()) S"))
    }
}

extension WireWriter {
    public mutating func signature(_ value: Signature) {
        bytes32(value.r)
        bytes32(value.s)
    }
}
