import CouncilConformance
import CouncilNode
import CouncilProtocol
import Foundation
import Testing

/// An operator's mistakes, as a new user makes them: each gets a message that says what is wrong
/// and where, and none loses anything (OPERATOR.md §2–§5).
@Suite("Operator mistakes")
struct OperatorMistakeTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("council-mistakes-\(UUID().uuidString.prefix(8))")

    @Test("[CONF-8] keygen does not replace an existing key file unless told to with --force")
    func keygenKeepsAnExistingKey() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("keys/gyor.key").path
        let (first, _) = try CommandLineTests.run(["keygen", "-o", path])
        let original = try KeyFile.load(path: path)
        let (second, refusal) = try CommandLineTests.run(["keygen", "-o", path])
        #expect(first == 0 && second == 1)
        #expect(refusal.contains("already exists") && refusal.contains("--force"), "\(refusal)")
        let kept = try KeyFile.load(path: path)
        #expect(kept.publicKey == original.publicKey, "the first key survives")
        let (forced, _) = try CommandLineTests.run(["keygen", "-o", path, "--force"])
        let replaced = try KeyFile.load(path: path)
        #expect(forced == 0 && replaced.publicKey != original.publicKey)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    /// Writes the conformance roster, Győr's key and a config naming `council` (or `text` as the
    /// config); returns the config's path.
    func config(council: String, text: String? = nil) throws -> String {
        let (path, _) = try ContractNodeFolder.write(folder, council: council, key: "gyor")
        if let text { try text.write(toFile: path, atomically: true, encoding: .utf8) }
        return path
    }

    @Test("[CONF-9] a key that is not the council's leaves no data folder marked for that council behind")
    func wrongKeyLeavesNoFolder() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let (status, message) = try CommandLineTests.run(["--config", try config(council: "miskolc")], executable: DaemonFederation.councild, timeout: 30)
        #expect(status == 3)
        #expect(message.contains("is not miskolc's current key"), "\(message)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("data").path), "no data folder was created")
    }

    @Test("[CONF-1] a missing comma in a config is reported at the line and member where it is missing")
    func missingCommaNamesTheMember() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = "{\n  \"council\": \"gyor\",\n  \"key\": \"gyor.key\"\n  \"roster\": \"roster.json\"\n}\n"
        let path = try config(council: "gyor", text: text)
        let (status, message) = try CommandLineTests.run(["--config", path], executable: DaemonFederation.councild, timeout: 30)
        #expect(status == 3)
        #expect(message.contains("node.json:3: key: expected ',' or '}' after this value"), "\(message)")
    }

    @Test("a usage error exits 64 with the subcommand's own usage; an unreachable node is named with the system's reason")
    func usageAndReachability() throws {
        let (usage, message) = try CommandLineTests.run(["conformance", "--target", "nothostport"])
        #expect(usage == 64)
        #expect(message.contains("--target nothostport is not host:port") && message.contains("Usage: council conformance"), "\(message)")
        let port = DaemonFederation.takePorts(1)
        let (unreachable, reason) = try CommandLineTests.run(["status", "--control", "127.0.0.1:\(port)"])
        #expect(unreachable == 1)
        #expect(reason.contains("127.0.0.1:\(port): Connection refused"), "\(reason)")
    }
}
