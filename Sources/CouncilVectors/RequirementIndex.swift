import Foundation

/// The requirements of a Spec document: every paragraph that begins with a requirement ID
/// (`[AREA-N]`), with its section, its level (the strongest RFC 2119 word in it) and its text.
public struct Requirement: Sendable, Hashable {
    public enum Level: String, Sendable, CaseIterable, Comparable {
        case must = "MUST", should = "SHOULD", may = "MAY", informative = "-"

        public static func < (lhs: Level, rhs: Level) -> Bool {
            Level.allCases.firstIndex(of: lhs)! < Level.allCases.firstIndex(of: rhs)!
        }
    }

    public let id: String
    public let section: String
    public let level: Level
    public let text: String

    public init(id: String, section: String, level: Level, text: String) {
        self.id = id
        self.section = section
        self.level = level
        self.text = text
    }
}

public enum RequirementIndex {
    /// Parses a Markdown Spec.
    public static func parse(_ document: String) -> [Requirement] {
        var requirements: [Requirement] = []
        var section = ""
        var paragraph: [String] = []
        func flush() {
            defer { paragraph = [] }
            guard var text = paragraph.first?.trimmingLeadingListMarker(), text.hasPrefix("["), let close = text.firstIndex(of: "]") else { return }
            let id = String(text[text.index(after: text.startIndex)..<close])
            guard id.range(of: #"^[A-Z]+-[0-9]+$"#, options: .regularExpression) != nil else { return }
            text = ([text] + paragraph.dropFirst()).joined(separator: " ")
            let level: Requirement.Level =
                text.contains("MUST") || text.contains("REQUIRED") || text.contains("SHALL") ? .must
                : text.contains("SHOULD") || text.contains("RECOMMENDED") ? .should
                : text.contains("MAY") || text.contains("OPTIONAL") ? .may : .must
            if !requirements.contains(where: { $0.id == id }) {
                requirements.append(Requirement(id: id, section: section, level: level, text: text))
            }
        }
        for line in document.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("#") {
                flush()
                section = line.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces)
                continue
            }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("|") || trimmed.hasPrefix("```") {
                flush()
                continue
            }
            // A numbered list item starts a paragraph of its own.
            if trimmed.range(of: #"^[0-9]+\. \["#, options: .regularExpression) != nil { flush() }
            paragraph.append(trimmed)
        }
        flush()
        return requirements
    }

    /// Requirement IDs cited anywhere in a text (a test's name or comment).
    public static func citations(in text: String) -> Set<String> {
        var found: Set<String> = []
        var rest = Substring(text)
        while let range = rest.range(of: #"\[[A-Z]+-[0-9]+\]"#, options: .regularExpression) {
            found.insert(String(rest[range].dropFirst().dropLast()))
            rest = rest[range.upperBound...]
        }
        return found
    }
}

extension String {
    func trimmingLeadingListMarker() -> String {
        guard let range = range(of: #"^[0-9]+\. "#, options: .regularExpression) else { return self }
        return String(self[range.upperBound...])
    }
}
