/// The act a governance message carries (§6), one case per `MessageKind`.
public enum Payload: Hashable, Sendable {
    case mandate(Mandate)
    case recall(Recall)
    case proposal(Proposal)
    case vote(Vote)
    case close(Close)
    case replacement(Replacement)
    case dissolution(Dissolution)

    public var kind: MessageKind {
        switch self {
        case .mandate: .mandate
        case .recall: .recall
        case .proposal: .proposal
        case .vote: .vote
        case .close: .close
        case .replacement: .replacement
        case .dissolution: .dissolution
        }
    }

    func encode(into writer: inout WireWriter) {
        switch self {
        case .mandate(let act): act.encode(into: &writer)
        case .recall(let act): act.encode(into: &writer)
        case .proposal(let act): act.encode(into: &writer)
        case .vote(let act): act.encode(into: &writer)
        case .close(let act): act.encode(into: &writer)
        case .replacement(let act): act.encode(into: &writer)
        case .dissolution(let act): act.encode(into: &writer)
        }
    }

    init(kind: MessageKind, from reader: inout WireReader) throws(WireError) {
        switch kind {
        case .mandate: self = .mandate(try Mandate(from: &reader))
        case .recall: self = .recall(try Recall(from: &reader))
        case .proposal: self = .proposal(try Proposal(from: &reader))
        case .vote: self = .vote(try Vote(from: &reader))
        case .close: self = .close(try Close(from: &reader))
        case .replacement: self = .replacement(try Replacement(from: &reader))
        case .dissolution: self = .dissolution(try Dissolution(from: &reader))
        }
    }
}

/// A signed governance message (§5.3): who wrote it, where it sits in its author's chain, what it
/// had seen, the act, and the author's signature.
///
/// `encoded` is the one canonical byte string; the message ID and the signature are defined over it.
public struct GovernanceMessage: Hashable, Sendable {
    public var author: PublicKey
    /// [MSG-2] 1 for an author's first message, then one more for each.
    public var sequence: UInt64
    /// Milliseconds since the Unix epoch, as the author declares it.
    public var timestamp: UInt64
    /// [MSG-3] The author's previous message, or zero for sequence 1.
    public var prev: MessageID
    /// [MSG-5] Other messages the author had seen: strictly ascending, never `prev`, never zero.
    public var refs: [MessageID]
    public var payload: Payload
    public var signature: Signature

    public var kind: MessageKind { payload.kind }

    public init(
        author: PublicKey, sequence: UInt64, timestamp: UInt64, prev: MessageID, refs: [MessageID], payload: Payload,
        signature: Signature = .zero
    ) {
        self.author = author
        self.sequence = sequence
        self.timestamp = timestamp
        self.prev = prev
        self.refs = refs
        self.payload = payload
        self.signature = signature
    }

    /// Everything but the signature: what the signing input wraps (§5.4).
    public var unsignedBytes: [UInt8] {
        var writer = WireWriter(capacity: 256)
        writeUnsigned(into: &writer)
        return writer.bytes
    }

    func writeUnsigned(into writer: inout WireWriter) {
        writer.u8(kind.rawValue)
        writer.bytes32(author)
        writer.u64(sequence)
        writer.u64(timestamp)
        writer.bytes32(prev)
        writer.u8(UInt8(refs.count))
        for ref in refs { writer.bytes32(ref) }
        payload.encode(into: &writer)
    }

    /// The canonical bytes, signature last, written once into one buffer.
    public var encoded: [UInt8] {
        var writer = WireWriter(capacity: 512)
        writeUnsigned(into: &writer)
        writer.signature(signature)
        return writer.bytes
    }

    /// [SIG-1] The domain-separation prefix of the signing input: ASCII `COUNCIL/1 MESSAGE` and a zero byte.
    public static let signingDomain: [UInt8] = Array("COUNCIL/1 MESSAGE".utf8) + [0]

    /// [SIG-2] What the author signs: the domain, the federation's roster hash, the unsigned bytes.
    public func signingInput(rosterHash: Bytes32) -> [UInt8] {
        var writer = WireWriter(capacity: 512)
        writer.raw(Self.signingDomain)
        writer.bytes32(rosterHash)
        writeUnsigned(into: &writer)
        return writer.bytes
    }

    /// The signature-less prefix's length in `encoded`, so verifiers can sign over a slice.
    public static let signatureLength = 64

    /// Decodes the canonical form and nothing else (§5.3); every fault is MALFORMED_MESSAGE.
    public init(decoding bytes: [UInt8]) throws(WireError) {
        var reader = WireReader(bytes, failure: .malformedMessage)
        guard bytes.count > Self.signatureLength else {
            throw reader.fail("a message is longer than its 64-byte signature; got \(bytes.count) bytes")
        }
        let kind = try reader.enumeration(MessageKind.self, "kind")
        author = try reader.bytes32("author")
        sequence = try reader.u64("sequence")
        guard sequence >= 1 else { throw reader.fail("sequence 0; sequences start at 1") }
        timestamp = try reader.u64("timestamp")
        prev = try reader.bytes32("prev")
        guard (sequence == 1) == prev.isZero else {
            throw reader.fail(sequence == 1 ? "sequence 1 with a non-zero prev" : "sequence \(sequence) with a zero prev")
        }
        let refCount = Int(try reader.u8("ref count"))
        guard refCount <= Limits.maxRefs else { throw reader.fail("\(refCount) refs; at most \(Limits.maxRefs)") }
        var refs = [MessageID]()
        refs.reserveCapacity(refCount)
        for _ in 0..<refCount {
            let ref = try reader.bytes32("ref")
            guard !ref.isZero else { throw reader.fail("a zero ref") }
            guard ref != prev else { throw reader.fail("a ref repeats prev") }
            if let last = refs.last, !(last < ref) { throw reader.fail("refs are not in strictly ascending order") }
            refs.append(ref)
        }
        self.refs = refs
        var payloadReader = WireReader(bytes, from: reader.position, to: bytes.count - Self.signatureLength, failure: .malformedMessage)
        payload = try Payload(kind: kind, from: &payloadReader)
        try payloadReader.expectEnd("\(kind) payload")
        reader = WireReader(bytes, from: bytes.count - Self.signatureLength, failure: .malformedMessage)
        signature = try reader.signature("signature")
    }
}
