import CouncilProtocol
import CouncilWire

/// The Spec's generated blocks: tables that the code owns, written between HTML comment markers
/// in Spec/PROTOCOL.md so that prose and code cannot disagree.
public enum SpecTables {
    /// The error registry (§10).
    public static var registry: String {
        var lines = [
            "| code | name | effect | meaning |",
            "| --- | --- | --- | --- |",
        ]
        for entry in ErrorCode.registry {
            let hex = String(entry.code.rawValue, radix: 16, uppercase: true)
            lines.append("| 0x\(String(repeating: "0", count: 4 - hex.count))\(hex) | \(entry.name) | \(entry.effect.rawValue) | \(entry.meaning) |")
        }
        return lines.joined(separator: "\n")
    }

    /// The test federation's keys and roster (Appendix A).
    public static var testKeys: String {
        let roster = TestFederation.roster
        var lines = [
            "Federation `\(roster.federation)`; roster hash `\(roster.hash)`.",
            "",
            "| label | role | seed | public key |",
            "| --- | --- | --- | --- |",
        ]
        func row(_ label: String, _ role: String) {
            let key = TestFederation.key(label)
            lines.append("| `\(label)` | \(role) | `\(key.seed)` | `\(key.publicKey)` |")
        }
        for council in TestFederation.councilNames {
            row(council, "council key of \(council)")
            row("electors-\(council)", "electors key of \(council)")
        }
        for number in 1...TestFederation.delegateCount { row("delegate-\(number)", "delegate") }
        row("csepel-new", "Csepel's replacement council key (vectors)")
        for council in [HandshakeVectors.initiator, HandshakeVectors.responder] {
            lines.append("| `ephemeral-\(council)` | X25519 private key of \(council)'s handshake vector | `\(TestFederation.seed("ephemeral-\(council)"))` | — |")
        }
        lines += ["", "Bodies:", "", "| body | rules | seat | council | max weight |", "| --- | --- | --- | --- | --- |"]
        for body in roster.bodies {
            let rules = DecisionRule.allCases.filter(body.allows).map(\.description).joined(separator: ", ")
            for seat in body.seats {
                lines.append("| \(body.name) | \(rules) | \(seat.name) | \(seat.council) | \(seat.maxWeight) |")
            }
        }
        lines += ["", "Canonical roster encoding (§12.1):", "", "```", wrap(Hex.encode(roster.encoded)), "```"]
        return lines.joined(separator: "\n")
    }

    static func wrap(_ hex: String) -> String {
        var out: [String] = []
        var rest = Substring(hex)
        while !rest.isEmpty {
            out.append(String(rest.prefix(96)))
            rest = rest.dropFirst(96)
        }
        return out.joined(separator: "\n")
    }

    /// Replaces the text between `<!-- name:begin -->` and `<!-- name:end -->`.
    public static func fill(_ document: String, block name: String, with content: String) -> String {
        let begin = "<!-- \(name):begin -->", end = "<!-- \(name):end -->"
        guard let start = document.range(of: begin), let stop = document.range(of: end), start.upperBound <= stop.lowerBound else {
            return document
        }
        return String(document[..<start.upperBound]) + "\n" + content + "\n" + String(document[stop.lowerBound...])
    }

    /// PROTOCOL.md with every generated block brought up to date.
    public static func filled(_ document: String) -> String {
        fill(fill(document, block: "registry", with: registry), block: "testkeys", with: testKeys)
    }
}

extension SpecTables {
    /// Swift source holding PROTOCOL.md's requirements, so the conformance suite can quote them.
    public static func requirementsSource(from document: String) -> String {
        func literal(_ text: String) -> String {
            "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        var lines = [
            "// Generated from Spec/PROTOCOL.md by `swift run council vectors`; do not edit.",
            "import CouncilVectors",
            "",
            "extension SpecRequirements {",
            "    /// Every requirement of PROTOCOL.md: ID, section, level, normative text.",
            "    public static let all: [Requirement] = [",
        ]
        for requirement in RequirementIndex.parse(document) {
            lines.append("        Requirement(id: \(literal(requirement.id)), section: \(literal(requirement.section)), level: .\(requirement.level == .must ? "must" : requirement.level == .should ? "should" : requirement.level == .may ? "may" : "informative"), text: \(literal(requirement.text))),")
        }
        lines += ["    ]", "}", ""]
        return lines.joined(separator: "\n")
    }
}
