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
            throw JSONParser.Failure(file: path, line: 0, field: "", reason: "cannot read the key file: \(error.localizedDescription)")
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

    public static func write(_ key: SigningKey, label: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: path, contents: Data(render(key, label: label).utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }
}
