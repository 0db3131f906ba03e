import CouncilProtocol
import CouncilVectors
import CouncilWire
import Foundation

/// The suite: every case, selection, running, and the report.
public enum ConformanceSuite {
    public static let version = "1.0.0"
    public static let specVersion = "PROTOCOL.md, protocol version 1, revision 1"

    /// Every case, in running order: the cases where the implementation dials first (it dials as
    /// it starts), framing and handshakes next, the state-changing cases after, replacement and
    /// dissolution last.
    public static var cases: [ConformanceCase] {
        ListenCases.all + FramingCases.all + HandshakeCases.all + VectorCases.all + GovernanceCases.all + VotingCases.all + RelayCases.all
            + CoverageCases.all + DurabilityCases.all + LifecycleCases.all
    }

    public struct Selection: Sendable {
        public var only: [String] = []
        public var exclude: [String] = []
        public var level: Requirement.Level?

        public init() {}

        /// A pattern matches a case ID exactly, by prefix, or by requirement (`RECALL-2`).
        static func matches(_ pattern: String, _ id: String) -> Bool {
            id == pattern || id.hasPrefix(pattern.hasSuffix("/") ? pattern : pattern + "/") || id.hasPrefix(pattern)
        }

        public func includes(_ test: ConformanceCase) -> Bool {
            if !only.isEmpty, !only.contains(where: { Self.matches($0, test.id) }) { return false }
            if exclude.contains(where: { Self.matches($0, test.id) }) { return false }
            if let level, test.level != level { return false }
            return true
        }
    }

    public struct Result: Sendable {
        public let test: ConformanceCase
        public let verdict: Verdict
        public let milliseconds: Int
        public let trace: [String]
    }

    /// Runs the selected cases `repeat` times against `context`; `progress` sees each result.
    public static func run(_ selected: [ConformanceCase], context: CaseContext, repeat count: Int,
                           progress: (Int, Result) -> Void) async -> [Result] {
        var results: [Result] = []
        for _ in 0..<max(1, count) {
            for test in selected {
                let started = ContinuousClock.now
                context.beginCase()
                let verdict: Verdict
                do {
                    verdict = try await test.run(context)
                } catch {
                    verdict = .inconclusive("the case could not complete: \(error)")
                }
                let elapsed = ContinuousClock.now - started
                let result = Result(test: test, verdict: verdict, milliseconds: Int(elapsed.components.seconds * 1_000 + elapsed.components.attoseconds / 1_000_000_000_000_000),
                                    trace: verdict == .pass ? [] : context.endCase())
                results.append(result)
                progress(results.count, result)
            }
        }
        return results
    }

    /// Exit status (Spec/CONFORMANCE.md §6): 0 all passed, 1 a failure, 2 inconclusive.
    public static func exitStatus(_ results: [Result]) -> Int32 {
        if results.contains(where: { if case .fail = $0.verdict { return true }; return false }) { return 1 }
        if results.contains(where: { if case .inconclusive = $0.verdict { return true }; return false }) { return 2 }
        return 0
    }

    public static func summary(_ results: [Result]) -> JSONValue {
        var counts: [String: JSONValue] = [:]
        for outcome in ["pass", "fail", "skip", "unsupported", "inconclusive"] {
            counts[outcome] = .uint(results.filter { $0.verdict.name == outcome }.count)
        }
        var byLevel: [String: JSONValue] = [:]
        for level in [Requirement.Level.must, .should, .may] {
            let subset = results.filter { $0.test.level == level }
            var levelCounts: [String: JSONValue] = [:]
            for outcome in ["pass", "fail", "skip", "unsupported", "inconclusive"] {
                levelCounts[outcome] = .uint(subset.filter { $0.verdict.name == outcome }.count)
            }
            byLevel[level.rawValue] = .object(levelCounts)
        }
        counts["total"] = .uint(results.count)
        counts["by_level"] = .object(byLevel)
        return .object(counts)
    }

    public static func json(_ results: [Result], target: String) -> JSONValue {
        [
            "schema": "council-conformance-report/1", "suite_version": .string(version), "spec_version": .string(specVersion),
            "target": .string(target), "summary": summary(results),
            "cases": .array(results.map { result in
                var fields: [String: JSONValue] = [
                    "id": .string(result.test.id), "requirement": .string(result.test.requirementID), "level": .string(result.test.level.rawValue),
                    "summary": .string(result.test.summary), "sentence": .string(result.test.requirement?.text ?? ""),
                    "outcome": .string(result.verdict.name), "duration_ms": .uint(result.milliseconds),
                ]
                switch result.verdict {
                case .fail(let expected, let actual):
                    fields["expected"] = .string(expected)
                    fields["actual"] = .string(actual)
                case .skip(let reason), .unsupported(let reason), .inconclusive(let reason):
                    fields["reason"] = .string(reason)
                case .pass: break
                }
                if !result.trace.isEmpty { fields["trace"] = .array(result.trace.map { .string($0) }) }
                return .object(fields)
            }),
        ]
    }

    public static func junit(_ results: [Result]) -> String {
        func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
                .replacingOccurrences(of: "\"", with: "&quot;")
        }
        let failures = results.filter { $0.verdict.name == "fail" }.count
        let skipped = results.filter { ["skip", "unsupported"].contains($0.verdict.name) }.count
        let errors = results.filter { $0.verdict.name == "inconclusive" }.count
        var lines = [
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<testsuites name=\"council-conformance \(version)\" tests=\"\(results.count)\" failures=\"\(failures)\" errors=\"\(errors)\" skipped=\"\(skipped)\">",
            "  <testsuite name=\"\(escape(specVersion))\" tests=\"\(results.count)\" failures=\"\(failures)\" errors=\"\(errors)\" skipped=\"\(skipped)\">",
        ]
        for result in results {
            let family = result.test.requirementID.split(separator: "-").first.map(String.init) ?? ""
            lines.append("    <testcase classname=\"\(family)\" name=\"\(escape(result.test.id))\" time=\"\(Double(result.milliseconds) / 1_000)\">")
            switch result.verdict {
            case .fail(let expected, let actual):
                lines.append("      <failure message=\"\(escape("expected \(expected), got \(actual)"))\">\(escape(result.trace.joined(separator: "\n")))</failure>")
            case .skip(let reason), .unsupported(let reason):
                lines.append("      <skipped message=\"\(escape(reason))\"/>")
            case .inconclusive(let reason):
                lines.append("      <error message=\"\(escape(reason))\"/>")
            case .pass: break
            }
            lines.append("    </testcase>")
        }
        lines += ["  </testsuite>", "</testsuites>", ""]
        return lines.joined(separator: "\n")
    }
}
