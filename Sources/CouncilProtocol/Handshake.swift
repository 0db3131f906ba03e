import Crypto
import CouncilWire

/// The handshake's fixed strings and transcript (§7): both sides compute the same hashes over the
/// exact frame bytes, so neither can be talked into a different conversation than the other had.
public enum HandshakeTranscript {
    /// [HS-6] Domain prefixes of the two handshake signatures and of the key derivation.
    public static let welcomeDomain: [UInt8] = Array("COUNCIL/1 WELCOME".utf8) + [0]
    public static let authDomain: [UInt8] = Array("COUNCIL/1 AUTH".utf8) + [0]
    public static let keyInfo: [UInt8] = Array("COUNCIL/1 SESSION".utf8)

    /// T1 = SHA-256(HELLO frame ‖ WELCOME frame without its signature).
    public static func t1(hello: [UInt8], welcomeUnsigned: [UInt8]) -> Bytes32 { Hashing.sha256(hello + welcomeUnsigned) }
    /// T2 = SHA-256(T1 ‖ WELCOME signature).
    public static func t2(t1: Bytes32, welcomeSignature: Signature) -> Bytes32 { Hashing.sha256(t1.bytes + welcomeSignature.bytes) }
    /// T3 = SHA-256(T2 ‖ AUTH signature), the key derivation's salt.
    public static func t3(t2: Bytes32, authSignature: Signature) -> Bytes32 { Hashing.sha256(t2.bytes + authSignature.bytes) }

    /// [HS-8] HKDF-SHA256 over the X25519 shared secret; the first 32 bytes key initiator→responder.
    public static func sessionKeys(
        ephemeral: Curve25519.KeyAgreement.PrivateKey, peerShare: Bytes32, t3: Bytes32
    ) throws(WireError) -> SessionKeys {
        let secret: SharedSecret
        do {
            let peer = try Curve25519.KeyAgreement.PublicKey(rawRepresentation: peerShare.bytes)
            secret = try ephemeral.sharedSecretFromKeyAgreement(with: peer)
        } catch {
            throw WireError(.authenticationFailed, "the peer's X25519 share gives no usable secret")
        }
        // swift-crypto does not refuse the all-zero secret of a low-order share; [HS-8] does.
        guard secret.withUnsafeBytes({ bytes in bytes.contains { $0 != 0 } }) else {
            throw WireError(.authenticationFailed, "the peer's X25519 share gives the all-zero secret")
        }
        let okm = secret.hkdfDerivedSymmetricKey(using: SHA256.self, salt: t3.bytes, sharedInfo: keyInfo, outputByteCount: 64)
        let bytes = okm.withUnsafeBytes { Array($0) }
        return SessionKeys(initiatorToResponder: Bytes32(bytes[0..<32]), responderToInitiator: Bytes32(bytes[32..<64]))
    }

    /// The WELCOME frame's bytes without the trailing signature, as T1 covers them.
    static func unsignedWelcome(_ frame: [UInt8]) -> [UInt8] { Array(frame.dropLast(64)) }
}

/// Who this node is in a handshake and whom it will talk to.
public struct HandshakeIdentity: Sendable {
    public let council: String
    public let key: SigningKey
    public let rosterHash: Bytes32
    /// The key each council currently authenticates with (§7.7): the roster's, or a REPLACE's.
    public let keyOf: @Sendable (String) -> PublicKey?

    public init(council: String, key: SigningKey, rosterHash: Bytes32, keyOf: @escaping @Sendable (String) -> PublicKey?) {
        self.council = council
        self.key = key
        self.rosterHash = rosterHash
        self.keyOf = keyOf
    }

    /// [HS-4][HS-5] The checks both sides make on the peer's claimed identity.
    func checkPeer(council peer: String, rosterHash peerHash: Bytes32) throws(WireError) -> PublicKey {
        guard peerHash == rosterHash else {
            throw WireError(.wrongFederation, "peer's roster hash \(peerHash.short) is not ours (\(rosterHash.short))")
        }
        guard peer != council else { throw WireError(.selfLink, "peer claims to be \(peer), which is this council") }
        guard let key = keyOf(peer) else { throw WireError(.unknownCouncil, "council \(peer) is not in the roster") }
        return key
    }
}

/// What a handshake step asks its shell to do.
public enum HandshakeAction: Sendable, Equatable {
    /// Write these bytes (a plaintext frame) and keep reading.
    case send([UInt8])
    /// Write these bytes (may be empty), then switch the link to sealed frames with these ciphers.
    case established(peer: String, send: [UInt8], outbound: SessionKeys, asInitiator: Bool)
}

/// The initiator's side (§7.2–§7.4): HELLO out, WELCOME in, AUTH out.
public struct HandshakeInitiator: Sendable {
    private enum State: Equatable {
        case idle
        case sentHello(hello: [UInt8])
        case done
    }

    private var state = State.idle
    private let identity: HandshakeIdentity
    private let ephemeral: Curve25519.KeyAgreement.PrivateKey

    /// `ephemeral` is an input so that tests and vectors are reproducible; the daemon passes a fresh one.
    public init(identity: HandshakeIdentity, ephemeral: Curve25519.KeyAgreement.PrivateKey = .init()) {
        self.identity = identity
        self.ephemeral = ephemeral
    }

    public mutating func start() -> [UInt8] {
        precondition(state == .idle, "start once")
        let hello = Frame.hello(Hello(rosterHash: identity.rosterHash, council: identity.council,
                                      ephemeral: Bytes32(ephemeral.publicKey.rawRepresentation))).encoded()
        state = .sentHello(hello: hello)
        return hello
    }

    /// Takes the next frame's content (without its length prefix).
    public mutating func receive(content: [UInt8]) throws(WireError) -> HandshakeAction {
        guard case .sentHello(let hello) = state else { throw WireError(.unexpectedFrame, "handshake already complete") }
        let frame = try Frame(content: content)
        switch frame {
        case .welcome(let welcome):
            guard Frame.supportedVersions.contains(welcome.version) else {
                throw WireError(.unsupportedVersion, "responder chose version \(welcome.version)")
            }
            let peerKey = try identity.checkPeer(council: welcome.council, rosterHash: welcome.rosterHash)
            let welcomeFrame = FrameLength.prefixed(content)
            let t1 = HandshakeTranscript.t1(hello: hello, welcomeUnsigned: HandshakeTranscript.unsignedWelcome(welcomeFrame))
            guard SignatureCheck.verify(welcome.signature, of: HandshakeTranscript.welcomeDomain + t1.bytes, by: peerKey) else {
                throw WireError(.authenticationFailed, "WELCOME signature does not verify under \(welcome.council)'s key")
            }
            let t2 = HandshakeTranscript.t2(t1: t1, welcomeSignature: welcome.signature)
            let signature = identity.key.sign(HandshakeTranscript.authDomain + t2.bytes)
            let t3 = HandshakeTranscript.t3(t2: t2, authSignature: signature)
            let keys = try HandshakeTranscript.sessionKeys(ephemeral: ephemeral, peerShare: welcome.ephemeral, t3: t3)
            state = .done
            return .established(peer: welcome.council, send: Frame.auth(Auth(signature: signature)).encoded(),
                                outbound: keys, asInitiator: true)
        case .error(let notice):
            throw WireError(.normalClose, "peer refused the handshake: \(notice.code.name) \(ErrorNotice.truncated(notice.detail, to: 200))")
        default:
            throw WireError(.unexpectedFrame, "\(frame.type) during the handshake; expected WELCOME")
        }
    }
}

/// The responder's side (§7.3–§7.4): HELLO in, WELCOME out, AUTH in.
public struct HandshakeResponder: Sendable {
    private enum State: Equatable {
        case awaitingHello
        case sentWelcome(peer: String, peerKey: PublicKey, peerShare: Bytes32, t2: Bytes32)
        case done
    }

    private var state = State.awaitingHello
    private let identity: HandshakeIdentity
    private let ephemeral: Curve25519.KeyAgreement.PrivateKey

    public init(identity: HandshakeIdentity, ephemeral: Curve25519.KeyAgreement.PrivateKey = .init()) {
        self.identity = identity
        self.ephemeral = ephemeral
    }

    /// The council the peer claimed in its HELLO, once known (for logs).
    public var claimedPeer: String? {
        if case .sentWelcome(let peer, _, _, _) = state { return peer }
        return nil
    }

    public mutating func receive(content: [UInt8]) throws(WireError) -> HandshakeAction {
        let frame = try Frame(content: content)
        switch (state, frame) {
        case (.awaitingHello, .hello(let hello)):
            guard Frame.supportedVersions.overlaps(hello.minVersion...hello.maxVersion) else {
                throw WireError(.unsupportedVersion, "peer speaks versions \(hello.minVersion)–\(hello.maxVersion); this node speaks 1")
            }
            let peerKey = try identity.checkPeer(council: hello.council, rosterHash: hello.rosterHash)
            let unsigned = Welcome(version: min(hello.maxVersion, Frame.supportedVersions.upperBound), rosterHash: identity.rosterHash,
                                   council: identity.council, ephemeral: Bytes32(ephemeral.publicKey.rawRepresentation),
                                   signature: .zero)
            let t1 = HandshakeTranscript.t1(hello: FrameLength.prefixed(content),
                                            welcomeUnsigned: HandshakeTranscript.unsignedWelcome(Frame.welcome(unsigned).encoded()))
            var welcome = unsigned
            welcome.signature = identity.key.sign(HandshakeTranscript.welcomeDomain + t1.bytes)
            state = .sentWelcome(peer: hello.council, peerKey: peerKey, peerShare: hello.ephemeral,
                                 t2: HandshakeTranscript.t2(t1: t1, welcomeSignature: welcome.signature))
            return .send(Frame.welcome(welcome).encoded())
        case (.sentWelcome(let peer, let peerKey, let peerShare, let t2), .auth(let auth)):
            guard SignatureCheck.verify(auth.signature, of: HandshakeTranscript.authDomain + t2.bytes, by: peerKey) else {
                throw WireError(.authenticationFailed, "AUTH signature does not verify under \(peer)'s key")
            }
            let t3 = HandshakeTranscript.t3(t2: t2, authSignature: auth.signature)
            let keys = try HandshakeTranscript.sessionKeys(ephemeral: ephemeral, peerShare: peerShare, t3: t3)
            state = .done
            return .established(peer: peer, send: [], outbound: keys, asInitiator: false)
        case (_, .error(let notice)):
            throw WireError(.normalClose, "peer refused the handshake: \(notice.code.name) \(ErrorNotice.truncated(notice.detail, to: 200))")
        default:
            throw WireError(.unexpectedFrame, "\(frame.type) is not the next handshake frame")
        }
    }
}
