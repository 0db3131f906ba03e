/// Requirements no black-box case can check over a link, with the reason. The reference
/// implementation's own tests check them (Spec/conformance/TRACEABILITY.md lists which).
public enum OffTheWire {
    public static let reasons: [String: String] = [
        "ENC-4": "no version-1 frame or message carries a bool; only the state digest's encoding does, and the digest is not on the wire",
        "SEAL-4": "reaching 2^64 sealed frames on one link is not possible in a test",
        "ACK-5": "needs control of the implementation's disk",
        "SYNC-6": "needs control of the implementation's disk, or of how many messages it holds",
        "NODE-1": "the test roster has five councils besides Budapest, far fewer than MAX_PEERS",
        "NODE-2": "filling an outbound queue needs traffic the suite cannot make the implementation send",
        "NODE-3": "backoff concerns the implementation's own dialling, outside the contract",
        "ROSTER-1": "concerns how the implementation loads its roster, before any link",
        "CLOSE-5": "which of several CLOSEs is effective shows only in the state, which is not on the wire",
        "DIGEST-1": "the state digest is reported by the operator channel, not over a link",
        "DIGEST-2": "the state digest is reported by the operator channel, not over a link",
        "VEC-1": "concerns the test keys themselves; the vectors check them",
        "VEC-2": "concerns decoders given the vectors; Spec/vectors/README.md says how to run them",
    ]
}
