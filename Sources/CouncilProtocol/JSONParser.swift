/// A strict JSON parser (RFC 8259) that remembers where each value stood, so that a bad roster,
/// config or exchange file is reported with its line and field, not just "invalid JSON".
public struct JSONParser {
    /// A parse or schema fault, located in its source.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var file: String
        public var line: Int
        public var field: String
        public var reason: String

        public init(file: String, line: Int, field: String, reason: String) {
            self.file = file
            self.line = line
            self.field = field
            self.reason = reason
        }

        public var description: String {
            "\(file)\(line > 0 ? ":\(line)" : ""): \(field.isEmpty ? "" : "\(field): ")\(reason)"
        }
    }

    private let scalars: [UInt8]
    private var index = 0
    private var line = 1
    private let file: String
    /// The line on which each object member's value started, by dotted path (`councils.2.key`).
    public private(set) var lines: [String: Int] = [:]

    public init(_ text: String, file: String) {
        scalars = Array(text.utf8)
        self.file = file
    }

    /// Parses a whole document; trailing non-space is an error.
    public mutating func parse() throws(Failure) -> JSONValue {
        let value = try parseValue(path: "")
        skipSpace()
        guard index == scalars.count else { throw failure("", "unexpected text after the JSON value") }
        return value
    }

    public func failure(_ field: String, _ reason: String, line: Int? = nil) -> Failure {
        Failure(file: file, line: line ?? self.line, field: field, reason: reason)
    }

    private mutating func skipSpace() {
        while index < scalars.count {
            switch scalars[index] {
            case UInt8(ascii: "\n"): line += 1
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"): break
            default: return
            }
            index += 1
        }
    }

    private mutating func expect(_ char: UInt8, _ path: String) throws(Failure) {
        skipSpace()
        guard index < scalars.count, scalars[index] == char else {
            throw failure(path, "expected '\(Character(UnicodeScalar(char)))'")
        }
        index += 1
    }

    private mutating func parseValue(path: String) throws(Failure) -> JSONValue {
        skipSpace()
        lines[path] = line
        guard index < scalars.count else { throw failure(path, "the file ends where a value should be") }
        switch scalars[index] {
        case UInt8(ascii: "{"): return try parseObject(path: path)
        case UInt8(ascii: "["): return try parseArray(path: path)
        case UInt8(ascii: "\""): return .string(try parseString(path: path))
        case UInt8(ascii: "t"): return try literal("true", .bool(true), path)
        case UInt8(ascii: "f"): return try literal("false", .bool(false), path)
        case UInt8(ascii: "n"): return try literal("null", .null, path)
        default: return try parseNumber(path: path)
        }
    }

    private mutating func literal(_ word: String, _ value: JSONValue, _ path: String) throws(Failure) -> JSONValue {
        let bytes = Array(word.utf8)
        guard index + bytes.count <= scalars.count, Array(scalars[index..<index + bytes.count]) == bytes else {
            throw failure(path, "expected a JSON value")
        }
        index += bytes.count
        return value
    }

    private mutating func parseNumber(path: String) throws(Failure) -> JSONValue {
        let start = index
        if index < scalars.count, scalars[index] == UInt8(ascii: "-") { index += 1 }
        while index < scalars.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(scalars[index]) { index += 1 }
        let text = String(decoding: scalars[start..<index], as: UTF8.self)
        if index < scalars.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(scalars[index]) {
            throw failure(path, "only whole numbers are used in these files")
        }
        guard let value = Int64(text) else { throw failure(path, text.isEmpty ? "expected a JSON value" : "\(text) is not a 64-bit integer") }
        return .int(value)
    }

    private mutating func parseString(path: String) throws(Failure) -> String {
        index += 1
        var bytes: [UInt8] = []
        while index < scalars.count {
            let char = scalars[index]
            index += 1
            switch char {
            case UInt8(ascii: "\""):
                guard let text = String(validating: bytes, as: UTF8.self) else { throw failure(path, "string is not valid UTF-8") }
                return text
            case UInt8(ascii: "\\"):
                guard index < scalars.count else { break }
                let escape = scalars[index]
                index += 1
                switch escape {
                case UInt8(ascii: "n"): bytes.append(0x0A)
                case UInt8(ascii: "t"): bytes.append(0x09)
                case UInt8(ascii: "r"): bytes.append(0x0D)
                case UInt8(ascii: "b"): bytes.append(0x08)
                case UInt8(ascii: "f"): bytes.append(0x0C)
                case UInt8(ascii: "u"):
                    guard index + 4 <= scalars.count, let code = UInt32(String(decoding: scalars[index..<index + 4], as: UTF8.self), radix: 16),
                          let scalar = Unicode.Scalar(code)
                    else { throw failure(path, "bad \\u escape") }
                    index += 4
                    bytes.append(contentsOf: Array(String(Character(scalar)).utf8))
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): bytes.append(escape)
                default: throw failure(path, "bad escape in string")
                }
            case UInt8(ascii: "\n"):
                throw failure(path, "line break inside a string")
            default:
                bytes.append(char)
            }
        }
        throw failure(path, "unterminated string")
    }

    private mutating func parseArray(path: String) throws(Failure) -> JSONValue {
        index += 1
        var items: [JSONValue] = []
        skipSpace()
        if index < scalars.count, scalars[index] == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            let itemPath = Self.join(path, String(items.count))
            items.append(try parseValue(path: itemPath))
            if try separator(closing: UInt8(ascii: "]"), after: itemPath) { return .array(items) }
        }
    }

    private mutating func parseObject(path: String) throws(Failure) -> JSONValue {
        index += 1
        var members: [String: JSONValue] = [:]
        skipSpace()
        if index < scalars.count, scalars[index] == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipSpace()
            guard index < scalars.count, scalars[index] == UInt8(ascii: "\"") else { throw failure(path, "expected a member name") }
            let key = try parseString(path: path)
            guard members[key] == nil else { throw failure(Self.join(path, key), "appears twice") }
            try expect(UInt8(ascii: ":"), Self.join(path, key))
            members[key] = try parseValue(path: Self.join(path, key))
            if try separator(closing: UInt8(ascii: "}"), after: Self.join(path, key)) { return .object(members) }
        }
    }

    /// Consumes the ',' or the closing bracket after an item or member; true for the bracket. A
    /// fault names the item and the line it ended on: a missing comma is found only on the next
    /// line, but is made on this one.
    private mutating func separator(closing: UInt8, after itemPath: String) throws(Failure) -> Bool {
        let endedOn = line
        let bracket = Character(UnicodeScalar(closing))
        skipSpace()
        guard index < scalars.count else { throw failure(itemPath, "the file ends before '\(bracket)'") }
        let found = scalars[index]
        guard found == UInt8(ascii: ",") || found == closing else {
            throw failure(itemPath, "expected ',' or '\(bracket)' after this value", line: endedOn)
        }
        index += 1
        return found == closing
    }

    public static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
}
