/// Thirty-two opaque bytes: a message ID, a roster hash, an Ed25519 public key or an X25519 share.
///
/// Held as four big-endian words so that equality, hashing and the byte-wise ordering that
/// the Spec uses for sorted lists (§5.3) are cheap and allocation-free.
public struct Bytes32: Hashable, Comparable, Sendable {
    public var w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

    public static let zero = Bytes32(w0: 0, w1: 0, w2: 0, w3: 0)

    public init(w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64) {
        (self.w0, self.w1, self.w2, self.w3) = (w0, w1, w2, w3)
    }

    /// Builds the value from exactly 32 bytes; any other count is a programmer error.
    public init<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        precondition(bytes.count == 32, "Bytes32 needs exactly 32 bytes")
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var index = 0
        for byte in bytes {
            let shifted = UInt64(byte) << UInt64(56 - 8 * (index % 8))
            switch index / 8 {
            case 0: words.0 |= shifted
            case 1: words.1 |= shifted
            case 2: words.2 |= shifted
            default: words.3 |= shifted
            }
            index += 1
        }
        self.init(w0: words.0, w1: words.1, w2: words.2, w3: words.3)
    }

    /// Reads 32 bytes, big-endian words, from raw memory of at least 32 bytes starting at `offset`.
    public init(loading raw: UnsafeRawBufferPointer, at offset: Int = 0) {
        precondition(offset >= 0 && raw.count - offset >= 32, "Bytes32 needs 32 bytes")
        self.init(w0: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)),
                  w1: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self)),
                  w2: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self)),
                  w3: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self)))
    }

    public var bytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(32)
        append(to: &out)
        return out
    }

    /// Appends the 32 bytes without building an intermediate array.
    public func append(to out: inout [UInt8]) {
        withUnsafeBytes(of: (w0.bigEndian, w1.bigEndian, w2.bigEndian, w3.bigEndian)) { out.append(contentsOf: $0) }
    }

    public var isZero: Bool { self == .zero }

    public static func < (lhs: Bytes32, rhs: Bytes32) -> Bool {
        (lhs.w0, lhs.w1, lhs.w2, lhs.w3) < (rhs.w0, rhs.w1, rhs.w2, rhs.w3)
    }
}

extension Bytes32: CustomStringConvertible {
    /// Lower-case hex, as the Spec writes keys and IDs.
    public var description: String { Hex.encode(bytes) }

    /// The first eight hex digits: enough for logs and transcripts.
    public var short: String { String(description.prefix(8)) }

    public init?(hex: String) {
        guard let bytes = Hex.decode(hex), bytes.count == 32 else { return nil }
        self.init(bytes)
    }
}

public typealias MessageID = Bytes32
public typealias PublicKey = Bytes32
