import CouncilWire

/// A parsed JSON file that can say where each value came from, so that every schema error in a
/// roster, config or exchange file names the file, the line and the field.
public struct JSONDocument: Sendable {
    public let root: JSONValue
    public let file: String
    private let lines: [String: Int]

    public init(text: String, file: String) throws(JSONParser.Failure) {
        var parser = JSONParser(text, file: file)
        root = try parser.parse()
        lines = parser.lines
        self.file = file
    }

    /// A failure located at a field, or at its nearest parent that has a line.
    public func failure(_ path: String, _ reason: String) -> JSONParser.Failure {
        var probe = path
        while lines[probe] == nil, let dot = probe.lastIndex(of: ".") { probe = String(probe[..<dot]) }
        return JSONParser.Failure(file: file, line: lines[probe] ?? 1, field: path, reason: reason)
    }

    public func value(_ path: String) -> JSONValue? {
        var current: JSONValue? = root
        for component in path.split(separator: ".") where !component.isEmpty {
            switch current {
            case .object(let members)?: current = members[String(component)]
            case .array(let items)?: current = Int(component).flatMap { $0 < items.count ? items[$0] : nil }
            default: return nil
            }
        }
        return current
    }

    public func string(_ path: String) throws(JSONParser.Failure) -> String {
        guard let value = value(path) else { throw failure(path, "is missing") }
        guard let text = value.stringValue else { throw failure(path, "must be a string") }
        return text
    }

    public func optionalString(_ path: String) throws(JSONParser.Failure) -> String? {
        guard value(path) != nil, value(path) != .null else { return nil }
        return try string(path)
    }

    public func integer<I: FixedWidthInteger>(_ path: String, _ type: I.Type, default fallback: I? = nil) throws(JSONParser.Failure) -> I {
        guard let value = value(path) else {
            if let fallback { return fallback }
            throw failure(path, "is missing")
        }
        guard let number = value.intValue, let fitted = I(exactly: number) else {
            throw failure(path, "must be a whole number from \(I.min) to \(I.max)")
        }
        return fitted
    }

    public func integer(_ path: String, default fallback: Int? = nil) throws(JSONParser.Failure) -> Int {
        try integer(path, Int.self, default: fallback)
    }

    public func count(_ path: String, required: Bool = true) throws(JSONParser.Failure) -> Int {
        guard let value = value(path) else {
            if required { throw failure(path, "is missing") }
            return 0
        }
        guard let items = value.arrayValue else { throw failure(path, "must be a list") }
        return items.count
    }

    /// A member naming an identifier (§5.2).
    public func identifier(_ path: String) throws(JSONParser.Failure) -> String {
        let text = try string(path)
        guard Identifier.isValid(text) else { throw failure(path, "\"\(text)\" is not an identifier: 1–64 of a-z, 0-9 and '-', not starting with '-'") }
        return text
    }

    /// A member holding bytes as hex digits.
    public func hex(_ path: String) throws(JSONParser.Failure) -> [UInt8] {
        guard let bytes = Hex.decode(try string(path)) else { throw failure(path, "must be hex digits, two per byte") }
        return bytes
    }

    /// A member holding 32 bytes as 64 hex digits.
    public func bytes32(_ path: String) throws(JSONParser.Failure) -> Bytes32 {
        let text = try string(path)
        guard let value = Bytes32(hex: text) else { throw failure(path, "must be 64 hex digits (32 bytes)") }
        return value
    }

    /// Rejects members this schema does not define, so that a typo is an error, not a silent default.
    public func allowOnly(_ path: String, _ keys: Set<String>) throws(JSONParser.Failure) {
        guard case .object(let members)? = value(path) else { throw failure(path, "must be an object") }
        if let unknown = members.keys.sorted().first(where: { !keys.contains($0) }) {
            throw failure(JSONParser.join(path, unknown), "is not a known field (known: \(keys.sorted().joined(separator: ", ")))")
        }
    }
}
