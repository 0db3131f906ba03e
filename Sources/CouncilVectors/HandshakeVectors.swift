import Crypto
import CouncilProtocol
import CouncilWire

/// Spec/vectors/handshake.json: a complete handshake between Miskolc (initiator) and Győr
/// (responder) with fixed ephemeral keys, the sealed frames that follow, and the ways it can fail.
///
/// Each vector's `step` says who receives the frame and in what state (Spec/vectors/README.md).
public enum HandshakeVectors {
    public static let initiator = "miskolc"
    public static let responder = "gyor"

    public static func ephemeral(_ council: String) -> Curve25519.KeyAgreement.PrivateKey {
        // A 32-byte string is always a valid X25519 private key.
        try! Curve25519.KeyAgreement.PrivateKey(rawRepresentation: TestFederation.seed("ephemeral-\(council)").bytes)
    }

    public static func identity(_ council: String, roster: Roster = TestFederation.roster) -> HandshakeIdentity {
        let keys = Dictionary(uniqueKeysWithValues: roster.councils.map { ($0.name, $0.key) })
        return HandshakeIdentity(council: council, key: TestFederation.councilKey(council), rosterHash: roster.hash, keyOf: { keys[$0] })
    }

    /// The whole successful run, computed with the same state machines the daemon uses.
    public struct Run {
        public let hello: [UInt8]
        public let welcome: [UInt8]
        public let auth: [UInt8]
        public let keys: SessionKeys
        public let t1: Bytes32, t2: Bytes32, t3: Bytes32

        public init() {
            var initiatorSide = HandshakeInitiator(identity: identity(initiator), ephemeral: ephemeral(initiator))
            var responderSide = HandshakeResponder(identity: identity(responder), ephemeral: ephemeral(responder))
            hello = initiatorSide.start()
            guard case .send(let welcome) = try! responderSide.receive(content: Array(hello.dropFirst(4))),
                  case .established(_, let auth, let keys, _) = try! initiatorSide.receive(content: Array(welcome.dropFirst(4)))
            else { preconditionFailure("the reference handshake must succeed") }
            self.welcome = welcome
            self.auth = auth
            self.keys = keys
            t1 = HandshakeTranscript.t1(hello: hello, welcomeUnsigned: Array(welcome.dropLast(64)))
            let welcomeFrame = try! Frame(content: Array(welcome.dropFirst(4)))
            guard case .welcome(let body) = welcomeFrame, case .auth(let authBody) = try! Frame(content: Array(auth.dropFirst(4))) else {
                preconditionFailure("frames must decode")
            }
            t2 = HandshakeTranscript.t2(t1: t1, welcomeSignature: body.signature)
            t3 = HandshakeTranscript.t3(t2: t2, authSignature: authBody.signature)
        }
    }

    static func build() -> VectorFile {
        let run = Run()
        let rosterHash = TestFederation.roster.hash
        func step(_ name: String, _ description: String, _ step: String, _ frame: [UInt8], _ expectation: Vector.Expectation,
                  _ extra: [String: JSONValue] = [:]) -> Vector {
            var fields = extra
            fields["step"] = .string(step)
            if case .valid = expectation, let content = try? Frame(content: Array(frame.dropFirst(4))) { fields["decoded"] = content.json }
            return Vector(name: name, description: description, frame: frame, expectation: expectation, fields: fields)
        }
        var toResponder = SessionCipher(key: run.keys.initiatorToResponder)
        var toInitiator = SessionCipher(key: run.keys.responderToInitiator)
        let sealedPing = toResponder.seal(content: Frame.ping(1).content())
        let sealedSync = toResponder.seal(content: Frame.sync(SyncVector(entries: [])).content())
        let sealedPong = toInitiator.seal(content: Frame.pong(1).content())
        var wrongDirection = SessionCipher(key: run.keys.responderToInitiator)
        let tampered = { () -> [UInt8] in
            var copy = sealedPing
            copy[6] ^= 0x01
            return copy
        }()

        func hello(council: String = initiator, rosterHash: Bytes32 = rosterHash, min: UInt8 = 1, max: UInt8 = 1) -> [UInt8] {
            Frame.hello(Hello(minVersion: min, maxVersion: max, rosterHash: rosterHash, council: council,
                              ephemeral: Bytes32(ephemeral(initiator).publicKey.rawRepresentation))).encoded()
        }
        func flipLast(_ bytes: [UInt8]) -> [UInt8] {
            var copy = bytes
            copy[copy.count - 1] ^= 0x01
            return copy
        }
        let otherAuth = Frame.auth(Auth(signature: TestFederation.councilKey("pecs").sign(HandshakeTranscript.authDomain + run.t2.bytes))).encoded()

        let vectors: [Vector] = [
            step("hello", "Miskolc opens the handshake", "responder-receives-hello", run.hello, .valid, [
                "ephemeral_private": .string(TestFederation.seed("ephemeral-\(initiator)").description),
            ]),
            step("welcome", "Győr answers and signs T1", "initiator-receives-welcome", run.welcome, .valid, [
                "ephemeral_private": .string(TestFederation.seed("ephemeral-\(responder)").description),
                "t1": .string(run.t1.description),
                "signing_input": .string(Hex.encode(HandshakeTranscript.welcomeDomain + run.t1.bytes)),
            ]),
            step("auth", "Miskolc signs T2; both derive the session keys from T3", "responder-receives-auth", run.auth, .valid, [
                "t2": .string(run.t2.description),
                "t3": .string(run.t3.description),
                "signing_input": .string(Hex.encode(HandshakeTranscript.authDomain + run.t2.bytes)),
                "key_initiator_to_responder": .string(run.keys.initiatorToResponder.description),
                "key_responder_to_initiator": .string(run.keys.responderToInitiator.description),
            ]),
            step("sealed.first", "Miskolc's first sealed frame, a PING, counter 0", "responder-receives-sealed-0", sealedPing, .valid, [
                "plaintext": .string(Hex.encode(Frame.ping(1).content())), "counter": 0,
            ]),
            step("sealed.second", "Miskolc's second sealed frame, an empty SYNC, counter 1", "responder-receives-sealed-1", sealedSync, .valid, [
                "plaintext": .string(Hex.encode(Frame.sync(SyncVector(entries: [])).content())), "counter": 1,
            ]),
            step("sealed.reply", "Győr's first sealed frame, a PONG, under the other key", "initiator-receives-sealed-0", sealedPong, .valid, [
                "plaintext": .string(Hex.encode(Frame.pong(1).content())), "counter": 0,
            ]),
            step("welcome.bad-signature", "WELCOME with one signature bit flipped", "initiator-receives-welcome", flipLast(run.welcome), .invalid(.authenticationFailed)),
            step("auth.bad-signature", "AUTH with one signature bit flipped", "responder-receives-auth", flipLast(run.auth), .invalid(.authenticationFailed)),
            step("auth.other-council-key", "AUTH signed with Pécs's key on Miskolc's link", "responder-receives-auth", otherAuth, .invalid(.authenticationFailed)),
            step("hello.wrong-federation", "HELLO with another roster hash", "responder-receives-hello",
                 hello(rosterHash: Hashing.sha256(Array("another federation".utf8))), .invalid(.wrongFederation)),
            step("hello.unknown-council", "HELLO from Sopron, which the roster lacks", "responder-receives-hello", hello(council: "sopron"), .invalid(.unknownCouncil)),
            step("hello.self", "HELLO claiming to be Győr, sent to Győr", "responder-receives-hello", hello(council: responder), .invalid(.selfLink)),
            step("hello.versions-2-3", "HELLO offering versions 2 to 3 only", "responder-receives-hello", hello(min: 2, max: 3), .invalid(.unsupportedVersion)),
            step("hello.min-above-max", "HELLO with min_version 2 and max_version 1", "responder-receives-hello", hello(min: 2, max: 1), .invalid(.malformedFrame)),
            step("hello.trailing-byte", "HELLO with a byte after its share", "responder-receives-hello",
                 FrameLength.prefixed(Array(run.hello.dropFirst(4)) + [0]), .invalid(.malformedFrame)),
            step("hello.message-first", "A MESSAGE before any handshake frame", "responder-receives-hello",
                 Frame.message(MessageVectors.Story().messages[0].signed.bytes).encoded(), .invalid(.unexpectedFrame)),
            step("hello.unknown-type-first", "Type 0x05 before any handshake frame: the frame's own checks come before the phase's", "responder-receives-hello",
                 FrameVectors.raw(type: 0x05, body: []), .invalid(.unknownFrameType)),
            step("hello.flagged-ping-first", "A PING with a flag set before any handshake frame", "responder-receives-hello",
                 FrameVectors.raw(type: FrameType.ping.rawValue, flags: 1, body: [0, 0, 0, 0, 0, 0, 0, 1]), .invalid(.reservedFlags)),
            step("hello.wrong-federation-unknown-council", "HELLO from Sopron with another roster hash: the roster hash is checked first", "responder-receives-hello",
                 hello(council: "sopron", rosterHash: Hashing.sha256(Array("another federation".utf8))), .invalid(.wrongFederation)),
            step("sealed.tampered", "The first sealed frame with one ciphertext bit flipped", "responder-receives-sealed-0", tampered, .invalid(.decryptionFailed)),
            step("sealed.replayed", "The first sealed frame again where the second is due", "responder-receives-sealed-1", sealedPing, .invalid(.decryptionFailed)),
            step("sealed.wrong-key", "A frame sealed under the responder-to-initiator key, sent to the responder", "responder-receives-sealed-0",
                 wrongDirection.seal(content: Frame.ping(1).content()), .invalid(.decryptionFailed)),
        ]
        return VectorFile(fileName: "handshake.json", vectors: vectors)
    }
}

/// Every vector file, in the order the Spec lists them.
public enum VectorSuite {
    public static func files() -> [VectorFile] { [FrameVectors.build(), MessageVectors.build(), HandshakeVectors.build()] }
}
