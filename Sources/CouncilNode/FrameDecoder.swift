import CouncilWire
import NIOCore

/// One inbound unit from the byte stream: a whole frame's content, or a fault in a length prefix.
public enum FrameChunk: Sendable {
    case content([UInt8])
    case lengthFault(WireError)
}

/// Splits the TCP stream into frames ([FRAME-1]), checking each declared length as soon as its four
/// bytes arrive ([FRAME-2]) and before waiting for the body. After a fault it reports once and then
/// discards the rest: the stream cannot be trusted to be in step any more.
///
/// Every frame that one read completes goes to the link's reader together, so that the reader can
/// verify a burst of messages on two tasks at once and the node decide it in one step.
struct FrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = [FrameChunk]

    private var poisoned = false
    let maxFrameLength: Int

    init(maxFrameLength: Int = Limits.maxFrameLength) { self.maxFrameLength = maxFrameLength }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        var chunks: [FrameChunk] = []
        while let chunk = next(&buffer) { chunks.append(chunk) }
        if !chunks.isEmpty { context.fireChannelRead(wrapInboundOut(chunks)) }
        return .needMoreData
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
    }

    mutating func next(_ buffer: inout ByteBuffer) -> FrameChunk? {
        if poisoned {
            buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
            return nil
        }
        guard let declared = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return nil }
        let length = Int(declared)
        if length > maxFrameLength || length < Limits.minPlaintextFrameLength {
            do {
                // The sealed minimum is checked when the frame is opened; here, the plaintext one.
                _ = try FrameLength.check(declared, sealed: false)
            } catch {
                poisoned = true
                buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
                return .lengthFault(error)
            }
        }
        guard buffer.readableBytes >= FrameLength.prefixSize + length else { return nil }
        buffer.moveReaderIndex(forwardBy: FrameLength.prefixSize)
        return .content(buffer.readBytes(length: length)!)
    }
}
