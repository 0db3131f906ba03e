import ArgumentParser
import CouncilNode
import CouncilProtocol
import CouncilWire
import Foundation

/// How an act reaches the node: signed by the node with its council key, or drafted by the node,
/// signed here with a key file (a delegate's, the electors'), and submitted.
struct ActOptions: ParsableArguments {
    @OptionGroup var node: NodeOptions

    @Option(help: "Sign with this key file instead of the node's council key (a delegate's or the electors').")
    var key: String?

    func submit(_ payload: JSONValue) async throws {
        let answer: JSONValue
        if let key {
            let signer = try KeyFile.load(path: key)
            let drafted = try await node.request(["op": "draft", "author": .string(signer.publicKey.description), "payload": payload])
            guard let hex = drafted["message"]?.stringValue, let bytes = Hex.decode(hex) else { throw CLIError("the node sent no draft") }
            let draft = try GovernanceMessage(decoding: bytes)
            let message = SignedMessage(signing: draft, with: signer, rosterHash: try await rosterHash())
            answer = try await node.request(["op": "submit", "message": .string(Hex.encode(message.bytes))])
        } else {
            answer = try await node.request(["op": "act", "payload": payload])
        }
        if node.json { return print(answer.rendered()) }
        let id = answer["id"]?.stringValue ?? ""
        switch answer["decision"]?.stringValue {
        case "accepted": print("accepted \(id)")
        case "held": print("held \(id) (awaiting messages it depends on, or its time)")
        case "duplicate": print("already accepted \(id)")
        default:
            throw CLIError("rejected: \(answer["code"]?.stringValue ?? "?") — \(answer["detail"]?.stringValue ?? "")")
        }
    }

    /// A public key given as 64 hex digits, or read from a key file.
    static func publicKey(_ hexOrKeyFile: String) throws -> PublicKey {
        try Bytes32(hex: hexOrKeyFile) ?? KeyFile.load(path: hexOrKeyFile).publicKey
    }

    func rosterHash() async throws -> Bytes32 {
        let status = try await node.request(["op": "status"])
        guard let hash = status["roster_hash"]?.stringValue.flatMap(Bytes32.init(hex:)) else { throw CLIError("the node sent no roster hash") }
        return hash
    }
}

struct MandateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mandate", abstract: "Mandate a delegate to one of the council's seats.")

    @OptionGroup var act: ActOptions
    @Option(help: "The body.") var body: String
    @Option(help: "The seat in the body.") var seat: String
    @Option(help: "The delegate's public key (hex) or key file.") var delegate: String
    @Option(help: "The delegate's vote weight.") var weight = 1
    @Option(help: "Kinds of question the delegate may act on, comma-separated.") var scope: String
    @Option(help: "A binding instruction, question=for|against|abstain (repeatable).") var instruct: [Instruction] = []
    @Option(help: "How long the mandate is valid: 90s, 15m, 2h, 30d.") var validFor = TimeSpan(argument: "30d")!

    func run() async throws {
        let delegateKey = try ActOptions.publicKey(delegate)
        let now = UInt64(Date().timeIntervalSince1970 * 1_000)
        let instructions: [JSONValue] = instruct.map { ["question": .string($0.question), "choice": .string($0.choice)] }
        try await act.submit([
            "act": "MANDATE", "body": .string(body), "seat": .string(seat), "delegate": .string(delegateKey.description),
            "weight": .int(Int64(weight)), "valid_from": .uint(now - 60_000), "valid_until": .uint(now + validFor.milliseconds),
            "scope": .array(scope.split(separator: ",").map { .string(String($0)) }), "instructions": .array(instructions),
        ])
    }
}

/// `--instruct question=choice`: the node checks the choice; the form is checked while parsing.
struct Instruction: ExpressibleByArgument {
    let question: String
    let choice: String

    init?(argument: String) {
        let parts = argument.split(separator: "=", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        (question, choice) = (String(parts[0]), String(parts[1]))
    }
}

struct RecallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "recall", abstract: "Recall a mandate the council issued.")
    @OptionGroup var act: ActOptions
    @Argument(help: "The mandate's ID (hex).") var mandate: String
    @Option(help: "Why.") var reason = ""

    func run() async throws {
        try await act.submit(["act": "RECALL", "mandate": .string(mandate), "reason": .string(reason)])
    }
}

struct ProposeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "propose", abstract: "Propose a resolution as a mandated delegate (--key).")
    @OptionGroup var act: ActOptions
    @Option(help: "The proposer's mandate ID.") var mandate: String
    @Option(help: "A name for the question (mandates bind votes by it).") var question: String
    @Option(help: "The kind of question (checked against scopes).") var kind: String
    @Option(help: "majority, two-thirds or unanimity.") var rule = "majority"
    @Option(help: "Seats that must vote for a decision.") var quorum = 1
    @Option(help: "Voting stays open at least this long: 90s, 15m, 2h, 30d.") var closesIn = TimeSpan(argument: "1h")!
    @Option(help: "A short title.") var title = ""
    @Option(help: "The resolution's text.") var text = ""

    func run() async throws {
        let now = UInt64(Date().timeIntervalSince1970 * 1_000)
        try await act.submit([
            "act": "PROPOSAL", "mandate": .string(mandate), "question": .string(question), "kind": .string(kind), "rule": .string(rule),
            "quorum": .int(Int64(quorum)), "closes_at": .uint(now + closesIn.milliseconds), "title": .string(title), "text": .string(text),
        ])
    }
}

struct VoteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "vote", abstract: "Vote on a resolution as a mandated delegate (--key).")
    @OptionGroup var act: ActOptions
    @Option(help: "The resolution's ID.") var resolution: String
    @Option(help: "The mandate voted under.") var mandate: String
    @Option(help: "for, against or abstain.") var choice: String
    @Option(help: "A statement recorded with the vote.") var statement = ""

    func run() async throws {
        try await act.submit(["act": "VOTE", "resolution": .string(resolution), "mandate": .string(mandate), "choice": .string(choice),
                              "statement": .string(statement)])
    }
}

struct CloseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "close", abstract: "Close a resolution; the node computes the tally.")
    @OptionGroup var act: ActOptions
    @Argument(help: "The resolution's ID.") var resolution: String

    func run() async throws {
        try await act.submit(["act": "CLOSE", "resolution": .string(resolution)])
    }
}

struct ReplaceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "replace", abstract: "Replace a council's key, as its electors (--key).")
    @OptionGroup var act: ActOptions
    @Option(help: "The council.") var council: String
    @Option(help: "The new council key: public key (hex) or key file.") var newKey: String
    @Option(help: "Why.") var reason = ""

    func run() async throws {
        let key = try ActOptions.publicKey(newKey)
        try await act.submit(["act": "REPLACE", "council": .string(council), "new_key": .string(key.description), "reason": .string(reason)])
    }
}

struct DissolveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dissolve", abstract: "Dissolve a council: it returns all its mandates.")
    @OptionGroup var act: ActOptions
    @Option(help: "The council.") var council: String
    @Option(help: "Its statement.") var statement = "We are returning our mandate into the hands of the workers."

    func run() async throws {
        try await act.submit(["act": "DISSOLVE", "council": .string(council), "statement": .string(statement)])
    }
}
