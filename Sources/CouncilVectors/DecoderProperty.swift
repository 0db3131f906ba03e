import CouncilProtocol
import CouncilWire

/// The property the fuzzer checks on any input (§5.1): decoding never traps, and whatever decodes
/// re-encodes to exactly the bytes it came from — one canonical encoding per value.
public enum DecoderProperty {
    /// Feeds `bytes` as a stream of plaintext frames; traps (so the fuzzer reports it) only when
    /// the canonical-encoding property fails.
    public static func check(_ bytes: [UInt8]) {
        var splitter = FrameSplitter()
        splitter.append(bytes)
        while true {
            let content: [UInt8]
            do {
                guard let next = try splitter.next() else { return }
                content = next
            } catch {
                return
            }
            guard let frame = try? Frame(content: content) else { continue }
            if case .ignoredExtension = frame { continue }
            precondition(frame.content() == content, "frame decoded from non-canonical bytes")
            if case .message(let body) = frame, let signed = try? SignedMessage(bytes: body) {
                precondition(signed.message.encoded == body, "message decoded from non-canonical bytes")
                _ = signed.hasValidSignature(rosterHash: TestFederation.roster.hash)
            }
        }
    }
}
