import CouncilProtocol
import CouncilWire

/// One test vector (Spec/vectors/README.md): a frame's exact bytes and what a decoder must make of them.
public struct Vector: Sendable {
    public var name: String
    public var description: String
    /// The bytes on the wire, length prefix included.
    public var frame: [UInt8]
    /// Whether the frame is sealed (after the handshake) rather than plaintext.
    public var expectation: Expectation
    /// Extra fields: decoded values, signing input, signature, message ID.
    public var fields: [String: JSONValue]

    public enum Expectation: Sendable {
        case valid
        case invalid(ErrorCode)
    }

    public init(name: String, description: String, frame: [UInt8], expectation: Expectation, fields: [String: JSONValue] = [:]) {
        self.name = name
        self.description = description
        self.frame = frame
        self.expectation = expectation
        self.fields = fields
    }

    public var json: JSONValue {
        var object = fields
        object["name"] = .string(name)
        object["description"] = .string(description)
        object["frame"] = .string(Hex.encode(frame))
        switch expectation {
        case .valid:
            object["valid"] = true
        case .invalid(let code):
            object["valid"] = false
            object["error"] = .string(code.name)
            object["error_code"] = .uint(code.rawValue)
        }
        return .object(object)
    }
}

/// A named file of vectors under Spec/vectors/.
public struct VectorFile: Sendable {
    public var fileName: String
    public var vectors: [Vector]

    public var rendered: String { JSONValue.array(vectors.map(\.json)).rendered() + "\n" }
}
