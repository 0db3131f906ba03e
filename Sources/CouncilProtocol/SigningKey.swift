import Crypto
import Foundation
import CouncilWire

/// An Ed25519 private key (RFC 8032) of a council, its electors or a delegate.
///
/// Ed25519 signing is deterministic, which is what makes the Spec's test vectors reproducible.
public struct SigningKey: Sendable {
    let key: Curve25519.Signing.PrivateKey
    public let publicKey: PublicKey

    /// The 32-byte seed the Spec's key files and test keys hold (RFC 8032 §5.1.5).
    public init(seed: Bytes32) {
        // A 32-byte seed is always a valid Ed25519 private key, so this cannot throw.
        key = try! Curve25519.Signing.PrivateKey(rawRepresentation: seed.bytes)
        publicKey = PublicKey(key.publicKey.rawRepresentation)
    }

    /// A fresh random key, for `council keygen` and `council up`.
    public static func generate() -> SigningKey {
        SigningKey(seed: Bytes32(Curve25519.Signing.PrivateKey().rawRepresentation))
    }

    public var seed: Bytes32 { Bytes32(key.rawRepresentation) }

    public func sign<D: DataProtocol>(_ input: D) -> Signature {
        // BoringSSL's Ed25519 signing cannot fail for a valid key.
        Signature(Array(try! key.signature(for: input)))
    }
}

/// Ed25519 verification ([SIG-3]): the signature must verify under the key, and BoringSSL also
/// refuses non-canonical S values, so a signature has one accepted encoding.
public enum SignatureCheck {
    public static func verify<D: DataProtocol>(_ signature: Signature, of input: D, by key: PublicKey) -> Bool {
        guard let publicKey = try? Curve25519.Signing.PublicKey(rawRepresentation: key.bytes) else { return false }
        return publicKey.isValidSignature(signature.bytes, for: input)
    }
}

/// SHA-256, the protocol's one hash (§5.5).
public enum Hashing {
    public static func sha256<D: DataProtocol>(_ bytes: D) -> Bytes32 {
        SHA256.hash(data: bytes).withUnsafeBytes { Bytes32(loading: $0) }
    }
}
