import CouncilConformance
import CouncilVectors
import Foundation
import Testing

@Suite("Traceability")
struct TraceabilityTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("[CONF-5] every MUST of PROTOCOL.md has a conformance case, or a stated reason why none can check it over the wire")
    func everyMustCovered() throws {
        let spec = try String(contentsOf: Self.root.appendingPathComponent("Spec/PROTOCOL.md"), encoding: .utf8)
        let cased = Set(ConformanceSuite.cases.map(\.requirementID))
        let uncovered = RequirementIndex.parse(spec).filter { $0.level == .must && !cased.contains($0.id) && OffTheWire.reasons[$0.id] == nil }
        #expect(uncovered.isEmpty, "MUSTs without a case: \(uncovered.map(\.id))")
        #expect(ConformanceSuite.cases.count >= 80)
    }

    @Test("case IDs are unique and name real requirements")
    func caseIDs() throws {
        let ids = ConformanceSuite.cases.map(\.id)
        #expect(Set(ids).count == ids.count)
        for test in ConformanceSuite.cases { #expect(test.requirement != nil, "\(test.id) names no requirement of PROTOCOL.md") }
    }

    @Test("the checked-in traceability table and requirement list are what the code generates")
    func generatedFilesCurrent() throws {
        let spec = try String(contentsOf: Self.root.appendingPathComponent("Spec/PROTOCOL.md"), encoding: .utf8)
        let onDisk = try String(contentsOf: Self.root.appendingPathComponent("Sources/CouncilConformance/Requirements.swift"), encoding: .utf8)
        let same = onDisk == SpecTables.requirementsSource(from: spec)
        #expect(same, "Requirements.swift drifted; run `swift run council vectors`")
        #expect(FileManager.default.fileExists(atPath: Self.root.appendingPathComponent("Spec/conformance/TRACEABILITY.md").path))
    }
}
