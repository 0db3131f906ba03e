import CouncilProtocol
import CouncilVectors
import CouncilWire
import Testing

/// The checked-in vectors decode exactly as the Spec says, and the code still generates them.
@Suite("Spec test vectors")
struct VectorTests {
    static let codecFiles = ["frames.json", "messages.json"]

    @Test("every vector file matches what the reference code generates (no drift)")
    func noDrift() throws {
        for file in VectorSuite.files() {
            let same = try SpecFiles.text("Spec/vectors/\(file.fileName)") == file.rendered
            #expect(same, "Spec/vectors/\(file.fileName) drifted; run `swift run council vectors`")
        }
    }

    @Test("[VEC-1][VEC-2][MANDATE-1][MANDATE-2] test keys come from their labels; scope and instruction vectors are refused")
    func testKeysAndMandateSets() throws {
        #expect(TestFederation.seed("budapest") == Hashing.sha256(Array("COUNCIL/1 TEST SEED budapest".utf8)))
        for vector in try SpecFiles.vectors("messages.json") {
            guard let name = vector["name"]?.stringValue, name.contains(".scope.") || name.contains(".instructions.") else { continue }
            let bytes = try #require(Hex.decode(vector["frame"]?.stringValue ?? ""))
            #expect(throws: WireError.self, "\(name)") { try SignedMessage(bytes: Array(bytes.dropFirst(7))) }
        }
    }

    @Test("the vectors meet the Spec's coverage promise (§13)")
    func coverage() throws {
        var all: [JSONValue] = []
        for file in Self.codecFiles + ["handshake.json"] { all += try SpecFiles.vectors(file) }
        let invalid = all.filter { $0["valid"]?.boolValue == false }
        #expect(all.count >= 40)
        #expect(invalid.count >= 15)
        let kinds = Set(try SpecFiles.vectors("messages.json").compactMap { $0["message"]?["kind"]?.stringValue })
        #expect(kinds == Set(MessageKind.allCases.map(\.description)))
        let frameTypes = Set(all.compactMap { $0["decoded"]?["type"]?.stringValue })
        for type in ["HELLO", "WELCOME", "AUTH", "ERROR", "PING", "PONG", "MESSAGE", "ACK", "REJECT", "SYNC", "SYNC_DONE"] {
            #expect(frameTypes.contains(type) || type == "MESSAGE", "no valid vector of \(type)")
        }
    }

    @Test("frame and message vectors decode, re-encode byte for byte, or fail with the listed code", arguments: codecFiles)
    func codecVectors(file: String) throws {
        for vector in try SpecFiles.vectors(file) {
            let name = vector["name"]?.stringValue ?? "?"
            let bytes = try #require(Hex.decode(vector["frame"]?.stringValue ?? ""), "\(name): frame is not hex")
            let expectedError = vector["error"]?.stringValue
            switch Result(catching: { () throws(WireError) -> Frame in try VectorDecoder.decode(bytes) }) {
            case .success(let frame):
                #expect(expectedError == nil, "\(file) \(name): decoded, but the Spec expects \(expectedError ?? "")")
                if case .ignoredExtension = frame { continue }
                #expect(frame.encoded() == bytes, "\(file) \(name): re-encoding differs")
                if let decoded = vector["decoded"] { #expect(decoded == frame.json, "\(name): decoded fields differ") }
                if case .message(let body) = frame { try checkMessage(vector, body, name) }
            case .failure(let error):
                #expect(error.code.name == expectedError, "\(file) \(name): got \(error), expected \(expectedError ?? "success")")
                #expect(vector["error_code"]?.intValue == Int64(error.code.rawValue))
            }
        }
    }

    func checkMessage(_ vector: JSONValue, _ body: [UInt8], _ name: String) throws {
        let signed = try SignedMessage(bytes: body)
        #expect(signed.message.encoded == body, "\(name): message re-encoding differs")
        #expect(vector["message"] == signed.message.json, "\(name): message fields differ")
        #expect(vector["id"]?.stringValue == signed.id.description, "\(name): message ID differs")
        let rosterHash = TestFederation.roster.hash
        #expect(vector["roster_hash"]?.stringValue == rosterHash.description)
        #expect(vector["signing_input"]?.stringValue == Hex.encode(signed.message.signingInput(rosterHash: rosterHash)))
        #expect(vector["signature"]?.stringValue == Hex.encode(signed.message.signature.bytes))
    }

    /// What one handshake vector's step produced.
    enum StepResult: Equatable {
        case action(HandshakeAction)
        case plaintext([UInt8])
    }

    /// Feeds a vector's frame to the side and state its `step` names.
    static func perform(step: String, content: [UInt8], run: HandshakeVectors.Run) throws(WireError) -> StepResult {
        let responderIdentity = HandshakeVectors.identity(HandshakeVectors.responder)
        let responderEphemeral = HandshakeVectors.ephemeral(HandshakeVectors.responder)
        switch step {
        case "responder-receives-hello":
            var responder = HandshakeResponder(identity: responderIdentity, ephemeral: responderEphemeral)
            return .action(try responder.receive(content: content))
        case "initiator-receives-welcome":
            var initiator = HandshakeInitiator(identity: HandshakeVectors.identity(HandshakeVectors.initiator),
                                               ephemeral: HandshakeVectors.ephemeral(HandshakeVectors.initiator))
            _ = initiator.start()
            return .action(try initiator.receive(content: content))
        case "responder-receives-auth":
            var responder = HandshakeResponder(identity: responderIdentity, ephemeral: responderEphemeral)
            _ = try responder.receive(content: Array(run.hello.dropFirst(4)))
            return .action(try responder.receive(content: content))
        default:
            let toResponder = step.hasPrefix("responder")
            var cipher = SessionCipher(key: toResponder ? run.keys.initiatorToResponder : run.keys.responderToInitiator)
            let counter = Int(step.split(separator: "-").last ?? "0") ?? 0
            for _ in 0..<counter { _ = cipher.seal(content: [1, 0x10, 0]) }
            return .plaintext(try cipher.open(sealed: content))
        }
    }

    @Test("handshake vectors drive both state machines to the listed result")
    func handshakeVectors() throws {
        let run = HandshakeVectors.Run()
        let expected: [String: StepResult] = [
            "responder-receives-hello": .action(.send(run.welcome)),
            "initiator-receives-welcome": .action(.established(peer: HandshakeVectors.responder, send: run.auth, outbound: run.keys, asInitiator: true)),
            "responder-receives-auth": .action(.established(peer: HandshakeVectors.initiator, send: [], outbound: run.keys, asInitiator: false)),
        ]
        for vector in try SpecFiles.vectors("handshake.json") {
            let name = vector["name"]?.stringValue ?? "?"
            let bytes = try #require(Hex.decode(vector["frame"]?.stringValue ?? ""))
            let step = try #require(vector["step"]?.stringValue, "\(name) has no step")
            let expectedError = vector["error"]?.stringValue
            switch Result(catching: { () throws(WireError) -> StepResult in try Self.perform(step: step, content: Array(bytes.dropFirst(4)), run: run) }) {
            case .success(let result):
                #expect(expectedError == nil, "\(name): succeeded, but the Spec expects \(expectedError ?? "")")
                let want = expected[step] ?? .plaintext(Hex.decode(vector["plaintext"]?.stringValue ?? "") ?? [])
                #expect(result == want, "\(name)")
            case .failure(let error):
                #expect(error.code.name == expectedError, "\(name): got \(error), expected \(expectedError ?? "success")")
            }
        }
    }
}

@Suite("Spec tables")
struct SpecTableTests {
    @Test("[ERR-1] the Spec's error registry and test keys are what the code generates")
    func generatedBlocksMatch() throws {
        let document = try SpecFiles.text("Spec/PROTOCOL.md")
        let same = SpecTables.filled(document) == document
        #expect(same, "Spec/PROTOCOL.md's generated tables drifted; run `swift run council vectors`")
    }
}
