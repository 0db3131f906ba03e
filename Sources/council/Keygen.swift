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

    func run() throws {
        let key = SigningKey.generate()
        try KeyFile.write(key, label: label, to: output)
        print("wrote \(output)")
        print("public key \(key.publicKey)")
    }
}
