import CouncilProtocol
import CouncilWire

/// Spec/vectors/frames.json: every link frame type, and the ways a frame can be wrong.
enum FrameVectors {
    static func valid(_ name: String, _ description: String, _ frame: Frame) -> Vector {
        Vector(name: name, description: description, frame: frame.encoded(), expectation: .valid, fields: ["decoded": frame.json])
    }

    static func invalid(_ name: String, _ description: String, _ bytes: [UInt8], _ code: ErrorCode) -> Vector {
        Vector(name: name, description: description, frame: bytes, expectation: .invalid(code))
    }

    /// A plaintext frame from raw parts, for frames the encoder would refuse to build.
    static func raw(version: UInt8 = 1, type: UInt8, flags: UInt8 = 0, body: [UInt8]) -> [UInt8] {
        FrameLength.prefixed([version, type, flags] + body)
    }

    static func build() -> VectorFile {
        let author = TestFederation.councilKey("miskolc").publicKey
        let other = TestFederation.councilKey("gyor").publicKey
        let id = Hashing.sha256(Array("an example message".utf8))
        let (low, high) = author < other ? (author, other) : (other, author)
        let ping = Frame.ping(0x0102_0304_0506_0708)
        var vectors: [Vector] = [
            valid("error.normal-close", "ERROR with NORMAL_CLOSE: the orderly close", .error(ErrorNotice(code: .normalClose, detail: "shutting down"))),
            valid("error.wrong-federation", "ERROR refusing a peer of another federation",
                  .error(ErrorNotice(code: .wrongFederation, detail: "roster hash differs"))),
            valid("ping", "PING with a nonce", ping),
            valid("pong", "PONG echoing the nonce", .pong(0x0102_0304_0506_0708)),
            valid("ack.accepted", "ACK: accepted and durable", .ack(Ack(id: id, status: .accepted))),
            valid("ack.duplicate", "ACK: already accepted", .ack(Ack(id: id, status: .duplicate))),
            valid("ack.held", "ACK: stored, awaiting dependencies or its time", .ack(Ack(id: id, status: .held))),
            valid("reject.bad-signature", "REJECT with BAD_SIGNATURE", .reject(Reject(id: id, code: .badSignature, detail: "unverified news moves no one"))),
            valid("sync.empty", "SYNC from a node that holds nothing", .sync(SyncVector(entries: []))),
            valid("sync.two-authors", "SYNC with two authors in ascending key order",
                  .sync(SyncVector(entries: [.init(author: low, sequence: 12), .init(author: high, sequence: 3)]))),
            valid("sync-done", "SYNC_DONE after 42 messages", .syncDone(42)),
            Vector(name: "extension.ignored", description: "Type 0x80 is in the extension range: ignored, whatever its flags and body",
                   frame: raw(type: 0x80, flags: 0xFF, body: [1, 2, 3]), expectation: .valid, fields: ["decoded": Frame.ignoredExtension(FrameType(rawValue: 0x80)).json]),
            Vector(name: "length.at-limit", description: "Declared length exactly MAX_FRAME_LENGTH (an ignored extension frame)",
                   frame: raw(type: 0xFE, body: [UInt8](repeating: 0, count: Limits.maxFrameLength - 3)), expectation: .valid,
                   fields: ["decoded": Frame.ignoredExtension(FrameType(rawValue: 0xFE)).json]),
        ]
        let pingBytes = ping.encoded()
        func withPrefix(_ length: UInt32, _ tail: [UInt8]) -> [UInt8] {
            var writer = WireWriter()
            writer.u32(length)
            writer.raw(tail)
            return writer.bytes
        }
        vectors += [
            invalid("length.zero", "Declared length 0: no room for the header", withPrefix(0, []), .frameTooShort),
            invalid("length.two", "Declared length 2: one byte short of the header", withPrefix(2, [1, 0x10]), .frameTooShort),
            invalid("length.limit-plus-one", "Declared length MAX_FRAME_LENGTH + 1, refused before any body byte is read",
                    withPrefix(UInt32(Limits.maxFrameLength + 1), [1, 0x80, 0]), .frameTooLarge),
            invalid("length.near-4gib", "Declared length 0xFFFFFFF0, refused from the prefix alone", withPrefix(0xFFFF_FFF0, [1, 0x10, 0]), .frameTooLarge),
            invalid("length.max-u32", "Declared length 0xFFFFFFFF", withPrefix(0xFFFF_FFFF, []), .frameTooLarge),
            invalid("version.zero", "Version 0 is never valid", raw(version: 0, type: 0x10, body: Array(pingBytes[7...])), .unsupportedVersion),
            invalid("version.two", "Version 2 on a version-1 link", raw(version: 2, type: 0x10, body: Array(pingBytes[7...])), .unsupportedVersion),
            invalid("type.unknown-0x05", "Type 0x05 is below 0x80 and not defined", raw(type: 0x05, body: []), .unknownFrameType),
            invalid("type.unknown-0x7f", "Type 0x7F is below 0x80 and not defined", raw(type: 0x7F, body: [0]), .unknownFrameType),
            invalid("flags.reserved", "PING with flag bit 0 set", raw(type: 0x10, flags: 0x01, body: Array(pingBytes[7...])), .reservedFlags),
            invalid("flags.high-bit", "ACK with flag bit 7 set", raw(type: 0x21, flags: 0x80, body: id.bytes + [0]), .reservedFlags),
            invalid("ping.short", "PING with a 7-byte nonce", raw(type: 0x10, body: [1, 2, 3, 4, 5, 6, 7]), .malformedFrame),
            invalid("ping.trailing", "PING with a byte after the nonce", raw(type: 0x10, body: Array(pingBytes[7...]) + [0]), .malformedFrame),
            invalid("ack.status-3", "ACK status 3 is not defined", raw(type: 0x21, body: id.bytes + [3]), .malformedFrame),
            invalid("ack.truncated", "ACK cut inside the ID", raw(type: 0x21, body: Array(id.bytes.prefix(20))), .malformedFrame),
            invalid("error.bad-utf8", "ERROR whose detail is an overlong UTF-8 encoding of '/'",
                    raw(type: 0x04, body: [0, 0, 0, 2, 0xC0, 0xAF]), .malformedFrame),
            invalid("error.detail-too-long", "ERROR detail of 1025 bytes",
                    raw(type: 0x04, body: [0, 0, 0x04, 0x01] + [UInt8](repeating: 0x61, count: 1025)), .malformedFrame),
            invalid("sync.unsorted", "SYNC entries in descending author order",
                    raw(type: 0x30, body: [0, 2] + high.bytes + u64(1) + low.bytes + u64(1)), .malformedFrame),
            invalid("sync.duplicate", "SYNC with the same author twice",
                    raw(type: 0x30, body: [0, 2] + low.bytes + u64(1) + low.bytes + u64(2)), .malformedFrame),
            invalid("sync.sequence-zero", "SYNC entry with sequence 0 (an absent author is omitted instead)",
                    raw(type: 0x30, body: [0, 1] + low.bytes + u64(0)), .malformedFrame),
            invalid("sync.count-beyond-body", "SYNC declaring 3 entries but carrying 1",
                    raw(type: 0x30, body: [0, 3] + low.bytes + u64(1)), .malformedFrame),
            invalid("message.empty", "MESSAGE with no message", raw(type: 0x20, body: []), .malformedFrame),
        ]
        return VectorFile(fileName: "frames.json", vectors: vectors)
    }

    static func u64(_ value: UInt64) -> [UInt8] {
        var writer = WireWriter()
        writer.u64(value)
        return writer.bytes
    }
}
