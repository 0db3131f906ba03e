import CouncilProtocol
import CouncilWire
import Testing

/// A responder that refuses the initiator's AUTH answers in plaintext ([HS-11]), while the initiator
/// already seals ([HS-12]): the initiator still learns why.
@Suite("A refused AUTH (§7.5)")
struct HandshakeRefusalTests {
    struct Unexpected: Error, CustomStringConvertible { let description: String }

    func identity(_ council: String) -> HandshakeIdentity {
        let roster = TestFederation.roster
        let keys = Dictionary(uniqueKeysWithValues: roster.councils.map { ($0.name, $0.key) })
        return HandshakeIdentity(council: council, key: TestFederation.councilKey(council), rosterHash: roster.hash, keyOf: { keys[$0] })
    }

    /// Runs the handshake up to the initiator's AUTH; returns the initiator's session and the
    /// cipher the responder seals with once AUTH verifies.
    func handshake() throws -> (initiator: LinkSession, responderSeals: SessionCipher) {
        var (initiator, hello) = LinkSession.initiator(identity: identity("gyor"))
        var responder = LinkSession.responder(identity: identity("budapest"))
        guard case .send(let welcome) = responder.receive(Array(hello.dropFirst(FrameLength.prefixSize))) else {
            throw Unexpected(description: "the responder did not answer HELLO with WELCOME")
        }
        guard case .established(_, let auth, _, _) = initiator.receive(Array(welcome.dropFirst(FrameLength.prefixSize))) else {
            throw Unexpected(description: "the initiator did not complete on WELCOME")
        }
        guard case .established(_, _, let responderSeals, _) = responder.receive(Array(auth.dropFirst(FrameLength.prefixSize))) else {
            throw Unexpected(description: "the responder did not complete on AUTH")
        }
        return (initiator, responderSeals)
    }

    @Test("[HS-14] the responder's plaintext ERROR after AUTH is read as its refusal, however short, and not answered")
    func refusalIsRead() throws {
        var (initiator, _) = try handshake()
        let refusal = Frame.error(ErrorNotice(code: .authenticationFailed, detail: "")).content()
        #expect(refusal.count < Limits.minSealedFrameLength)
        guard case .close(let notice, let notify) = initiator.receive(refusal) else { Issue.record("the refusal did not close the link"); return }
        #expect(notice.code == .authenticationFailed && !notify)
    }

    @Test("[HS-12] a first frame after AUTH that neither opens nor reads as a plaintext ERROR is a decryption failure")
    func garbageIsNotARefusal() throws {
        var (initiator, _) = try handshake()
        let refusal = Frame.error(ErrorNotice(code: .authenticationFailed, detail: "the AUTH signature does not verify")).content()
        guard case .close(let notice, let notify) = initiator.receive(refusal + refusal) else { Issue.record("garbage did not close the link"); return }
        #expect(notice.code == .decryptionFailed && notify)
    }

    @Test("[HS-12][HS-14] once a sealed frame has opened, a plaintext ERROR is a decryption failure, not a refusal")
    func plaintextAfterSealedIsRefused() throws {
        var (initiator, responderSeals) = try handshake()
        let sync = responderSeals.seal(content: Frame.sync(SyncVector(entries: [])).content())
        guard case .frame(.sync) = initiator.receive(Array(sync.dropFirst(FrameLength.prefixSize))) else {
            Issue.record("the responder's sealed SYNC did not open")
            return
        }
        let refusal = Frame.error(ErrorNotice(code: .authenticationFailed, detail: "the AUTH signature does not verify")).content()
        guard case .close(let notice, let notify) = initiator.receive(refusal) else { Issue.record("the plaintext frame did not close the link"); return }
        #expect(notice.code == .decryptionFailed && notify)
    }
}
