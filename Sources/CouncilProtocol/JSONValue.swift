/// A JSON value with one deterministic rendering (object keys sorted, two-space indent), so that
/// generated files such as the Spec's test vectors are byte-stable and diff cleanly.
public enum JSONValue: Hashable, Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    case null
    case bool(Bool)
    case int(Int64)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }

    public static func uint(_ value: some BinaryInteger) -> JSONValue { .int(Int64(clamping: value)) }

    public func rendered(indent: String = "") -> String {
        var out = ""
        render(into: &out, indent: indent, pretty: true)
        return out
    }

    /// One line, for JSON-lines output and the operator channel.
    public var compact: String {
        var out = ""
        render(into: &out, indent: "", pretty: false)
        return out
    }

    private func render(into out: inout String, indent: String, pretty: Bool) {
        let inner = indent + "  "
        let newline = pretty ? "\n" : ""
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .int(let value): out += String(value)
        case .string(let value): Self.quote(value, into: &out)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "[" + newline
            for (index, item) in items.enumerated() {
                if pretty { out += inner }
                item.render(into: &out, indent: inner, pretty: pretty)
                out += (index == items.count - 1 ? "" : ",") + newline
            }
            out += (pretty ? indent : "") + "]"
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            out += "{" + newline
            let keys = members.keys.sorted()
            for (index, key) in keys.enumerated() {
                if pretty { out += inner }
                Self.quote(key, into: &out)
                out += pretty ? ": " : ":"
                members[key]!.render(into: &out, indent: inner, pretty: pretty)
                out += (index == keys.count - 1 ? "" : ",") + newline
            }
            out += (pretty ? indent : "") + "}"
        }
    }

    private static func quote(_ text: String, into out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20:
                let hex = String(c.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var intValue: Int64? {
        if case .int(let value) = self { return value }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }
}
