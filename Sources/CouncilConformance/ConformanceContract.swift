import CouncilProtocol
import CouncilWire

/// The contract an implementation under test accepts (Spec/CONFORMANCE.md): it runs council
/// `budapest` of the Spec's test federation (PROTOCOL.md Appendix A) with that council's test key,
/// and the suite plays every other council, their electors and any delegates.
public enum ConformanceContract {
    public static let council = "budapest"
    public static let roster = TestFederation.roster

    public static func councilKey(_ council: String) -> SigningKey { TestFederation.councilKey(council) }
    public static func electorsKey(_ council: String) -> SigningKey { TestFederation.electorsKey(council) }
    /// Keys the suite installs by REPLACE, in order.
    public static func successorKey(_ council: String, _ index: Int) -> SigningKey { TestFederation.key("\(council)-successor-\(index)") }
}
