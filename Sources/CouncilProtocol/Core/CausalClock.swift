import CouncilWire

/// A version vector over authors (§12.2): entry `i` is the highest sequence number of author `i`
/// in a closed set of messages. Because each author's messages form one chain and accepted sets
/// are closed, "x is in the set" is exactly `clock[author(x)] >= sequence(x)`.
public struct CausalClock: Hashable, Sendable {
    /// Indexed by `AuthorTable` index; missing trailing entries are zero.
    public private(set) var entries: [UInt64] = []

    public init() {}

    public subscript(author: Int) -> UInt64 {
        author < entries.count ? entries[author] : 0
    }

    public func contains(author: Int, sequence: UInt64) -> Bool { self[author] >= sequence }

    /// Raises this clock to include everything `other` includes.
    public mutating func merge(_ other: CausalClock) {
        if other.entries.count > entries.count { entries.append(contentsOf: repeatElement(0, count: other.entries.count - entries.count)) }
        for index in other.entries.indices where other.entries[index] > entries[index] { entries[index] = other.entries[index] }
    }

    public mutating func include(author: Int, sequence: UInt64) {
        if author >= entries.count { entries.append(contentsOf: repeatElement(0, count: author + 1 - entries.count)) }
        if sequence > entries[author] { entries[author] = sequence }
    }
}

/// Interns author keys as small integers, so clocks are flat arrays.
public struct AuthorTable: Sendable {
    public private(set) var keys: [PublicKey] = []
    private var indexes: [PublicKey: Int] = [:]

    public init() {}

    public func index(of key: PublicKey) -> Int? { indexes[key] }

    public mutating func intern(_ key: PublicKey) -> Int {
        if let index = indexes[key] { return index }
        keys.append(key)
        indexes[key] = keys.count - 1
        return keys.count - 1
    }
}
