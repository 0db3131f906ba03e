import Foundation

/// Starts `councild` as a child process with its output appended to a log file: what `council up`,
/// `council replay`, the conformance self-test, the benchmarks and the tests share.
public enum CouncildProcess {
    public static func spawn(executable: String, config: String, log: String, level: String = "info") throws -> Process {
        try run(executable, ["--config", config, "--log-level", level], log: log)
    }

    /// Starts any program with its output appended to `log` (created if missing) and no input.
    public static func run(_ executable: String, _ arguments: [String], log: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !FileManager.default.fileExists(atPath: log) { _ = FileManager.default.createFile(atPath: log, contents: nil) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Polls the operator channel until the node answers, or gives up after `seconds`.
    public static func waitUntilAnswering(_ control: NetworkAddress, seconds: Double = 10) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if (try? await OperatorClient.request(["op": "status"], to: control)) != nil { return true }
            try? await Task.sleep(for: .milliseconds(25))
        }
        return false
    }
}
