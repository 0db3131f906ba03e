import Crypto
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

    private func nonce() -> ChaChaPoly.Nonce {
        var writer = WireWriter(capacity: 12)
        writer.u32(0)
        writer.u64(counter)
        // Twelve bytes is always a valid ChaCha20-Poly1305 nonce.
        return try! ChaChaPoly.Nonce(data: writer.bytes)
    }

    /// [SEAL-2] The sealed frame: length prefix (ciphertext plus tag), ciphertext, tag; the prefix is
    /// the AEAD's associated data.
    public mutating func seal(content: [UInt8]) -> [UInt8] {
        let length = UInt32(content.count + Limits.aeadTagLength)
        var prefix = WireWriter(capacity: content.count + 20)
        prefix.u32(length)
        // Sealing with a valid key and nonce cannot fail.
        let box = try! ChaChaPoly.seal(content, using: key, nonce: nonce(), authenticating: prefix.bytes)
        counter += 1
        prefix.raw(box.ciphertext)
        prefix.raw(box.tag)
        return prefix.bytes
    }

    /// Opens a sealed frame's body (everything after the prefix); DECRYPTION_FAILED if it does not verify.
    public mutating func open(sealed body: [UInt8]) throws(WireError) -> [UInt8] {
        guard !isExhausted else { throw WireError(.decryptionFailed, "the nonce counter is exhausted") }
        guard body.count >= Limits.minSealedFrameLength else {
            throw WireError(.frameTooShort, "sealed frame of \(body.count) bytes")
        }
        var prefix = WireWriter(capacity: 4)
        prefix.u32(UInt32(body.count))
        let split = body.count - Limits.aeadTagLength
        do {
            let box = try ChaChaPoly.SealedBox(nonce: nonce(), ciphertext: body[0..<split], tag: body[split...])
            let content = try ChaChaPoly.open(box, using: key, authenticating: prefix.bytes)
            counter += 1
            return Array(content)
        } catch {
            throw WireError(.decryptionFailed, "sealed frame \(counter) does not authenticate")
        }
    }
}
