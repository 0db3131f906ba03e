import CouncilConformance
import CouncilNode
import CouncilProtocol
import CouncilWire
import Foundation
import Logging
import Testing

/// OPERATOR.md [CONF-10]: a torn last write is recovered to exactly the intact prefix; damage in
/// the middle of the store stops the daemon with a clear error instead of serving wrong state.
@Suite("Storage damage")
struct StorageDamageTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("council-damage-\(UUID().uuidString.prefix(8))")
    let messages = ConformanceContract.proposalChain(count: 200)

    func store(at folder: URL) throws -> MessageStore {
        try MessageStore(folder: folder.path, council: "gyor", rosterHash: ConformanceContract.roster.hash)
    }

    /// Commits every message in its own transaction, as a node accepting them one by one would.
    func fill(_ store: MessageStore) throws {
        for message in messages { try store.commit([.accepted(message)]) }
    }

    /// The files as a crash would leave them: copied while the store is still open.
    func crashImage(of store: MessageStore) throws -> URL {
        let image = folder.appendingPathComponent("image")
        try FileManager.default.createDirectory(at: image, withIntermediateDirectories: true)
        for suffix in ["", "-wal"] {
            try FileManager.default.copyItem(atPath: store.path + suffix, toPath: image.appendingPathComponent("council.sqlite\(suffix)").path)
        }
        return image
    }

    func restoredIDs(_ folder: URL) throws -> [MessageID] {
        var ids: [MessageID] = []
        _ = try store(at: folder).load { ids.append(Hashing.sha256($0.bytes)) }
        return ids
    }

    @Test("[CONF-10] a truncated last write leaves exactly the transactions before it", arguments: [1, 37, 200])
    func truncatedTail(bytes: Int) throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let live = try store(at: folder.appendingPathComponent("live"))
        try fill(live)
        let image = try crashImage(of: live)
        let wal = image.appendingPathComponent("council.sqlite-wal").path
        let size = try FileManager.default.attributesOfItem(atPath: wal)[.size] as! Int
        #expect(size > 4_096 * 20, "the commits are still in the WAL, as after a crash")
        try FileHandle(forWritingAtPath: wal)!.truncate(atOffset: UInt64(size - bytes))
        #expect(try restoredIDs(image) == messages.dropLast().map(\.id))
    }

    @Test("[CONF-10] a torn last write (its final bytes garbled) leaves exactly the transactions before it")
    func tornTail() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let live = try store(at: folder.appendingPathComponent("live"))
        try fill(live)
        let image = try crashImage(of: live)
        let handle = FileHandle(forUpdatingAtPath: image.appendingPathComponent("council.sqlite-wal").path)!
        let end = try handle.seekToEnd()
        try handle.seek(toOffset: end - 600)
        handle.write(Data(repeating: 0xA5, count: 600))
        try handle.close()
        #expect(try restoredIDs(image) == messages.dropLast().map(\.id))
    }

    enum Damage: String, CaseIterable, CustomStringConvertible {
        case messageByte = "one byte of a stored message"
        case wholePage = "a whole page in the middle"
        var description: String { rawValue }
    }

    @Test("[CONF-10] damage in the middle of the store stops councild (exit 1) with a message naming the database", arguments: Damage.allCases)
    func middleDamage(_ damage: Damage) throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("data")
        do { try fill(try store(at: data)) }  // closed here: SQLite checkpoints the WAL into the database file
        let path = data.appendingPathComponent("council.sqlite").path
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        switch damage {
        case .messageByte:
            let title = Array("Benchmark question 150".utf8)
            let offset = try #require((0...(bytes.count - title.count)).first { bytes[$0..<($0 + title.count)].elementsEqual(title) })
            bytes[offset + 3] ^= 0x20
        case .wholePage:
            let pages = bytes.count / 4_096
            let page = pages / 2
            for index in (page * 4_096)..<((page + 1) * 4_096) { bytes[index] = 0 }
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        let (status, message) = try runCouncild()
        #expect(status == 1)
        #expect(message.contains("council.sqlite"), "names the database: \(message)")
        if damage == .messageByte { #expect(message.contains("is damaged") && message.contains("position"), "\(message)") }
    }

    @Test("[CONF-10] an intact store restarts with every message accepted again")
    func intactRestart() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("live")
        do { try fill(try store(at: data)) }  // closed: the node below opens it afresh
        let node = try Node(council: "gyor", key: ConformanceContract.councilKey("gyor"), roster: ConformanceContract.roster, store: try store(at: data),
                            limits: NodeLimits(), peers: [], logger: Logger(label: "test"))
        #expect(await node.status()["accepted"]?.intValue == Int64(messages.count))
    }

    /// Starts councild on the folder's `data` and returns its exit status and output.
    func runCouncild() throws -> (Int32, String) {
        let (config, _) = try ContractNodeFolder.write(folder, council: "gyor")
        return try CommandLineTests.run(["--config", config], executable: DaemonFederation.councild, timeout: 60)
    }
}
