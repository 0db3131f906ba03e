import CouncilProtocol
import CouncilVectors
import CouncilWire

/// Every invalid message of Spec/vectors/messages.json, sent in a MESSAGE on an authenticated
/// link: each must be answered REJECT with the listed code, naming the SHA-256 of the body.
enum VectorCases {
    /// The requirement each family of vectors checks.
    static func requirement(for name: String) -> String {
        let family = name.split(separator: ".").dropFirst().first.map(String.init) ?? ""
        switch family {
        case "signature": return "SIG-3"
        case "kind": return "MSG-1"
        case "sequence": return "MSG-2"
        case "prev": return "MSG-3"
        case "refs": return name.contains("too-many") ? "MSG-6" : "MSG-5"
        case "payload", "message": return "MSG-4"
        case "truncated": return "ENC-2"
        case "identifier": return "ENC-5"
        case "scope": return name.contains("empty") ? "MANDATE-1" : "ENC-9"
        case "instructions": return "MANDATE-2"
        case "vote": return name.contains("utf8") || name.contains("too-long") ? "ENC-6" : name.contains("beyond") ? "ENC-2" : "ENC-8"
        default: return "ENC-8"
        }
    }

    static var all: [ConformanceCase] {
        guard case .array(let vectors) = JSONValue.array(MessageVectorsAccess.invalid().map(\.json)) else { return [] }
        return vectors.compactMap { vector -> ConformanceCase? in
            guard let name = vector["name"]?.stringValue, let hex = vector["frame"]?.stringValue, let bytes = Hex.decode(hex),
                  let expected = vector["error"]?.stringValue, let code = ErrorCode.registry.first(where: { $0.name == expected })?.code
            else { return nil }
            let body = Array(bytes.dropFirst(7))
            let caseName = name.replacingOccurrences(of: "invalid.", with: "vector-").replacingOccurrences(of: ".", with: "-")
            return ConformanceCase("\(requirement(for: name))/\(caseName)", "messages.json \(name): REJECT \(expected)") { context in
                context.verdict(try await context.submit(body, on: try await context.sharedLink()), .reject(code))
            }
        }
    }
}
