import CouncilProtocol
import CouncilVectors
import CouncilWire

/// Framing and link cases (PROTOCOL.md §4, §7.6, §8).
enum FramingCases {
    static func raw(version: UInt8 = 1, type: UInt8, flags: UInt8 = 0, body: [UInt8] = []) -> [UInt8] { [version, type, flags] + body }
    static func prefix(_ length: UInt32) -> [UInt8] {
        var writer = WireWriter()
        writer.u32(length)
        return writer.bytes
    }

    static let all: [ConformanceCase] = [
        ConformanceCase("FRAME-1/hello-byte-at-a-time", "A HELLO written one byte at a time is answered with WELCOME") { context in
            let peer = try await context.connect()
            defer { peer.close() }
            try await peer.sendRaw(context.hello(), byteAtATime: true)
            let frame = try await peer.expect(within: context.deadline(5)) { if case .welcome = $0 { return true }; return false }
            return frame != nil ? .pass : .fail(expected: "WELCOME", actual: "none within 5 s")
        },
        ConformanceCase("FRAME-1/two-frames-one-write", "Two PINGs in one TCP write get two PONGs") { context in
            let (peer, _) = try await context.link(as: "miskolc")
            defer { peer.close() }
            try await peer.send(.ping(11))
            try await peer.send(.ping(12))
            let first = try await peer.expect(within: context.deadline(3)) { $0 == .pong(11) }
            let second = try await peer.expect(within: context.deadline(3)) { $0 == .pong(12) }
            return first != nil && second != nil ? .pass : .fail(expected: "PONG 11 and PONG 12", actual: "missing")
        },
        ConformanceCase("FRAME-2/length-near-4gib-before-handshake", "A declared length of 0xFFFFFFF0 is refused at once, before any body") { context in
            try await context.refusedBeforeHandshake(prefix(0xFFFF_FFF0), [.frameTooLarge])
        },
        ConformanceCase("FRAME-3/length-limit-plus-one", "MAX_FRAME_LENGTH + 1 is FRAME_TOO_LARGE and closes the link") { context in
            try await context.refusedBeforeHandshake(prefix(UInt32(Limits.maxFrameLength + 1)) + [1, 0x80, 0], [.frameTooLarge])
        },
        ConformanceCase("FRAME-3/length-max-u32", "A declared length of 0xFFFFFFFF is FRAME_TOO_LARGE") { context in
            try await context.refusedBeforeHandshake(prefix(0xFFFF_FFFF), [.frameTooLarge])
        },
        ConformanceCase("FRAME-3/length-zero", "A declared length of 0 is FRAME_TOO_SHORT and closes the link") { context in
            try await context.refusedBeforeHandshake(prefix(0), [.frameTooShort])
        },
        ConformanceCase("FRAME-3/sealed-too-short", "After the handshake, a frame shorter than 19 bytes closes the link") { context in
            let (peer, _) = try await context.link(as: "miskolc")
            defer { peer.close() }
            try await peer.sendRaw(prefix(10) + [UInt8](repeating: 0, count: 10))
            let (closed, _) = try await peer.expectClose(within: context.deadline(5))
            return closed ? .pass : .fail(expected: "the link closes (FRAME_TOO_SHORT)", actual: "it stayed open")
        },
        ConformanceCase("FRAME-3/length-at-limit-accepted", "An extension frame of exactly MAX_FRAME_LENGTH is read and ignored") { context in
            let (peer, _) = try await context.link(as: "miskolc")
            defer { peer.close() }
            try await peer.sendContent(raw(type: 0xF0, body: [UInt8](repeating: 0, count: Limits.maxFrameLength - 3 - Limits.aeadTagLength)))
            return try await context.alive(peer) ? .pass : .fail(expected: "the link stays up", actual: "it closed")
        },
        ConformanceCase("FRAME-4/version-two-after-handshake", "A frame of version 2 on a version-1 link closes it") { context in
            try await context.onLink(raw(version: 2, type: 0x10, body: [UInt8](repeating: 0, count: 8)), Allowed([.unsupportedVersion], closes: true))
        },
        ConformanceCase("FRAME-4/version-zero-before-handshake", "A HELLO with frame version 0 is refused") { context in
            var hello = context.hello()
            hello[4] = 0
            return try await context.refusedBeforeHandshake(hello, [.unsupportedVersion])
        },
        ConformanceCase("FRAME-5/reserved-flags", "PING with a flag set is RESERVED_FLAGS; the link stays up") { context in
            try await context.onLink(raw(type: 0x10, flags: 1, body: [UInt8](repeating: 0, count: 8)), Allowed([.reservedFlags], closes: false))
        },
        ConformanceCase("FRAME-6/unknown-type", "Type 0x7F is UNKNOWN_FRAME_TYPE; the link stays up") { context in
            try await context.onLink(raw(type: 0x7F), Allowed([.unknownFrameType], closes: false))
        },
        ConformanceCase("FRAME-7/ping-short", "A PING with a 7-byte nonce is MALFORMED_FRAME; the link stays up") { context in
            try await context.onLink(raw(type: 0x10, body: [1, 2, 3, 4, 5, 6, 7]), Allowed([.malformedFrame], closes: false))
        },
        ConformanceCase("FRAME-7/ack-status-3", "An ACK with status 3 is MALFORMED_FRAME") { context in
            try await context.onLink(raw(type: 0x21, body: [UInt8](repeating: 7, count: 32) + [3]), Allowed([.malformedFrame], closes: false))
        },
        ConformanceCase("FRAME-7/sync-unsorted", "A SYNC with descending authors is MALFORMED_FRAME") { context in
            let (a, b) = (Bytes32([UInt8](repeating: 9, count: 32)), Bytes32([UInt8](repeating: 3, count: 32)))
            var writer = WireWriter()
            writer.u16(2)
            for author in [a, b] {
                writer.bytes32(author)
                writer.u64(1)
            }
            return try await context.onLink(raw(type: 0x30, body: writer.bytes), Allowed([.malformedFrame], closes: false))
        },
        ConformanceCase("FRAME-8/fault-keeps-link", "After a survivable fault the link still carries messages") { context in
            let (peer, _) = try await context.link(as: "miskolc")
            defer { peer.close() }
            try await peer.sendContent(raw(type: 0x7E))
            _ = try await context.expectError(peer, Allowed([.unknownFrameType], closes: nil))
            let (_, answer) = try await context.act(ConformanceContract.councilKey("miskolc"), .dissolution(Dissolution(council: "nonexistent", statement: "")), on: peer)
            return answer == .reject(.notAuthorised) ? .pass : .fail(expected: "REJECT NOT_AUTHORISED on the same link", actual: answer.description)
        },
        ConformanceCase("FRAME-9/extension-ignored", "An extension frame (0x80, flags set) is ignored: no ERROR, not counted") { context in
            let (peer, _) = try await context.link(as: "miskolc")
            defer { peer.close() }
            for _ in 0..<40 { try await peer.sendContent(raw(type: 0x80, flags: 0xFF, body: [1, 2, 3])) }
            let error = try await peer.expect(within: context.deadline(1)) { if case .error = $0 { return true }; return false }
            if let error { return .fail(expected: "no answer", actual: "\(error)") }
            return try await context.alive(peer) ? .pass : .fail(expected: "the link stays up", actual: "it closed")
        },
        ConformanceCase("FRAME-10/version-before-type", "A frame with a bad version and an unknown type is UNSUPPORTED_VERSION") { context in
            try await context.onLink(raw(version: 9, type: 0x7F), Allowed([.unsupportedVersion], closes: true))
        },
        ConformanceCase("SEAL-3/tampered-frame", "A sealed frame with a flipped bit closes the link") { context in
            let (peer, _) = try await context.link(as: "miskolc")
            defer { peer.close() }
            var bytes = prefix(27) + [UInt8](repeating: 0x5A, count: 27)
            bytes[6] ^= 1
            try await peer.sendRaw(bytes)
            let (closed, _) = try await peer.expectClose(within: context.deadline(5))
            return closed ? .pass : .fail(expected: "the link closes (DECRYPTION_FAILED)", actual: "it stayed open")
        },
        ConformanceCase("HS-12/plaintext-after-handshake", "A plaintext PING after the handshake fails to open and closes the link") { context in
            let (peer, _) = try await context.link(as: "miskolc")
            defer { peer.close() }
            try await peer.sendRaw(Frame.ping(1).encoded() + [UInt8](repeating: 0, count: 16))
            let (closed, _) = try await peer.expectClose(within: context.deadline(5))
            return closed ? .pass : .fail(expected: "the link closes", actual: "it stayed open")
        },
        ConformanceCase("LINK-1/sync-first", "The first sealed frame from the implementation is SYNC") { context in
            let peer = try await context.connect()
            defer { peer.close() }
            _ = try await peer.handshake(as: "pecs", key: ConformanceContract.councilKey("pecs"), roster: context.roster)
            guard let event = try await peer.next(within: context.deadline(5)) else { return .fail(expected: "SYNC", actual: "nothing") }
            if case .frame(.sync) = event { return .pass }
            return .fail(expected: "SYNC first", actual: "\(event)")
        },
        ConformanceCase("LINK-2/pong-echoes-nonce", "PING is answered with PONG carrying the same nonce") { context in
            let (peer, _) = try await context.link(as: "miskolc")
            defer { peer.close() }
            try await peer.send(.ping(0xDEAD_BEEF))
            return try await peer.expect(within: context.deadline(3)) { $0 == .pong(0xDEAD_BEEF) } != nil
                ? .pass : .fail(expected: "PONG 0xDEADBEEF", actual: "none")
        },
        ConformanceCase("LINK-3/heartbeat", "A quiet link gets a PING within HEARTBEAT_INTERVAL") { context in
            let (peer, _) = try await context.link(as: "miskolc")
            defer { peer.close() }
            let started = ContinuousClock.now
            while ContinuousClock.now - started < context.deadline(7) {
                guard let event = try await peer.next(within: context.deadline(7)) else { break }
                if case .frame(.ping) = event { return .pass }
            }
            return .fail(expected: "a PING within 5 s (+2 s margin)", actual: "none")
        },
        ConformanceCase("LINK-4/idle-timeout", "A peer that sends nothing is closed with IDLE_TIMEOUT") { context in
            let (peer, _) = try await context.link(as: "miskolc")
            defer { peer.close() }
            let started = ContinuousClock.now
            var notice: ErrorNotice?
            while ContinuousClock.now - started < context.deadline(25) {
                guard let event = try await peer.next(within: context.deadline(25)) else { break }
                switch event {
                case .frame(.error(let error)): notice = error
                case .closed: return notice?.code == .idleTimeout || notice == nil ? .pass : .fail(expected: "IDLE_TIMEOUT", actual: notice!.code.name)
                default: continue
                }
            }
            return .fail(expected: "the link closes within DEAD_LINK_AFTER + HEARTBEAT_INTERVAL", actual: "still open after 25 s")
        },
        ConformanceCase("LINK-5/too-many-invalid-frames", "More than MAX_INVALID_FRAMES invalid frames close the link") { context in
            let (peer, _) = try await context.link(as: "miskolc")
            defer { peer.close() }
            for _ in 0..<40 { try await peer.sendContent(raw(type: 0x7D)) }
            let (closed, notice) = try await peer.expectClose(within: context.deadline(5))
            guard closed else { return .fail(expected: "TOO_MANY_INVALID_FRAMES and a close", actual: "the link stayed open") }
            return notice?.code == .tooManyInvalidFrames || notice?.code == .unknownFrameType ? .pass
                : .fail(expected: "TOO_MANY_INVALID_FRAMES", actual: notice?.code.name ?? "no ERROR")
        },
        ConformanceCase("LINK-6/closing-error-closes", "An ERROR whose code closes makes the implementation close too") { context in
            let (peer, _) = try await context.link(as: "miskolc")
            defer { peer.close() }
            try await peer.send(.error(ErrorNotice(code: .wrongFederation, detail: "conformance")))
            let (closed, _) = try await peer.expectClose(within: context.deadline(5))
            return closed ? .pass : .fail(expected: "the link closes", actual: "it stayed open")
        },
        ConformanceCase("LINK-6/surviving-error-keeps-link", "An ERROR whose code survives does not close the link") { context in
            let (peer, _) = try await context.link(as: "miskolc")
            defer { peer.close() }
            try await peer.send(.error(ErrorNotice(code: .malformedFrame, detail: "conformance")))
            return try await context.alive(peer) ? .pass : .fail(expected: "the link stays up", actual: "it closed")
        },
        ConformanceCase("LINK-7/normal-close", "ERROR NORMAL_CLOSE ends the link") { context in
            let (peer, _) = try await context.link(as: "miskolc")
            defer { peer.close() }
            try await peer.send(.error(ErrorNotice(code: .normalClose, detail: "goodbye")))
            let (closed, _) = try await peer.expectClose(within: context.deadline(5))
            return closed ? .pass : .fail(expected: "the link closes", actual: "it stayed open")
        },
        ConformanceCase("LINK-8/answers-before-close", "A MESSAGE sent just before a closing ERROR is still answered, before the close") { context in
            let (mandate, delegate) = try await context.mandate("miskolc")
            let proposal = context.sign(context.draft(delegate, .proposal(Proposal(
                mandate: mandate.id, question: "q-close", kind: "strike", rule: .majority, quorum: 1, closesAt: context.now + 3_600_000,
                title: "Asked as the link closes", text: "Sent in one write with NORMAL_CLOSE."))), delegate)
            let (peer, _) = try await context.link(as: "miskolc")
            defer { peer.close() }
            // In one write, so the implementation reads the ERROR before it has answered the MESSAGE.
            peer.send([.message(proposal.bytes), .error(ErrorNotice(code: .normalClose, detail: "goodbye"))])
            let answer = try await peer.expect(within: context.deadline(5)) { $0.answers(proposal.id) }
            if case .ack(let ack)? = answer, ack.status == .accepted { context.remember(proposal) }
            return answer != nil ? .pass : .fail(expected: "an ACK or REJECT of the MESSAGE, then the close", actual: "the link closed unanswered")
        },
        ConformanceCase("ERR-2/unknown-code-closes", "An ERROR with an unknown code is treated as closing") { context in
            let (peer, _) = try await context.link(as: "miskolc")
            defer { peer.close() }
            try await peer.send(.error(ErrorNotice(code: ErrorCode(rawValue: 0x9ABC), detail: "an extension fault")))
            let (closed, _) = try await peer.expectClose(within: context.deadline(5))
            return closed ? .pass : .fail(expected: "the link closes", actual: "it stayed open")
        },
        ConformanceCase("NODE-4/duplicate-link", "A second link from the same council replaces the first, which is closed") { context in
            let (first, _) = try await context.link(as: "pecs")
            defer { first.close() }
            let (second, _) = try await context.link(as: "pecs")
            defer { second.close() }
            let (closed, notice) = try await first.expectClose(within: context.deadline(5))
            guard closed else { return .fail(expected: "one of the two links closes with DUPLICATE_LINK", actual: "both stayed open") }
            return notice == nil || notice?.code == .duplicateLink ? .pass : .fail(expected: "DUPLICATE_LINK", actual: notice!.code.name)
        },
        ConformanceCase("ACK-1/empty-message-body", "A MESSAGE with no body is MALFORMED_FRAME") { context in
            try await context.onLink(raw(type: 0x20), Allowed([.malformedFrame], closes: false))
        },
    ]
}
