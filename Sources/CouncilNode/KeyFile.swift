import CouncilProtocol
import CouncilWire
import Foundation

/// Key files: a JSON object with the Ed25519 seed and, for the reader's convenience, the public key.
/// Written with mode 0600: whoever reads the file can act as its owner.
public enum KeyFile {
    public static func load(path: String) throws(JSONParser.Failure) -> SigningKey {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw JSONParser.Failure(file: path, line: 0, field: "", reason: "cannot read the key file: \(error.fileReason)")
        }
        let document = try JSONDocument(text: text, file: path)
        let key = SigningKey(seed: try document.bytes32("seed"))
        if document.value("public_key") != nil, try document.bytes32("public_key") != key.publicKey {
            throw document.failure("public_key", "does not match the seed")
        }
        return key
    }

    /// The file's text.
    public static func render(_ key: SigningKey, label: String) -> String {
        let json: JSONValue = [
            "kind": "council-protocol ed25519 seed", "label": .string(label), "seed": .string(key.seed.description),
            "public_key": .string(key.publicKey.description),
        ]
        return json.rendered() + "\n"
    }

    /// A failure to write a key file, with the operating system's reason.
    public struct WriteFailure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Writes the file with mode 0600 from its creation on, so that the seed is never readable by others.
    public static func write(_ key: SigningKey, label: String, to path: String) throws(WriteFailure) {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw WriteFailure(description: "cannot create the folder \(folder.path): \(error.fileReason)")
        }
        let bytes = Array(render(key, label: label).utf8)
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { throw WriteFailure(description: "cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        guard fchmod(descriptor, 0o600) == 0, Foundation.write(descriptor, bytes, bytes.count) == bytes.count else {
            throw WriteFailure(description: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}
