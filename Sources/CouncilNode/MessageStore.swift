import CouncilProtocol
import CouncilWire
import Foundation
import GRDB

/// The node's durable store: an SQLite database in WAL mode with full synchronous commits, holding
/// accepted messages in acceptance order and held messages awaiting dependencies ([ACK-2]).
///
/// Writes come in batches, one transaction each: a group commit, so durability costs one fsync
/// per batch rather than per message.
public final class MessageStore: Sendable {
    public enum Record: Sendable {
        case accepted(SignedMessage)
        case held(SignedMessage)
        case released(MessageID)
    }

    public struct Fault: Error, CustomStringConvertible {
        public let description: String
    }

    let queue: DatabaseQueue
    public let path: String

    /// The database file of a data folder.
    public static func path(in folder: String) -> String { URL(fileURLWithPath: folder).appendingPathComponent("council.sqlite").path }

    /// Opens (or creates) the store of `council` in `folder`; refuses a store of another federation or council.
    public init(folder: String, council: String, rosterHash: Bytes32) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        path = Self.path(in: folder)
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.write { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
                CREATE TABLE IF NOT EXISTS accepted (position INTEGER PRIMARY KEY, id BLOB NOT NULL UNIQUE, bytes BLOB NOT NULL);
                CREATE TABLE IF NOT EXISTS held (id BLOB PRIMARY KEY, bytes BLOB NOT NULL);
                """)
            for (key, value) in [("roster_hash", Data(rosterHash.bytes)), ("council", Data(council.utf8))] {
                if let stored = try Data.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key]) {
                    guard stored == value else {
                        throw Fault(description: "\(path) belongs to another \(key == "council" ? "council (\(String(decoding: stored, as: UTF8.self)))" : "federation"); use another data folder")
                    }
                } else {
                    try db.execute(sql: "INSERT INTO meta (key, value) VALUES (?, ?)", arguments: [key, value])
                }
            }
        }
    }

    /// One accepted message as stored: its place in acceptance order and its canonical bytes.
    public struct StoredMessage: Sendable {
        public let position: Int64
        public let bytes: [UInt8]
    }

    /// Everything stored, after checking the database for damage (OPERATOR.md [CONF-10]): SQLite's
    /// `quick_check`, then every message against its id. The accepted messages go to `visit` one by
    /// one in acceptance order, so a restart never holds a million messages' bytes at once; the held
    /// ones are returned.
    public func load(accepted visit: (StoredMessage) throws -> Void) throws -> [[UInt8]] {
        do {
            return try read(visit)
        } catch let error as DatabaseError where [.SQLITE_CORRUPT, .SQLITE_NOTADB].contains(error.resultCode) {
            throw damage("SQLite reports \"\(error.message ?? "\(error.resultCode)")\"")
        }
    }

    private func read(_ visit: (StoredMessage) throws -> Void) throws -> [[UInt8]] {
        try queue.read { db in
            let problems = try String.fetchAll(db, sql: "PRAGMA quick_check")
            guard problems == ["ok"] else { throw damage("SQLite's check failed: \(problems.prefix(3).joined(separator: "; "))") }
            let rows = try Row.fetchCursor(db, sql: "SELECT position, id, bytes FROM accepted ORDER BY position")
            while let row = try rows.next() {
                let position: Int64 = row[0]
                let id: Data = row[1]
                let bytes = Array(row[2] as Data)
                guard Hashing.sha256(bytes).bytes.elementsEqual(id) else {
                    throw damage("the message at position \(position) does not hash to its stored id")
                }
                try visit(StoredMessage(position: position, bytes: bytes))
            }
            return try Data.fetchAll(db, sql: "SELECT bytes FROM held ORDER BY id").map { Array($0) }
        }
    }

    /// A store that cannot be trusted: the node stops rather than serve state it cannot vouch for.
    public func damage(_ reason: String) -> Fault {
        Fault(description: "\(path) is damaged: \(reason). The node will not serve state it cannot vouch for: "
            + "restore the data folder from a backup, or move it aside and let the node catch up from its peers")
    }

    /// Makes a batch durable in one transaction; on return every record survives a crash.
    public func commit(_ records: [Record]) throws {
        try queue.write { db in
            // Prepared once per connection and reused: parsing SQL per row cost more than the row.
            let accept = try db.cachedStatement(sql: "INSERT OR IGNORE INTO accepted (id, bytes) VALUES (?, ?)")
            let hold = try db.cachedStatement(sql: "INSERT OR IGNORE INTO held (id, bytes) VALUES (?, ?)")
            let release = try db.cachedStatement(sql: "DELETE FROM held WHERE id = ?")
            for record in records {
                switch record {
                case .accepted(let message):
                    let id = Data(message.id.bytes)
                    try accept.execute(arguments: [id, Data(message.bytes)])
                    try release.execute(arguments: [id])
                case .held(let message):
                    try hold.execute(arguments: [Data(message.id.bytes), Data(message.bytes)])
                case .released(let id):
                    try release.execute(arguments: [Data(id.bytes)])
                }
            }
        }
    }

    public func count() throws -> Int {
        try queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM accepted") ?? 0 }
    }
}
