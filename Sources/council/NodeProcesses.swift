import CouncilNode
import CouncilProtocol
import Foundation

/// Starts and stops the `councild` processes of a local federation. Each node's process ID is kept
/// in its folder, so `council down`, `council replay` and a second `council up` can find it.
struct NodeProcesses {
    let federation: LocalFederation
    let councild: String

    /// The daemon next to this executable (both are built into the same folder).
    static func defaultDaemon() -> String {
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        return here.appendingPathComponent("councild").path
    }

    func start(_ council: String) throws {
        guard FileManager.default.isExecutableFile(atPath: councild) else {
            throw CLIError("no councild at \(councild); build it with `swift build` or pass --councild PATH")
        }
        let process = try CouncildProcess.spawn(executable: councild, config: federation.configPath(of: council), log: federation.logPath(of: council))
        try "\(process.processIdentifier)\n".write(toFile: federation.pidPath(of: council), atomically: true, encoding: .utf8)
    }

    func pid(of council: String) -> pid_t? {
        guard let text = try? String(contentsOfFile: federation.pidPath(of: council), encoding: .utf8), let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)),
              Foundation.kill(pid, 0) == 0
        else { return nil }
        return pid
    }

    func isRunning(_ council: String) -> Bool { pid(of: council) != nil }

    /// SIGKILL: the node stops at once, as in a crash.
    func kill(_ council: String) {
        if let pid = pid(of: council) {
            Foundation.kill(pid, SIGKILL)
            waitForExit(pid, seconds: 5)
        }
        try? FileManager.default.removeItem(atPath: federation.pidPath(of: council))
    }

    /// SIGTERM to every node at once, then SIGKILL to any still running after the grace period.
    /// Returns how many were running.
    @discardableResult
    func stop(_ councils: [String], grace: Double = 5) -> Int {
        let running = councils.compactMap { council in pid(of: council).map { (council, $0) } }
        for (_, pid) in running { Foundation.kill(pid, SIGTERM) }
        for (council, pid) in running {
            if !waitForExit(pid, seconds: grace) {
                Foundation.kill(pid, SIGKILL)
                waitForExit(pid, seconds: 2)
            }
            try? FileManager.default.removeItem(atPath: federation.pidPath(of: council))
        }
        return running.count
    }

    @discardableResult
    func waitForExit(_ pid: pid_t, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { return true }
            if Foundation.kill(pid, 0) != 0 { return true }
            usleep(20_000)
        }
        return false
    }
}
