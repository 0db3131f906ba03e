import CouncilWire

/// The Spec's fixed test federation (Appendix A): keys derived from published labels, so that the
/// test vectors and the conformance suite can be reproduced in any language.
///
/// [VEC-1] A test key's seed is SHA-256 of ASCII `COUNCIL/1 TEST SEED ` followed by its label.
/// These keys are public: never use them outside tests.
public enum TestFederation {
    public static func seed(_ label: String) -> Bytes32 { Hashing.sha256(Array("COUNCIL/1 TEST SEED \(label)".utf8)) }
    public static func key(_ label: String) -> SigningKey { SigningKey(seed: seed(label)) }

    public static let councilNames = ["budapest", "csepel", "gyor", "miskolc", "pecs", "szolnok"]

    public static func councilKey(_ council: String) -> SigningKey { key(council) }
    public static func electorsKey(_ council: String) -> SigningKey { key("electors-\(council)") }
    public static func delegateKey(_ number: Int) -> SigningKey { key("delegate-\(number)") }
    /// Delegate keys `delegate-1` … `delegate-12` are listed in the Spec.
    public static let delegateCount = 12

    /// 2026-10-23T00:00:00Z, the seventieth anniversary of the first councils; vector timestamps count from here.
    public static let epoch: UInt64 = 1_792_713_600_000
    public static let hour: UInt64 = 3_600_000
    public static let day: UInt64 = 86_400_000

    public static let roster = Roster(
        federation: "test-1956",
        councils: councilNames.map { Roster.Council(name: $0, key: councilKey($0).publicKey, electorsKey: electorsKey($0).publicKey) },
        bodies: [
            Roster.Body(
                name: "parliament", rules: DecisionRule.allCases,
                seats: [
                    .init(name: "budapest", council: "budapest", maxWeight: 3),
                    .init(name: "csepel", council: "csepel", maxWeight: 2),
                    .init(name: "gyor", council: "gyor", maxWeight: 2),
                    .init(name: "miskolc", council: "miskolc", maxWeight: 2),
                    .init(name: "pecs", council: "pecs", maxWeight: 1),
                    .init(name: "szolnok", council: "szolnok", maxWeight: 1),
                ]),
            Roster.Body(
                name: "cwc", rules: [.majority, .twoThirds],
                seats: [
                    .init(name: "budapest-1", council: "budapest"),
                    .init(name: "budapest-2", council: "budapest"),
                    .init(name: "csepel-1", council: "csepel"),
                ]),
        ])
}
