import CouncilProtocol
import CouncilWire

/// The receiving pipeline the vectors exercise, in the Spec's order of checks (§4.5, §5.6):
/// length prefix, frame header, frame body, then for MESSAGE the message's canonical form and its
/// signature under the test federation's roster hash.
public enum VectorDecoder {
    public static func decode(_ bytes: [UInt8], rosterHash: Bytes32 = TestFederation.roster.hash) throws(WireError) -> Frame {
        var splitter = FrameSplitter()
        splitter.append(bytes)
        guard let content = try splitter.next() else {
            throw WireError(.malformedFrame, "the bytes end before the frame does")
        }
        guard splitter.buffer.isEmpty else { throw WireError(.malformedFrame, "bytes after the frame") }
        let frame = try Frame(content: content)
        if case .message(let body) = frame {
            let signed = try SignedMessage(bytes: body)
            guard signed.hasValidSignature(rosterHash: rosterHash) else {
                throw WireError(.badSignature, "signature does not verify under the author key")
            }
        }
        return frame
    }
}
