import Foundation

/// Runs the system tools the fault runs drive (`ip`, `iptables`, `tc`) and fails loudly.
enum Shell {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs `arguments` (the first is looked up on PATH) and returns its standard output.
    @discardableResult
    static func run(_ arguments: [String], allowFailure: Bool = false) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if process.terminationStatus != 0 && !allowFailure {
            throw Failure(description: "`\(arguments.joined(separator: " "))` failed (\(process.terminationStatus)): "
                + String(decoding: err, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Runs a command inside a network namespace.
    @discardableResult
    static func inside(_ namespace: String, _ arguments: [String], allowFailure: Bool = false) throws -> String {
        try run(["ip", "netns", "exec", namespace] + arguments, allowFailure: allowFailure)
    }
}

/// Prints and flushes at once, so progress shows as it happens even when output is a file or pipe.
func say(_ text: String, terminator: String = "\n") {
    print(text, terminator: terminator)
    fflush(nil)
}
