import CouncilWire

/// A version vector over authors (§12.2): entry `i` is the highest sequence number of author `i`
/// in a closed set of messages. Because each author's messages form one chain and accepted sets
/// are closed, "x is in the set" is exactly `clock[author(x)] >= sequence(x)`.
///
/// Every accepted message keeps the clock of its causal past, and that clock is its dependencies'
/// clocks merged, plus itself: it differs from them in an entry or two. So the entries live in
/// immutable blocks of `blockWidth` authors that clocks share by reference, and a new clock costs
/// one new block and a pointer per block, not an integer per author: with a thousand authors,
/// about 400 bytes instead of 8 KB, and merging skips every block the clocks share.
public struct CausalClock: Sendable {
    static let blockWidth = 32

    /// Entries of `blockWidth` consecutive authors; missing trailing entries are zero.
    final class Block: Sendable {
        let values: [UInt64]
        init(_ values: [UInt64]) { self.values = values }

        subscript(index: Int) -> UInt64 { index < values.count ? values[index] : 0 }

        static let empty = Block([])
    }

    private var blocks: [Block] = []

    public init() {}

    public subscript(author: Int) -> UInt64 {
        let (block, index) = author.quotientAndRemainder(dividingBy: Self.blockWidth)
        return block < blocks.count ? blocks[block][index] : 0
    }

    public func contains(author: Int, sequence: UInt64) -> Bool { self[author] >= sequence }

    /// Raises this clock to include everything `other` includes.
    public mutating func merge(_ other: CausalClock) {
        for index in other.blocks.indices {
            guard index < blocks.count else {
                blocks.append(other.blocks[index])
                continue
            }
            if blocks[index] !== other.blocks[index] { blocks[index] = Self.maximum(blocks[index], other.blocks[index]) }
        }
    }

    public mutating func include(author: Int, sequence: UInt64) {
        let (block, index) = author.quotientAndRemainder(dividingBy: Self.blockWidth)
        if block >= blocks.count { blocks.append(contentsOf: repeatElement(Block.empty, count: block + 1 - blocks.count)) }
        guard sequence > blocks[block][index] else { return }
        var values = blocks[block].values
        if index >= values.count { values.append(contentsOf: repeatElement(0, count: index + 1 - values.count)) }
        values[index] = sequence
        blocks[block] = Block(values)
    }

    /// The entrywise maximum of two blocks, reusing either one when it already is that maximum.
    static func maximum(_ a: Block, _ b: Block) -> Block {
        let count = max(a.values.count, b.values.count)
        var aCovers = true, bCovers = true
        for index in 0..<count {
            let (x, y) = (a[index], b[index])
            if x < y { aCovers = false }
            if y < x { bCovers = false }
        }
        if aCovers { return a }
        if bCovers { return b }
        return Block((0..<count).map { max(a[$0], b[$0]) })
    }
}

/// Interns author keys as small integers, so that clocks index authors by position.
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
