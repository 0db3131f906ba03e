import CouncilWire
import Testing

/// Framing holds at every split point: a stream delivered byte by byte yields the same frames.
@Suite("Frame splitting")
struct FrameSplitterTests {
    static let frames: [Frame] = [
        .ping(7), .pong(7), .syncDone(3), .error(ErrorNotice(code: .normalClose, detail: "bye")),
        .message([1, 2, 3, 4]), .ack(Ack(id: .zero, status: .held)),
    ]

    @Test("[FRAME-1] a stream fed one byte at a time yields every frame, in order")
    func dripFeed() throws {
        let stream = Self.frames.flatMap { $0.encoded() }
        var splitter = FrameSplitter()
        var decoded: [Frame] = []
        for byte in stream {
            splitter.append([byte])
            while let content = try splitter.next() { decoded.append(try Frame(content: content)) }
        }
        #expect(decoded == Self.frames)
        #expect(splitter.buffer.isEmpty)
    }

    @Test("[FRAME-1] every split of a two-frame stream into two writes yields both frames")
    func everySplitPoint() throws {
        let stream = Frame.ping(1).encoded() + Frame.syncDone(9).encoded()
        for split in 0...stream.count {
            var splitter = FrameSplitter()
            var decoded: [Frame] = []
            for part in [stream[..<split], stream[split...]] {
                splitter.append(part)
                while let content = try splitter.next() { decoded.append(try Frame(content: content)) }
            }
            #expect(decoded == [.ping(1), .syncDone(9)], "split at \(split)")
        }
    }

    @Test("[FRAME-2] a length over the limit is refused from the prefix alone, before the body arrives")
    func oversizedRefusedEarly() {
        var splitter = FrameSplitter()
        splitter.append([0xFF, 0xFF, 0xFF, 0xFF])
        #expect(throws: WireError.self) { try splitter.next() }
    }

    @Test("an incomplete frame waits, and leaves the buffer untouched")
    func incompleteWaits() throws {
        let bytes = Frame.ping(5).encoded()
        var splitter = FrameSplitter()
        splitter.append(bytes.dropLast())
        #expect(try splitter.next() == nil)
        #expect(splitter.buffer == Array(bytes.dropLast()))
    }

    @Test("[FRAME-3] sealed frames must hold at least the header and the AEAD tag")
    func sealedMinimum() {
        var splitter = FrameSplitter(sealed: true)
        splitter.append([0, 0, 0, 18] + [UInt8](repeating: 0, count: 18))
        #expect(throws: WireError(.frameTooShort, "declared length 18 is below the minimum of 19")) { try splitter.next() }
    }
}
