import ArgumentParser
import CouncilNode
import CouncilProtocol

/// `council keygen`: a new Ed25519 key in a key file (mode 0600).
struct Keygen: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Generate a key file for a council, its electors or a delegate.")

    @Option(name: .shortAndLong, help: "Where to write the key file.")
    var output: String

    @Option(help: "A label stored in the file, for people.")
    var label = "key"

    @Flag(help: "Replace an existing key file. The key it held is lost for good.")
    var force = false

    func run() throws {
        let key = SigningKey.generate()
        do {
            try KeyFile.write(key, label: label, to: output, replacing: force)
        } catch {
            guard error.exists else { throw CLIError(error.description) }
            throw CLIError("\(output) already exists; a key file is not replaced unless you pass --force (its key would be lost)")
        }
        print("wrote \(output)")
        print("public key \(key.publicKey)")
    }
}
