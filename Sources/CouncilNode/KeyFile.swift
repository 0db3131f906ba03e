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
        /// The file exists and was not to be replaced.
        public let exists: Bool

        init(_ path: String, errno code: Int32) {
            self.init(path, reason: String(cString: strerror(code)), exists: code == EEXIST)
        }

        init(_ path: String, reason: String, exists: Bool = false) {
            description = "cannot write \(path): \(reason)"
            self.exists = exists
        }
    }

    /// Writes the file with mode 0600 from its creation on, so that the seed is never readable by
    /// others, and durably. Without `replacing`, an existing file (or a link in its place) is left
    /// alone; with it, the new file is written beside the old and renamed over it, so that the old
    /// key is never cut short before the new one is whole.
    public static func write(_ key: SigningKey, label: String, to path: String, replacing: Bool = true) throws(WriteFailure) {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw WriteFailure(folder.path, reason: error.fileReason)
        }
        let target = replacing ? "\(path).new-\(getpid())" : path
        let descriptor = open(target, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | (replacing ? O_TRUNC : O_EXCL), 0o600)
        guard descriptor >= 0 else { throw WriteFailure(path, errno: errno) }
        var failed = writeAll(Array(render(key, label: label).utf8), to: descriptor)
        if failed == nil, fchmod(descriptor, 0o600) != 0 || fsync(descriptor) != 0 { failed = errno }
        if close(descriptor) != 0, failed == nil { failed = errno }
        if failed == nil, replacing, rename(target, path) != 0 { failed = errno }
        if let failed {
            unlink(target)
            throw WriteFailure(path, errno: failed)
        }
    }

    /// Writes every byte, again after an interruption or a short write; the error number if not.
    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Int32? {
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                written += count
            } else if count == 0 || errno != EINTR {
                return count == 0 ? EIO : errno
            }
        }
        return nil
    }
}
