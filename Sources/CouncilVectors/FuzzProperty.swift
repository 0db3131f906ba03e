import CouncilProtocol
import CouncilWire

/// What the fuzzer checks on any input. The first byte picks the target: even, the wire decoder
/// (`DecoderProperty`); odd, the core's validation (`ValidationProperty`) with the rest as a message.
public enum FuzzProperty {
    public static func check(_ bytes: [UInt8]) {
        guard let selector = bytes.first, selector & 1 == 1 else {
            DecoderProperty.check(bytes)
            return
        }
        ValidationProperty.check(Array(bytes.dropFirst()))
    }
}

/// The core's validation on any message (§12): deciding it never traps, the first decision is about
/// that message, and an accepted message is a duplicate the second time. Signatures are taken as checked, so the
/// fuzzer's changes reach the semantic rules instead of stopping at the signature.
public enum ValidationProperty {
    /// A ledger that already holds the Spec's example story up to the votes: mandates, a proposal
    /// and two votes, so that references can resolve and rules have something to bite on.
    static let base: Ledger = {
        var ledger = Ledger(roster: TestFederation.roster)
        for message in MessageVectors.Story().messages.prefix(5) {
            _ = ledger.receive(message.signed, now: now, signatureChecked: true)
        }
        return ledger
    }()

    static let now = TestFederation.epoch + 40 * TestFederation.day

    public static func check(_ bytes: [UInt8]) {
        guard let message = try? SignedMessage(bytes: bytes) else { return }
        var ledger = base
        let decisions = ledger.receive(message, now: now, signatureChecked: true)
        precondition(!decisions.isEmpty, "a message was not decided")
        switch decisions[0] {
        case .accepted(let accepted):
            precondition(accepted.id == message.id, "the first decision is not about the message")
            _ = ledger.digest()
            guard case .duplicate = ledger.receive(message, now: now, signatureChecked: true).first else {
                preconditionFailure("an accepted message was decided again")
            }
        case .held(let held):
            precondition(held.id == message.id, "the first decision is not about the message")
        case .rejected(let id, _), .duplicate(let id):
            precondition(id == message.id, "the first decision is not about the message")
        }
    }
}
