import CouncilNode
import CouncilProtocol
import Foundation
import Testing

/// The README's commands, run as a user would: `council up` and `council replay --all`.
@Suite("council up and council replay", .serialized)
struct CommandLineTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var council: String {
        URL(fileURLWithPath: DaemonFederation.councild).deletingLastPathComponent().appendingPathComponent("council").path
    }

    /// Runs `council` (or `executable`) from the repository's root; returns its exit status and
    /// output. A process still running after `timeout` seconds is stopped and the test fails.
    static func run(_ arguments: [String], executable: String = council, timeout: TimeInterval = 900) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = root
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("council-cli-\(UUID().uuidString.prefix(8)).log")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning {
            process.terminate()
            Issue.record("\(executable) \(arguments.joined(separator: " ")) was still running after \(Int(timeout)) s")
        }
        process.waitUntilExit()
        try handle.close()
        defer { try? FileManager.default.removeItem(at: output) }
        return (process.terminationStatus, try String(contentsOf: output, encoding: .utf8))
    }

    @Test("`council up` starts the five radio stations with every link of the topology up, and `council down` stops them")
    func up() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("council-up-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (status, output) = try Self.run(["up", "--detach", "--federation", folder, "--port-offset", "\(Int.random(in: 20...200) * 10)"])
        let (downStatus, downOutput) = try Self.run(["down", "--federation", folder])
        #expect(status == 0, "\(output)")
        #expect(output.contains("all 10 links up"), "\(output)")
        #expect(downStatus == 0)
        #expect(downOutput.contains("stopped 5 daemon(s)"))
    }

    @Test("every example exchange replays, each ending with its scripted digest at every node")
    func replayAll() throws {
        let (status, output) = try Self.run(["replay", "--all"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("0 failed"))
    }
}
