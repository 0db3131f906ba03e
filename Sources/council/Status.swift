import ArgumentParser
import CouncilProtocol
import Foundation

/// `council status`: the node's council, its links, its state digest.
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a node's council, links and state digest.")

    @OptionGroup var options: NodeOptions

    func run() async throws {
        let answer = try await options.request(["op": "status"])
        if options.json {
            var copy = answer
            if case .object(var fields) = copy { fields["ok"] = nil; copy = .object(fields) }
            print(copy.rendered())
            return
        }
        let text = { (key: String) in answer[key]?.stringValue ?? "?" }
        print("council     \(text("council"))")
        print("federation  \(text("federation")) (roster \(String(text("roster_hash").prefix(16))))")
        print("digest      \(text("digest"))")
        print("messages    \(answer["accepted"]?.intValue ?? 0) accepted, \(answer["held"]?.intValue ?? 0) held")
        print("storage     \(text("storage"))")
        let peers = answer["peers"]?.arrayValue ?? []
        print("")
        if peers.isEmpty { return print("no peers configured or linked") }
        print(Table.render(["PEER", "STATE", "ADDRESS", "QUEUE"], peers.map { peer in
            [peer["council"]?.stringValue ?? "", peer["state"]?.stringValue ?? "", peer["address"]?.stringValue ?? "", "\(peer["queue"]?.intValue ?? 0)"]
        }))
    }
}

/// `council mandates`: the mandates standing at a node.
struct Mandates: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the mandates standing at a node.")

    @OptionGroup var options: NodeOptions

    func run() async throws {
        let mandates = try await options.request(["op": "mandates"])["mandates"] ?? .array([])
        if options.json { return print(mandates.rendered()) }
        let rows = (mandates.arrayValue ?? []).map { mandate -> [String] in
            let scope = (mandate["scope"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ",")
            let instructions = (mandate["instructions"]?.arrayValue ?? []).map { "\($0["question"]?.stringValue ?? "")=\($0["choice"]?.stringValue ?? "")" }
            return [String((mandate["id"]?.stringValue ?? "").prefix(12)), mandate["council"]?.stringValue ?? "",
                    "\(mandate["body"]?.stringValue ?? "")/\(mandate["seat"]?.stringValue ?? "")",
                    String((mandate["delegate"]?.stringValue ?? "").prefix(12)), "\(mandate["weight"]?.intValue ?? 0)", scope,
                    instructions.joined(separator: ",")]
        }
        print(rows.isEmpty ? "no mandates in force" : Table.render(["MANDATE", "COUNCIL", "SEAT", "DELEGATE", "WEIGHT", "SCOPE", "INSTRUCTIONS"], rows))
    }
}

/// `council resolutions`: resolutions with their tallies and recorded votes.
struct Resolutions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List resolutions with tallies, dissent and abstentions.")

    @OptionGroup var options: NodeOptions

    func run() async throws {
        let resolutions = try await options.request(["op": "resolutions"])["resolutions"] ?? .array([])
        if options.json { return print(resolutions.rendered()) }
        let list = resolutions.arrayValue ?? []
        if list.isEmpty { return print("no resolutions") }
        for resolution in list {
            let tally = resolution["tally"]
            let counts = "for \(tally?["for"]?.intValue ?? 0), against \(tally?["against"]?.intValue ?? 0), abstain \(tally?["abstain"]?.intValue ?? 0), seats \(tally?["seats_voted"]?.intValue ?? 0)"
            print("\(String((resolution["id"]?.stringValue ?? "").prefix(12)))  \(resolution["title"]?.stringValue ?? "")")
            print("    \(resolution["body"]?.stringValue ?? "") · \(resolution["question"]?.stringValue ?? "") · \(resolution["rule"]?.stringValue ?? "") · "
                + "\(resolution["status"]?.stringValue ?? "") · \(tally?["outcome"]?.stringValue ?? "") (\(counts))")
            for vote in resolution["votes"]?.arrayValue ?? [] {
                let counted = vote["counted"]?.boolValue == true ? "" : "  (not counted)"
                let statement = vote["statement"]?.stringValue ?? ""
                print("      \(vote["seat"]?.stringValue ?? ""): \(vote["choice"]?.stringValue ?? "")\(counted)\(statement.isEmpty ? "" : " — \u{201C}\(statement)\u{201D}")")
            }
        }
    }
}
