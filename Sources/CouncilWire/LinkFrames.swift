/// ERROR (§8.6): a registry code and a human-readable detail. With NORMAL_CLOSE it is the
/// orderly close; with any code whose effect is `closes` the sender closes after it.
public struct ErrorNotice: WireCodable {
    public var code: ErrorCode
    public var detail: String

    public init(code: ErrorCode, detail: String) {
        self.code = code
        self.detail = Self.truncated(detail, to: Limits.maxStatementLength)
    }

    /// The longest prefix of whole characters that fits in `limit` bytes of UTF-8.
    public static func truncated(_ text: String, to limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        var result = ""
        var size = 0
        for character in text {
            let length = character.utf8.count
            if size + length > limit { break }
            result.append(character)
            size += length
        }
        return result
    }

    public func encode(into writer: inout WireWriter) {
        writer.u16(code.rawValue)
        writer.text(detail, max: Limits.maxStatementLength)
    }

    public init(from reader: inout WireReader) throws(WireError) {
        code = ErrorCode(rawValue: try reader.u16("code"))
        detail = try reader.text("detail", max: Limits.maxStatementLength)
    }
}

/// ACK (§8.3): the node holds the message durably. `status` says in which way.
public struct Ack: WireCodable {
    public enum Status: UInt8, Sendable {
        /// Accepted now and stored.
        case accepted = 0
        /// Accepted earlier; nothing changed ([CORE-4]).
        case duplicate = 1
        /// Stored, awaiting dependencies or its time; it will be decided then ([ORDER-5], [ORDER-7]).
        case held = 2
    }

    public var id: MessageID
    public var status: Status

    public init(id: MessageID, status: Status) {
        self.id = id
        self.status = status
    }

    public func encode(into writer: inout WireWriter) {
        writer.bytes32(id)
        writer.u8(status.rawValue)
    }

    public init(from reader: inout WireReader) throws(WireError) {
        id = try reader.bytes32("id")
        let raw = try reader.u8("status")
        guard let status = Status(rawValue: raw) else { throw reader.fail("ACK status \(raw) is not 0, 1 or 2") }
        self.status = status
    }
}

/// REJECT (§8.4): the message is invalid; it changed nothing and is not relayed.
public struct Reject: WireCodable {
    public var id: MessageID
    public var code: ErrorCode
    public var detail: String

    public init(id: MessageID, code: ErrorCode, detail: String) {
        self.id = id
        self.code = code
        self.detail = ErrorNotice.truncated(detail, to: Limits.maxStatementLength)
    }

    public func encode(into writer: inout WireWriter) {
        writer.bytes32(id)
        writer.u16(code.rawValue)
        writer.text(detail, max: Limits.maxStatementLength)
    }

    public init(from reader: inout WireReader) throws(WireError) {
        id = try reader.bytes32("id")
        code = ErrorCode(rawValue: try reader.u16("code"))
        detail = try reader.text("detail", max: Limits.maxStatementLength)
    }
}

/// SYNC (§9.2): what the sender holds, as the highest contiguous sequence number per author.
/// Entries are sorted by author key, each author once ([SYNC-2]).
public struct SyncVector: WireCodable {
    public struct Entry: Hashable, Sendable {
        public var author: PublicKey
        public var sequence: UInt64
        public init(author: PublicKey, sequence: UInt64) {
            self.author = author
            self.sequence = sequence
        }
    }

    public var entries: [Entry]

    public init(entries: [Entry]) { self.entries = entries }

    public func encode(into writer: inout WireWriter) {
        writer.u16(UInt16(entries.count))
        for entry in entries {
            writer.bytes32(entry.author)
            writer.u64(entry.sequence)
        }
    }

    public init(from reader: inout WireReader) throws(WireError) {
        let count = Int(try reader.u16("entry count"))
        guard count <= Limits.maxSyncEntries else { throw reader.fail("SYNC has \(count) entries; at most \(Limits.maxSyncEntries)") }
        guard count * 40 <= reader.remaining else { throw reader.fail("SYNC declares \(count) entries but is shorter") }
        var entries = [Entry]()
        entries.reserveCapacity(count)
        for _ in 0..<count {
            let entry = Entry(author: try reader.bytes32("author"), sequence: try reader.u64("sequence"))
            guard entry.sequence >= 1 else { throw reader.fail("SYNC entry with sequence 0") }
            if let last = entries.last, !(last.author < entry.author) {
                throw reader.fail("SYNC entries are not in strictly ascending author order")
            }
            entries.append(entry)
        }
        self.entries = entries
    }
}
