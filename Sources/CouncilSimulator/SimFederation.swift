import CouncilProtocol
import CouncilWire

/// The simulated federation: councils named for the councils of 1956, their keys, their delegates'
/// keys, and a roster with a national body and a Budapest body. Keys are derived from labels, so
/// every run of every seed uses the same federation.
public struct SimFederation: Sendable {
    public static let councilNames = ["budapest", "miskolc", "gyor", "pecs", "szolnok", "csepel", "ujpest", "tatabanya", "ozd"]
    /// Kinds of question that mandates scope and proposals carry.
    public static let kinds = ["strike", "federation", "production", "defence"]
    public static let delegatesPerCouncil = 6

    public let councils: [String]
    public let roster: Roster
    public let councilKeys: [String: SigningKey]
    public let electorsKeys: [String: SigningKey]
    /// Replacement keys each council's electors may install, in order.
    public let successorKeys: [String: [SigningKey]]
    public let delegateKeys: [String: [SigningKey]]

    public init(nodes: Int) {
        precondition((2...Self.councilNames.count).contains(nodes), "the simulator runs 2 to \(Self.councilNames.count) nodes")
        councils = Array(Self.councilNames.prefix(nodes))
        func key(_ label: String) -> SigningKey { TestFederation.key("sim-\(label)") }
        councilKeys = Dictionary(uniqueKeysWithValues: councils.map { ($0, key($0)) })
        electorsKeys = Dictionary(uniqueKeysWithValues: councils.map { ($0, key("electors-\($0)")) })
        successorKeys = Dictionary(uniqueKeysWithValues: councils.map { council in (council, (1...3).map { key("\(council)-successor-\($0)") }) })
        delegateKeys = Dictionary(uniqueKeysWithValues: councils.map { council in
            (council, (1...Self.delegatesPerCouncil).map { key("\(council)-delegate-\($0)") })
        })
        let national = Roster.Body(name: "national", rules: DecisionRule.allCases, seats: councils.enumerated().map { index, council in
            Roster.Seat(name: council, council: council, maxWeight: UInt16(1 + index % 3))
        })
        let local = Roster.Body(name: "greater-budapest", rules: [.majority, .twoThirds], seats: councils.prefix(3).flatMap { council in
            [Roster.Seat(name: "\(council)-1", council: council), Roster.Seat(name: "\(council)-2", council: council)]
        })
        let (councilKeys, electorsKeys) = (councilKeys, electorsKeys)
        roster = Roster(federation: "simulation", councils: councils.map {
            Roster.Council(name: $0, key: councilKeys[$0]!.publicKey, electorsKey: electorsKeys[$0]!.publicKey)
        }, bodies: [national, local])
    }

    /// Every signing key of the federation by public key (councils, electors, successors, delegates).
    public func allKeys() -> [PublicKey: SigningKey] {
        var keys: [PublicKey: SigningKey] = [:]
        let groups: [[SigningKey]] = [Array(councilKeys.values), Array(electorsKeys.values)] + Array(successorKeys.values) + Array(delegateKeys.values)
        for key in groups.joined() {
            keys[key.publicKey] = key
        }
        return keys
    }
}
