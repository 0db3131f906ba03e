import CouncilProtocol
import Foundation

/// Reads checked-in files of the repository (the Spec's vectors) from the source tree.
enum SpecFiles {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func text(_ relative: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(relative), encoding: .utf8)
    }

    static func json(_ relative: String) throws -> JSONValue {
        var parser = JSONParser(try text(relative), file: relative)
        return try parser.parse()
    }

    static func vectors(_ file: String) throws -> [JSONValue] {
        try json("Spec/vectors/\(file)").arrayValue ?? []
    }
}
