/// A code from the Spec's error and rejection registry (PROTOCOL.md §10).
///
/// A struct rather than an enum so that codes from extension ranges survive decoding; the
/// registry's own codes are the static members below.
public struct ErrorCode: RawRepresentable, Hashable, Comparable, Sendable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static func < (lhs: ErrorCode, rhs: ErrorCode) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// What a code does to the link that carried the fault (§10.1).
public enum LinkEffect: String, Sendable {
    /// The sender of the ERROR closes the connection after sending it.
    case closes
    /// The link stays up; the fault counts towards the invalid-frame limit.
    case survives
}

extension ErrorCode {
    /// One row of the registry.
    public struct Entry: Sendable {
        public let code: ErrorCode
        public let name: String
        public let effect: LinkEffect
        public let meaning: String
    }

    // §10.2 Link and framing, 0x0000–0x00FF.
    public static let normalClose = ErrorCode(rawValue: 0x0000)
    public static let malformedFrame = ErrorCode(rawValue: 0x0001)
    public static let frameTooLarge = ErrorCode(rawValue: 0x0002)
    public static let frameTooShort = ErrorCode(rawValue: 0x0003)
    public static let unsupportedVersion = ErrorCode(rawValue: 0x0004)
    public static let unknownFrameType = ErrorCode(rawValue: 0x0005)
    public static let reservedFlags = ErrorCode(rawValue: 0x0006)
    public static let unexpectedFrame = ErrorCode(rawValue: 0x0007)
    public static let decryptionFailed = ErrorCode(rawValue: 0x0008)
    public static let wrongFederation = ErrorCode(rawValue: 0x0010)
    public static let unknownCouncil = ErrorCode(rawValue: 0x0011)
    public static let authenticationFailed = ErrorCode(rawValue: 0x0012)
    public static let handshakeTimeout = ErrorCode(rawValue: 0x0013)
    public static let duplicateLink = ErrorCode(rawValue: 0x0014)
    public static let selfLink = ErrorCode(rawValue: 0x0015)
    public static let idleTimeout = ErrorCode(rawValue: 0x0020)
    public static let tooManyInvalidFrames = ErrorCode(rawValue: 0x0021)
    public static let slowConsumer = ErrorCode(rawValue: 0x0022)
    public static let tooManyPeers = ErrorCode(rawValue: 0x0023)

    // §10.3 Message validity, 0x0100–0x01FF: the message itself, whatever the state.
    public static let malformedMessage = ErrorCode(rawValue: 0x0100)
    public static let badSignature = ErrorCode(rawValue: 0x0101)
    public static let unknownAuthor = ErrorCode(rawValue: 0x0102)
    public static let badSequence = ErrorCode(rawValue: 0x0103)
    public static let equivocation = ErrorCode(rawValue: 0x0104)
    public static let badTimestamp = ErrorCode(rawValue: 0x0105)
    public static let dependencyRejected = ErrorCode(rawValue: 0x0106)

    // §10.4 Governance, 0x0200–0x02FF: the message against its causal past.
    public static let notAuthorised = ErrorCode(rawValue: 0x0200)
    public static let unknownBody = ErrorCode(rawValue: 0x0201)
    public static let unknownSeat = ErrorCode(rawValue: 0x0202)
    public static let seatOccupied = ErrorCode(rawValue: 0x0203)
    public static let badWeight = ErrorCode(rawValue: 0x0204)
    public static let unknownMandate = ErrorCode(rawValue: 0x0205)
    public static let mandateRecalled = ErrorCode(rawValue: 0x0206)
    public static let mandateExpired = ErrorCode(rawValue: 0x0207)
    public static let outOfScope = ErrorCode(rawValue: 0x0208)
    public static let instructionViolated = ErrorCode(rawValue: 0x0209)
    public static let unknownResolution = ErrorCode(rawValue: 0x020A)
    public static let resolutionClosed = ErrorCode(rawValue: 0x020B)
    public static let alreadyVoted = ErrorCode(rawValue: 0x020C)
    public static let wrongBody = ErrorCode(rawValue: 0x020D)
    public static let closeTooEarly = ErrorCode(rawValue: 0x020E)
    public static let tallyMismatch = ErrorCode(rawValue: 0x020F)
    public static let councilDissolved = ErrorCode(rawValue: 0x0210)
    public static let keyReplaced = ErrorCode(rawValue: 0x0211)
    public static let ruleNotAllowed = ErrorCode(rawValue: 0x0212)
    public static let invalidField = ErrorCode(rawValue: 0x0213)

    // §10.5 Node conditions, 0x0300–0x03FF: nothing wrong with the message; try again later.
    public static let storageUnavailable = ErrorCode(rawValue: 0x0300)
    public static let pendingLimit = ErrorCode(rawValue: 0x0301)

    /// The registry in code order; the Spec's table is generated from the same rows.
    public static let registry: [Entry] = [
        .init(code: .normalClose, name: "NORMAL_CLOSE", effect: .closes, meaning: "Orderly close; nothing is wrong."),
        .init(code: .malformedFrame, name: "MALFORMED_FRAME", effect: .survives, meaning: "A frame's body does not decode as its type requires (during the handshake: closes)."),
        .init(code: .frameTooLarge, name: "FRAME_TOO_LARGE", effect: .closes, meaning: "The declared length exceeds MAX_FRAME_LENGTH."),
        .init(code: .frameTooShort, name: "FRAME_TOO_SHORT", effect: .closes, meaning: "The declared length is below the minimum for the session phase."),
        .init(code: .unsupportedVersion, name: "UNSUPPORTED_VERSION", effect: .closes, meaning: "No common protocol version, or a frame carries a version other than the negotiated one."),
        .init(code: .unknownFrameType, name: "UNKNOWN_FRAME_TYPE", effect: .survives, meaning: "A frame type below 0x80 that this version does not define (during the handshake: closes)."),
        .init(code: .reservedFlags, name: "RESERVED_FLAGS", effect: .survives, meaning: "A flag bit that this version does not define is set (during the handshake: closes)."),
        .init(code: .unexpectedFrame, name: "UNEXPECTED_FRAME", effect: .closes, meaning: "A frame that the session's phase does not allow, such as MESSAGE before authentication."),
        .init(code: .decryptionFailed, name: "DECRYPTION_FAILED", effect: .closes, meaning: "A sealed frame fails its AEAD check."),
        .init(code: .wrongFederation, name: "WRONG_FEDERATION", effect: .closes, meaning: "The peer's roster hash differs from ours."),
        .init(code: .unknownCouncil, name: "UNKNOWN_COUNCIL", effect: .closes, meaning: "The peer names a council that the roster lacks."),
        .init(code: .authenticationFailed, name: "AUTHENTICATION_FAILED", effect: .closes, meaning: "A handshake signature does not verify under the council's pinned key."),
        .init(code: .handshakeTimeout, name: "HANDSHAKE_TIMEOUT", effect: .closes, meaning: "The handshake did not complete within HANDSHAKE_TIMEOUT."),
        .init(code: .duplicateLink, name: "DUPLICATE_LINK", effect: .closes, meaning: "A link with this council is already up; the one that [NODE-4] does not keep is closed."),
        .init(code: .selfLink, name: "SELF_LINK", effect: .closes, meaning: "The peer claims to be the local council."),
        .init(code: .idleTimeout, name: "IDLE_TIMEOUT", effect: .closes, meaning: "Nothing arrived within DEAD_LINK_AFTER."),
        .init(code: .tooManyInvalidFrames, name: "TOO_MANY_INVALID_FRAMES", effect: .closes, meaning: "The peer sent more than MAX_INVALID_FRAMES invalid frames or messages."),
        .init(code: .slowConsumer, name: "SLOW_CONSUMER", effect: .closes, meaning: "The peer did not drain its outbound queue within its bound."),
        .init(code: .tooManyPeers, name: "TOO_MANY_PEERS", effect: .closes, meaning: "The node already has MAX_PEERS links."),
        .init(code: .malformedMessage, name: "MALFORMED_MESSAGE", effect: .survives, meaning: "The governance message does not decode or is not in canonical form."),
        .init(code: .badSignature, name: "BAD_SIGNATURE", effect: .survives, meaning: "The signature does not verify under the author key."),
        .init(code: .unknownAuthor, name: "UNKNOWN_AUTHOR", effect: .survives, meaning: "The author key is neither a council's, an electors' nor a delegate's known in the message's past."),
        .init(code: .badSequence, name: "BAD_SEQUENCE", effect: .survives, meaning: "prev is not the author's message with sequence number one less."),
        .init(code: .equivocation, name: "EQUIVOCATION", effect: .survives, meaning: "The node has accepted another message with the same author and sequence number."),
        .init(code: .badTimestamp, name: "BAD_TIMESTAMP", effect: .survives, meaning: "The timestamp is earlier than a dependency's."),
        .init(code: .dependencyRejected, name: "DEPENDENCY_REJECTED", effect: .survives, meaning: "prev or a ref names a message that was rejected."),
        .init(code: .notAuthorised, name: "NOT_AUTHORISED", effect: .survives, meaning: "The author may not issue this act."),
        .init(code: .unknownBody, name: "UNKNOWN_BODY", effect: .survives, meaning: "The roster has no such body."),
        .init(code: .unknownSeat, name: "UNKNOWN_SEAT", effect: .survives, meaning: "The body has no such seat."),
        .init(code: .seatOccupied, name: "SEAT_OCCUPIED", effect: .survives, meaning: "A mandate for the seat is already in force in the message's past."),
        .init(code: .badWeight, name: "BAD_WEIGHT", effect: .survives, meaning: "The weight is zero or above the seat's maximum."),
        .init(code: .unknownMandate, name: "UNKNOWN_MANDATE", effect: .survives, meaning: "The named mandate is not in the message's past."),
        .init(code: .mandateRecalled, name: "MANDATE_RECALLED", effect: .survives, meaning: "The named mandate was recalled, returned or voided in the message's past."),
        .init(code: .mandateExpired, name: "MANDATE_EXPIRED", effect: .survives, meaning: "The message's timestamp is outside the mandate's validity period."),
        .init(code: .outOfScope, name: "OUT_OF_SCOPE", effect: .survives, meaning: "The question's kind is not in the mandate's scope."),
        .init(code: .instructionViolated, name: "INSTRUCTION_VIOLATED", effect: .survives, meaning: "The vote breaks a binding instruction of the mandate."),
        .init(code: .unknownResolution, name: "UNKNOWN_RESOLUTION", effect: .survives, meaning: "The named resolution is not in the message's past."),
        .init(code: .resolutionClosed, name: "RESOLUTION_CLOSED", effect: .survives, meaning: "The resolution was closed in the message's past."),
        .init(code: .alreadyVoted, name: "ALREADY_VOTED", effect: .survives, meaning: "The delegate already voted on this resolution under this mandate."),
        .init(code: .wrongBody, name: "WRONG_BODY", effect: .survives, meaning: "The mandate is for another body than the resolution's."),
        .init(code: .closeTooEarly, name: "CLOSE_TOO_EARLY", effect: .survives, meaning: "The closing condition does not hold in the message's past."),
        .init(code: .tallyMismatch, name: "TALLY_MISMATCH", effect: .survives, meaning: "The CLOSE's tally differs from the tally of its past."),
        .init(code: .councilDissolved, name: "COUNCIL_DISSOLVED", effect: .survives, meaning: "The council was dissolved in the message's past."),
        .init(code: .keyReplaced, name: "KEY_REPLACED", effect: .survives, meaning: "The author key was replaced in the message's past."),
        .init(code: .ruleNotAllowed, name: "RULE_NOT_ALLOWED", effect: .survives, meaning: "The body does not allow this decision rule."),
        .init(code: .invalidField, name: "INVALID_FIELD", effect: .survives, meaning: "A field holds a value its definition forbids (an empty validity period, a quorum above the seats)."),
        .init(code: .storageUnavailable, name: "STORAGE_UNAVAILABLE", effect: .survives, meaning: "The node cannot make the message durable now; it is not acknowledged, and the node asks for it again by SYNC ([SYNC-6])."),
        .init(code: .pendingLimit, name: "PENDING_LIMIT", effect: .survives, meaning: "The node holds too many messages awaiting dependencies or their time; it asks for this one again by SYNC ([SYNC-6])."),
    ]

    private static let byCode: [ErrorCode: Entry] = Dictionary(uniqueKeysWithValues: registry.map { ($0.code, $0) })

    /// The registry row, or nil for a code the registry does not define.
    public var entry: Entry? { Self.byCode[self] }

    /// The registry name, or `EXTENSION_0x…`/`UNASSIGNED_0x…` for codes it lacks (§10.6).
    public var name: String {
        if let entry { return entry.name }
        let hex = String(rawValue, radix: 16, uppercase: true)
        let padded = String(repeating: "0", count: 4 - hex.count) + hex
        return (rawValue >= 0x8000 ? "EXTENSION_0x" : "UNASSIGNED_0x") + padded
    }

    /// Unknown codes close the link: a peer that does not understand a fault cannot judge it (§10.6).
    public var effect: LinkEffect { entry?.effect ?? .closes }
}

extension ErrorCode: CustomStringConvertible {
    public var description: String { name }
}
