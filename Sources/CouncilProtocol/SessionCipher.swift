import Crypto
import Foundation
import CouncilWire

/// The keys a completed handshake yields: one ChaCha20-Poly1305 key per direction (§7.5).
public struct SessionKeys: Sendable, Equatable {
    public let initiatorToResponder: Bytes32
    public let responderToInitiator: Bytes32
}

/// Seals and opens the frames of one direction of an authenticated link (§7.6).
///
/// [SEAL-1] The nonce is four zero bytes and a 64-bit big-endian counter that starts at 0 and rises
/// by one per frame, so a replayed, dropped or reordered frame fails to open.
public struct SessionCipher: Sendable {
    private let key: SymmetricKey
    public private(set) var counter: UInt64 = 0

    /// [SEAL-4] The link must close before the counter would wrap.
    public var isExhausted: Bool { counter == .max }

    public init(key: Bytes32) { self.key = SymmetricKey(data: key.bytes) }

    /// [SEAL-1] The nonce's twelve bytes, without allocating: three big-endian 32-bit words.
    private func withNonceBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        var words = (UInt32(0), UInt32(truncatingIfNeeded: counter >> 32).bigEndian, UInt32(truncatingIfNeeded: counter).bigEndian)
        return try withUnsafeBytes(of: &words, body)
    }

    /// [SEAL-2] The sealed frame: length prefix (ciphertext plus tag), ciphertext, tag; the prefix is
    /// the AEAD's associated data.
    public mutating func seal(content: [UInt8]) -> [UInt8] {
        var prefix = UInt32(content.count + Limits.aeadTagLength).bigEndian
        // Sealing with a valid key and a twelve-byte nonce cannot fail.
        let nonce = withNonceBytes { try! ChaChaPoly.Nonce(data: $0) }
        let box = withUnsafeBytes(of: &prefix) { try! ChaChaPoly.seal(content, using: key, nonce: nonce, authenticating: $0) }
        counter += 1
        // The box's combined form is nonce, ciphertext, tag: the frame is the prefix and all but the nonce.
        return box.combined.withUnsafeBytes { combined in
            var frame = [UInt8]()
            frame.reserveCapacity(4 + combined.count - 12)
            withUnsafeBytes(of: &prefix) { frame.append(contentsOf: $0) }
            frame.append(contentsOf: UnsafeRawBufferPointer(rebasing: combined[12...]))
            return frame
        }
    }

    /// Opens a sealed frame's body (everything after the prefix); DECRYPTION_FAILED if it does not verify.
    public mutating func open(sealed body: [UInt8]) throws(WireError) -> [UInt8] {
        guard !isExhausted else { throw WireError(.decryptionFailed, "the nonce counter is exhausted") }
        guard body.count >= Limits.minSealedFrameLength else {
            throw WireError(.frameTooShort, "sealed frame of \(body.count) bytes")
        }
        var prefix = UInt32(body.count).bigEndian
        // The box in its combined form (nonce, ciphertext, tag), built in one buffer.
        var combined = Data(capacity: 12 + body.count)
        withNonceBytes { combined.append(contentsOf: $0) }
        combined.append(contentsOf: body)
        do {
            let box = try ChaChaPoly.SealedBox(combined: combined)
            let content = try withUnsafeBytes(of: &prefix) { try ChaChaPoly.open(box, using: key, authenticating: $0) }
            counter += 1
            return [UInt8](content)
        } catch {
            throw WireError(.decryptionFailed, "sealed frame \(counter) does not authenticate")
        }
    }
}
