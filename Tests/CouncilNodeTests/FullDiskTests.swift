import CouncilConformance
import CouncilNode
import CouncilProtocol
import CouncilWire
import Foundation
import Testing

/// Whether this test run may mount a tmpfs (it runs as root).
let canMountTmpfs = getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/mount")

/// [ACK-5] and OPERATOR.md §2.4, on a real full disk: the data folder is a 1 MiB tmpfs that the test
/// fills. Needs root (to mount); elsewhere the suite is skipped.
@Suite("Full disk", .serialized, .enabled(if: canMountTmpfs, "needs root to mount a tmpfs"))
struct FullDiskTests {

    static func run(_ arguments: [String]) throws {
        let process = try Process.run(URL(fileURLWithPath: "/usr/bin/\(arguments[0])"), arguments: Array(arguments.dropFirst()))
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestPeer.Failure("\(arguments.joined(separator: " ")) failed") }
    }

    /// The node's answer to one message: ACK or REJECT for its ID. A SYNC met on the way is
    /// answered as by a peer that holds nothing the node lacks ([SYNC-3]): the node's next SYNC
    /// waits until its last one is answered ([SYNC-4]).
    func answer(to message: SignedMessage, from peer: TestPeer) async throws -> Frame {
        try await peer.send(.message(message.bytes))
        var syncs = 0
        let frame = try await peer.expect(within: .seconds(20)) { frame in
            if case .sync = frame { syncs += 1 }
            return frame.answers(message.id)
        }
        if syncs > 0 { peer.send(Array(repeating: .syncDone(0), count: syncs)) }
        return try #require(frame, "no answer to \(message.id.short)")
    }

    @Test("[ACK-5][SYNC-6] a full disk: REJECT STORAGE_UNAVAILABLE with the link kept and the fault in status; with space again, ACKs resume and the node sends SYNC so that what it refused comes back")
    func fullDisk() async throws {
        let federation = try DaemonFederation(nodes: ["budapest"], links: [])
        let data = federation.folder.appendingPathComponent("data-budapest")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try Self.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", data.path])
        defer { try? Self.run(["umount", "-l", data.path]) }
        try await federation.startAll()
        defer { federation.stopAll() }

        // Signed before the link is up: the peer answers no PING while it signs, and a thousand
        // signatures under a sanitizer outlast the node's dead-link limit (§8.2).
        let messages = ConformanceContract.proposalChain(count: 1_000, roster: federation.roster)
        let peer = try await TestPeer.connect(to: federation.linkAddress("budapest"))
        defer { peer.close() }
        _ = try await peer.handshake(as: "gyor", key: TestFederation.councilKey("gyor"), roster: federation.roster)
        var next = 0
        for message in messages.prefix(5) {
            guard case .ack(let ack) = try await answer(to: message, from: peer) else { Issue.record("refused with space free"); return }
            #expect(ack.status == .accepted)
            next += 1
        }

        // Fill what is left of the disk, then send until a commit fails.
        let filler = data.appendingPathComponent("filler")
        _ = FileManager.default.createFile(atPath: filler.path, contents: nil)
        let handle = try FileHandle(forWritingTo: filler)
        var chunks = 0  // at most 2 MiB: the disk is 1 MiB
        while chunks < 128, (try? handle.write(contentsOf: Data(count: 16 * 1_024))) != nil { chunks += 1 }
        try? handle.close()
        var refused: SignedMessage?
        while refused == nil, next < messages.count {
            switch try await answer(to: messages[next], from: peer) {
            case .reject(let reject):
                #expect(reject.code == .storageUnavailable, "refused for want of space, not for \(reject.code.name)")
                refused = messages[next]
            case .ack: next += 1
            default: break
            }
        }
        let refusedMessage = try #require(refused, "every commit succeeded on a full disk")
        let status = try await federation.request("budapest", ["op": "status"])
        #expect(status["storage"]?.stringValue != "ok", "status reports the fault")
        #expect(try await federation.knows("budapest", refusedMessage.id) == "unknown", "nothing refused is kept")

        // Space again: the link is still up, the refused message is taken, and the node asks for more.
        try FileManager.default.removeItem(at: filler)
        guard case .ack(let ack) = try await answer(to: refusedMessage, from: peer) else { Issue.record("still refused with space free"); return }
        #expect(ack.status == .accepted)
        // A SYNC sent while the store failed may still come first; the one after recovery names
        // what the node now holds.
        let sync = try await peer.expect(within: .seconds(10)) { frame in
            guard case .sync(let vector) = frame else { return false }
            return vector.entries.contains { $0.author == TestFederation.delegateKey(9).publicKey && $0.sequence == UInt64(next) }
        }
        #expect(sync != nil, "a SYNC naming what the node now holds, after the store recovered")
        #expect(try await federation.request("budapest", ["op": "status"])["storage"]?.stringValue == "ok")
    }
}
