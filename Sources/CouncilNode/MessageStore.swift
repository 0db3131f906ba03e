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

    /// Opens (or creates) the store of `council` in `folder`; refuses a store of another federation or council.
    public init(folder: String, council: String, rosterHash: Bytes32) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        path = URL(fileURLWithPath: folder).appendingPathComponent("council.sqlite").path
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

    /// Everything stored, accepted messages in acceptance order first.
    public func load() throws -> (accepted: [[UInt8]], held: [[UInt8]]) {
        try queue.read { db in
            let accepted = try Data.fetchAll(db, sql: "SELECT bytes FROM accepted ORDER BY position").map { Array($0) }
            let held = try Data.fetchAll(db, sql: "SELECT bytes FROM held ORDER BY id").map { Array($0) }
            return (accepted, held)
        }
    }

    /// Makes a batch durable in one transaction; on return every record survives a crash.
    public func commit(_ records: [Record]) throws {
        try queue.write { db in
            for record in records {
                switch record {
                case .accepted(let message):
                    try db.execute(sql: "INSERT OR IGNORE INTO accepted (id, bytes) VALUES (?, ?)", arguments: [Data(message.id.bytes), Data(message.bytes)])
                    try db.execute(sql: "DELETE FROM held WHERE id = ?", arguments: [Data(message.id.bytes)])
                case .held(let message):
                    try db.execute(sql: "INSERT OR IGNORE INTO held (id, bytes) VALUES (?, ?)", arguments: [Data(message.id.bytes), Data(message.bytes)])
                case .released(let id):
                    try db.execute(sql: "DELETE FROM held WHERE id = ?", arguments: [Data(id.bytes)])
                }
            }
        }
    }

    public func count() throws -> Int {
        try queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM accepted") ?? 0 }
    }
}
