/// The protocol's limits, one table in the Spec (§11). Each is a `static let` so that a
/// decoder checks a declared size against its limit before it reads or buffers the bytes.
public enum Limits {
    /// [FRAME-3] The largest value the length prefix may take.
    public static let maxFrameLength = 1_048_576
    /// The smallest plaintext frame: version, type and flags.
    public static let minPlaintextFrameLength = 3
    /// The AEAD tag that every sealed frame carries (§7.6).
    public static let aeadTagLength = 16
    /// The smallest sealed frame: the header sealed under the AEAD.
    public static let minSealedFrameLength = minPlaintextFrameLength + aeadTagLength
    /// [MSG-6] At most this many refs on a governance message.
    public static let maxRefs = 32
    /// [ENC-5] Identifiers are 1 to 64 bytes of `[a-z0-9-]`.
    public static let maxIdentifierLength = 64
    /// Resolution titles.
    public static let maxTitleLength = 256
    /// Resolution texts.
    public static let maxResolutionTextLength = 16_384
    /// Vote statements, recall reasons, replacement reasons, dissolution statements and ERROR details.
    public static let maxStatementLength = 1_024
    /// Entries in a mandate's scope and instructions.
    public static let maxScopeEntries = 32
    public static let maxInstructions = 32
    /// [SYNC-2] Entries in one SYNC frame.
    public static let maxSyncEntries = 16_384
    /// Councils and bodies in a roster, seats in a body.
    public static let maxRosterEntries = 4_096
    /// [ORDER-7] MAX_CLOCK_SKEW: a message dated further ahead of the clock, in milliseconds, is held.
    public static let maxClockSkew: UInt64 = 300_000
}
