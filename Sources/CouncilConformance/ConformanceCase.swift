import CouncilVectors
import CouncilWire

/// The requirements the suite checks, from Spec/PROTOCOL.md (see Requirements.swift).
public enum SpecRequirements {
    public static func requirement(_ id: String) -> Requirement? { all.first { $0.id == id } }
}

/// What a case concluded.
public enum Verdict: Sendable, Equatable {
    case pass
    case fail(expected: String, actual: String)
    /// The case could not run here (its precondition does not hold); not a failure.
    case skip(String)
    /// The implementation says it does not support what the case needs.
    case unsupported(String)
    /// The case could not decide (a harness problem or a timeout race).
    case inconclusive(String)

    public var name: String {
        switch self {
        case .pass: "pass"
        case .fail: "fail"
        case .skip: "skip"
        case .unsupported: "unsupported"
        case .inconclusive: "inconclusive"
        }
    }
}

/// One conformance case: a stable ID that embeds the requirement it checks
/// (`RECALL-2/only-issuer-recalls`), the requirement's level, and how to run it.
public struct ConformanceCase: Sendable {
    public let id: String
    public let summary: String
    public let run: @Sendable (CaseContext) async throws -> Verdict

    public init(_ id: String, _ summary: String, run: @escaping @Sendable (CaseContext) async throws -> Verdict) {
        self.id = id
        self.summary = summary
        self.run = run
    }

    public var requirementID: String { String(id.prefix { $0 != "/" }) }
    public var requirement: Requirement? { SpecRequirements.requirement(requirementID) }
    public var level: Requirement.Level { requirement?.level ?? .must }
}

/// Expected outcomes as allowed sets, so that equally conforming behaviours all pass.
public struct Allowed: Sendable, CustomStringConvertible {
    public var codes: Set<ErrorCode>
    /// nil: either.
    public var closes: Bool?

    public init(_ codes: Set<ErrorCode>, closes: Bool? = nil) {
        self.codes = codes
        self.closes = closes
    }

    public var description: String {
        let names = codes.map(\.name).sorted().joined(separator: " or ")
        switch closes {
        case true?: return "\(names), then the link closes"
        case false?: return "\(names), and the link stays up"
        case nil: return names
        }
    }
}
