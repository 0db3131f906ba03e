@testable import CouncilNode
import NIOCore
import Testing

/// [OPS-3][OPS-4] The operator channel's lines, however the reads split them.
@Suite("Operator channel lines")
struct OperatorLineTests {
    @Test("[OPS-3] a request split across reads, or several in one read, comes out whole and in order")
    func splitAndJoined() throws {
        var decoder = LineDecoder()
        var buffer = ByteBuffer(string: #"{"op":"#)
        #expect(try decoder.decode(buffer: &buffer) == nil)
        buffer.writeString(#""status"}"# + "\n" + #"{"op":"has"}"# + "\n{")
        #expect(try decoder.decode(buffer: &buffer) == #"{"op":"status"}"#)
        #expect(try decoder.decode(buffer: &buffer) == #"{"op":"has"}"#)
        #expect(try decoder.decode(buffer: &buffer) == nil)
        buffer.discardReadBytes()
        buffer.writeString("}\n")
        #expect(try decoder.decode(buffer: &buffer) == "{}")
    }

    @Test("[OPS-4] more than 4 MiB without an LF ends the connection, however it arrives")
    func tooLong() throws {
        var decoder = LineDecoder()
        var buffer = ByteBuffer()
        let chunk = String(repeating: "x", count: 64 * 1_024)
        for _ in 0..<(LineDecoder.maxLine / chunk.utf8.count) {
            buffer.writeString(chunk)
            #expect(try decoder.decode(buffer: &buffer) == nil)
        }
        buffer.writeString("x")
        #expect(throws: OperatorFault.self) { try decoder.decode(buffer: &buffer) }
    }
}
