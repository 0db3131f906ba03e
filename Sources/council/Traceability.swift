import CouncilConformance
import CouncilVectors
import Foundation

/// Spec/conformance/TRACEABILITY.md: every requirement of PROTOCOL.md with the conformance cases
/// that check it and the reference implementation's tests that cite it.
enum Traceability {
    static func markdown(spec: String, testsFolder: String) -> String {
        let requirements = RequirementIndex.parse(spec)
        let cases = ConformanceSuite.cases
        var citations: [String: Set<String>] = [:]
        let files = (FileManager.default.enumerator(atPath: testsFolder)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".swift") }.sorted()
        for file in files {
            let text = (try? String(contentsOfFile: "\(testsFolder)/\(file)", encoding: .utf8)) ?? ""
            for id in RequirementIndex.citations(in: text) { citations[id, default: []].insert(URL(fileURLWithPath: file).lastPathComponent) }
        }
        var lines = [
            "# Traceability: requirements → conformance cases and tests",
            "",
            "Generated from Spec/PROTOCOL.md, the conformance suite and Tests/ by `swift run council vectors`; do not edit.",
            "`swift test` fails if this file drifts, or if a MUST has neither a conformance case nor a stated reason why none can check it over the wire.",
            "",
            "| requirement | level | section | conformance cases | tests citing it |",
            "| --- | --- | --- | --- | --- |",
        ]
        for requirement in requirements {
            let ids = cases.filter { $0.requirementID == requirement.id }.map { "`\($0.id)`" }
            let covered = ids.isEmpty ? (OffTheWire.reasons[requirement.id].map { "— (\($0))" } ?? "**none**") : ids.joined(separator: "<br>")
            let tests = (citations[requirement.id] ?? []).sorted().joined(separator: ", ")
            lines.append("| \(requirement.id) | \(requirement.level.rawValue) | \(requirement.section) | \(covered) | \(tests.isEmpty ? "—" : tests) |")
        }
        let must = requirements.filter { $0.level == .must }
        let withCase = must.filter { requirement in cases.contains { $0.requirementID == requirement.id } }
        lines += ["", "\(requirements.count) requirements, \(must.count) of them MUST; \(withCase.count) MUSTs have conformance cases, "
            + "\(must.count - withCase.count) are checked off the wire only; \(cases.count) cases in all.", ""]
        return lines.joined(separator: "\n")
    }
}
