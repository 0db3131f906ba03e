import CouncilWire

/// A governance message together with its canonical bytes and its ID (§5.5): decoded once at the
/// edge and then passed around without re-encoding.
public struct SignedMessage: Hashable, Sendable {
    public let message: GovernanceMessage
    public let bytes: [UInt8]
    /// [ID-1] SHA-256 of the canonical bytes, signature included.
    public let id: MessageID

    /// Decodes bytes from the network; a fault is MALFORMED_MESSAGE. The signature is not checked here.
    public init(bytes: [UInt8]) throws(WireError) {
        message = try GovernanceMessage(decoding: bytes)
        self.bytes = bytes
        id = Hashing.sha256(bytes)
    }

    /// Signs a message built locally.
    public init(signing message: GovernanceMessage, with key: SigningKey, rosterHash: Bytes32) {
        precondition(message.author == key.publicKey, "the author field must be the signing key")
        var signed = message
        signed.signature = key.sign(message.signingInput(rosterHash: rosterHash))
        self.message = signed
        bytes = signed.encoded
        id = Hashing.sha256(bytes)
    }

    /// A message decoded and accepted before, with its ID: encoding gives back the bytes it was
    /// decoded from, since only the canonical form decodes ([ENC-1]).
    init(canonical message: GovernanceMessage, id: MessageID) {
        self.message = message
        bytes = message.encoded
        self.id = id
    }

    public var author: PublicKey { message.author }
    public var sequence: UInt64 { message.sequence }
    public var kind: MessageKind { message.kind }

    /// [SIG-3] Whether the signature verifies under the author key for this federation.
    public func hasValidSignature(rosterHash: Bytes32) -> Bool {
        var input = GovernanceMessage.signingDomain
        input.reserveCapacity(input.count + 32 + bytes.count)
        input.append(contentsOf: rosterHash.bytes)
        input.append(contentsOf: bytes[0..<(bytes.count - GovernanceMessage.signatureLength)])
        return SignatureCheck.verify(message.signature, of: input, by: message.author)
    }
}

extension Roster {
    /// [ROSTER-2] The federation's identity: SHA-256 of the roster's canonical encoding.
    public var hash: Bytes32 { Hashing.sha256(encoded) }
}
