import Crypto
import CouncilWire

/// What the link's shell must do after one inbound frame (§7, §8).
public enum LinkEvent: Sendable {
    /// Write these plaintext handshake bytes.
    case send([UInt8])
    /// The handshake completed: write `reply` (plaintext, possibly empty), then seal everything with
    /// `outbound`; the link now belongs to `peer`. `inbound` is the session's own opening cipher, for
    /// shells (such as the conformance suite's peer) that open frames themselves.
    case established(peer: String, reply: [UInt8], outbound: SessionCipher, inbound: SessionCipher)
    /// A valid frame for the node: MESSAGE, ACK, REJECT, SYNC, SYNC_DONE, PONG.
    case frame(Frame)
    /// Send this frame back on the link (a PONG).
    case respond(Frame)
    /// A frame the link survives ([ERR-2] effect `survives`): answer with this ERROR and spend one
    /// of the link's `InvalidFrameBudget` ([LINK-5]).
    case invalid(ErrorNotice)
    /// Close the link; send the notice first when `notify` (plaintext before the handshake completes).
    case close(ErrorNotice, notify: Bool)
    /// Nothing to do (an ignored extension frame).
    case none
}

/// The per-link protocol state machine, without I/O: the handshake, opening sealed frames,
/// heartbeats answered. The shell feeds it frame contents (what follows each length prefix) and
/// carries out the events, and keeps the link's `InvalidFrameBudget` itself.
public struct LinkSession: Sendable {
    private enum State: Sendable {
        case initiating(HandshakeInitiator)
        case responding(HandshakeResponder)
        /// `refusable`: an initiator that has opened nothing yet, whose peer may still refuse its
        /// AUTH with a plaintext ERROR ([HS-14]).
        case established(peer: String, inbound: SessionCipher, refusable: Bool)
        case closed
    }

    private var state: State

    public static func initiator(identity: HandshakeIdentity) -> (LinkSession, hello: [UInt8]) {
        var handshake = HandshakeInitiator(identity: identity)
        let hello = handshake.start()
        return (LinkSession(state: .initiating(handshake)), hello)
    }

    public static func responder(identity: HandshakeIdentity) -> LinkSession {
        LinkSession(state: .responding(HandshakeResponder(identity: identity)))
    }

    private init(state: State) {
        self.state = state
    }

    public var peer: String? {
        if case .established(let peer, _, _) = state { return peer }
        return nil
    }

    /// A fault in the length prefix itself (too large or too short): always fatal ([FRAME-3]);
    /// nothing, once the link is closing.
    public mutating func lengthFault(_ error: WireError) -> LinkEvent {
        guard !isClosed else { return .none }
        state = .closed
        return .close(ErrorNotice(code: error.code, detail: error.detail), notify: true)
    }

    private var isClosed: Bool {
        if case .closed = state { return true }
        return false
    }

    /// Takes one frame's content (the bytes after its length prefix).
    public mutating func receive(_ content: [UInt8]) -> LinkEvent {
        switch state {
        case .closed:
            return .none
        case .initiating(var handshake):
            do {
                return establish(try handshake.receive(content: content))
            } catch {
                return handshakeFailed(error)
            }
        case .responding(var handshake):
            do {
                let action = try handshake.receive(content: content)
                if case .send = action { state = .responding(handshake) }
                return establish(action)
            } catch {
                return handshakeFailed(error)
            }
        case .established(let peer, var inbound, let refusable):
            let plaintext: [UInt8]
            do {
                plaintext = try inbound.open(sealed: content)
            } catch {
                state = .closed
                if refusable, case .error(let refusal)? = try? Frame(content: content) {
                    return .close(refusal, notify: false)  // [HS-14] the responder refused the AUTH
                }
                return .close(ErrorNotice(code: error.code, detail: error.detail), notify: true)
            }
            state = .established(peer: peer, inbound: inbound, refusable: false)
            return established(plaintext)
        }
    }

    /// [FRAME-8][HS-9] Every fault during the handshake closes the link.
    private mutating func handshakeFailed(_ error: WireError) -> LinkEvent {
        state = .closed
        // A peer's own ERROR arrives as NORMAL_CLOSE: close without answering it.
        return .close(ErrorNotice(code: error.code, detail: error.detail), notify: error.code != .normalClose)
    }

    private mutating func establish(_ action: HandshakeAction) -> LinkEvent {
        switch action {
        case .send(let bytes):
            return .send(bytes)
        case .established(let peer, let reply, let keys, let asInitiator):
            let inbound = SessionCipher(key: asInitiator ? keys.responderToInitiator : keys.initiatorToResponder)
            let outbound = SessionCipher(key: asInitiator ? keys.initiatorToResponder : keys.responderToInitiator)
            state = .established(peer: peer, inbound: inbound, refusable: asInitiator)
            return .established(peer: peer, reply: reply, outbound: outbound, inbound: inbound)
        }
    }

    private mutating func established(_ plaintext: [UInt8]) -> LinkEvent {
        let frame: Frame
        do {
            frame = try Frame(content: plaintext)
        } catch {
            switch error.code.entry?.effect ?? .closes {
            case .closes:
                state = .closed
                return .close(ErrorNotice(code: error.code, detail: error.detail), notify: true)
            case .survives:
                return .invalid(ErrorNotice(code: error.code, detail: error.detail))
            }
        }
        switch frame {
        case .ping(let nonce):
            return .respond(.pong(nonce))
        case .error(let notice):
            // [LINK-6] Only a code whose effect is `closes` ends the link; unknown codes do ([ERR-2]).
            guard notice.code.effect == .closes else { return .frame(frame) }
            state = .closed
            return .close(notice, notify: false)
        case .ignoredExtension:
            return .none
        case .hello, .welcome, .auth:
            state = .closed
            return .close(ErrorNotice(code: .unexpectedFrame, detail: "\(frame.type) after the handshake"), notify: true)
        case .message, .ack, .reject, .sync, .syncDone, .pong:
            return .frame(frame)
        }
    }
}
