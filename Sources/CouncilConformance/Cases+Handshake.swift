import CouncilProtocol
import CouncilVectors
import CouncilWire

/// Handshake cases (PROTOCOL.md §7).
enum HandshakeCases {
    static let all: [ConformanceCase] = [
        ConformanceCase("HS-1/handshake-completes", "A correct HELLO and AUTH complete the handshake with Budapest") { context in
            let peer = try await context.connect()
            defer { peer.close() }
            let council = try await peer.handshake(as: "csepel", key: ConformanceContract.councilKey("csepel"), roster: context.roster)
            return council == ConformanceContract.council ? .pass : .fail(expected: "WELCOME from budapest", actual: council)
        },
        ConformanceCase("HS-2/min-above-max", "A HELLO with min_version above max_version is MALFORMED_FRAME") { context in
            try await context.refusedBeforeHandshake(context.hello(min: 2, max: 1), [.malformedFrame])
        },
        ConformanceCase("HS-3/no-common-version", "A HELLO offering only versions 2–3 is UNSUPPORTED_VERSION") { context in
            try await context.refusedBeforeHandshake(context.hello(min: 2, max: 3), [.unsupportedVersion])
        },
        ConformanceCase("HS-3/chooses-highest-common", "A HELLO offering 1–3 is answered with version 1") { context in
            let peer = try await context.connect()
            defer { peer.close() }
            try await peer.sendRaw(context.hello(min: 1, max: 3))
            let frame = try await peer.expect(within: context.deadline(5)) { if case .welcome = $0 { return true }; return false }
            guard case .welcome(let welcome)? = frame else { return .fail(expected: "WELCOME", actual: "none") }
            return welcome.version == 1 ? .pass : .fail(expected: "version 1", actual: "version \(welcome.version)")
        },
        ConformanceCase("HS-4/wrong-federation", "A HELLO of another federation is WRONG_FEDERATION") { context in
            try await context.refusedBeforeHandshake(context.hello(rosterHash: Hashing.sha256(Array("another federation".utf8))), [.wrongFederation])
        },
        ConformanceCase("HS-5/unknown-council", "A HELLO from a council not in the roster is UNKNOWN_COUNCIL") { context in
            try await context.refusedBeforeHandshake(context.hello(council: "sopron"), [.unknownCouncil])
        },
        ConformanceCase("HS-5/self-link", "A HELLO claiming to be Budapest itself is SELF_LINK") { context in
            try await context.refusedBeforeHandshake(context.hello(council: ConformanceContract.council), [.selfLink])
        },
        ConformanceCase("HS-6/welcome-signature-verifies", "WELCOME's signature verifies under Budapest's key over T1") { context in
            let peer = try await context.connect()
            defer { peer.close() }
            do {
                _ = try await peer.handshake(as: "miskolc", key: ConformanceContract.councilKey("miskolc"), roster: context.roster)
                return .pass
            } catch {
                return .fail(expected: "a WELCOME that verifies", actual: "\(error)")
            }
        },
        ConformanceCase("HS-7/bad-auth-signature", "An AUTH signed with the wrong key is AUTHENTICATION_FAILED") { context in
            let peer = try await context.connect()
            defer { peer.close() }
            // Miskolc's name, Pécs's key: the AUTH cannot verify.
            do {
                _ = try await peer.handshake(as: "miskolc", key: ConformanceContract.councilKey("pecs"), roster: context.roster)
            } catch {
                return .inconclusive("the handshake did not reach AUTH: \(error)")
            }
            peer.unseal()
            return try await context.expectError(peer, Allowed([.authenticationFailed], closes: true))
        },
        ConformanceCase("HS-8/low-order-share", "An all-zero X25519 share is AUTHENTICATION_FAILED") { context in
            let peer = try await context.connect()
            defer { peer.close() }
            let hello = context.hello(council: "csepel", ephemeral: .zero)
            try await peer.sendRaw(hello)
            let first = try await peer.expect(within: context.deadline(5)) { frame in
                switch frame {
                case .welcome, .error: true
                default: false
                }
            }
            // [HS-8] allows refusing such a HELLO at once: then the frame read is that ERROR.
            guard case .welcome(let welcome)? = first else { return try await context.judge(first, on: peer, Allowed([.authenticationFailed], closes: true)) }
            // Complete AUTH honestly; the responder's key derivation must refuse the zero secret.
            let welcomeFrame = Frame.welcome(welcome).encoded()
            let t1 = HandshakeTranscript.t1(hello: hello, welcomeUnsigned: Array(welcomeFrame.dropLast(64)))
            let t2 = HandshakeTranscript.t2(t1: t1, welcomeSignature: welcome.signature)
            let signature = ConformanceContract.councilKey("csepel").sign(HandshakeTranscript.authDomain + t2.bytes)
            try await peer.sendRaw(Frame.auth(Auth(signature: signature)).encoded())
            return try await context.expectError(peer, Allowed([.authenticationFailed], closes: true))
        },
        ConformanceCase("HS-9/message-before-handshake", "A MESSAGE before the handshake is UNEXPECTED_FRAME") { context in
            try await context.refusedBeforeHandshake(Frame.message([1, 2, 3]).encoded(), [.unexpectedFrame])
        },
        ConformanceCase("HS-9/extension-before-handshake", "An extension frame before the handshake is UNEXPECTED_FRAME") { context in
            try await context.refusedBeforeHandshake(FrameLength.prefixed([1, 0x80, 0]), [.unexpectedFrame])
        },
        ConformanceCase("HS-9/auth-out-of-turn", "AUTH as the first frame is UNEXPECTED_FRAME") { context in
            try await context.refusedBeforeHandshake(Frame.auth(Auth(signature: .zero)).encoded(), [.unexpectedFrame])
        },
        ConformanceCase("HS-9/frame-checked-first", "Before the handshake, an unknown frame type is UNKNOWN_FRAME_TYPE, not UNEXPECTED_FRAME") { context in
            try await context.refusedBeforeHandshake(FrameLength.prefixed(FramingCases.raw(type: 0x05)), [.unknownFrameType])
        },
        ConformanceCase("HS-15/federation-before-council", "A HELLO from an unknown council of another federation is WRONG_FEDERATION") { context in
            try await context.refusedBeforeHandshake(context.hello(council: "sopron", rosterHash: Hashing.sha256(Array("another federation".utf8))),
                                                     [.wrongFederation])
        },
        ConformanceCase("HS-10/handshake-timeout", "A connection that never completes the handshake is closed") { context in
            let peer = try await context.connect()
            defer { peer.close() }
            let (closed, notice) = try await peer.expectClose(within: context.deadline(14))
            guard closed else { return .fail(expected: "a close within HANDSHAKE_TIMEOUT (10 s)", actual: "still open after 14 s") }
            return notice == nil || notice?.code == .handshakeTimeout ? .pass : .fail(expected: "HANDSHAKE_TIMEOUT", actual: notice!.code.name)
        },
        ConformanceCase("HS-11/refusal-is-explained", "A refused handshake gets an ERROR with the code before the close") { context in
            let peer = try await context.connect()
            defer { peer.close() }
            try await peer.sendRaw(context.hello(council: "sopron"))
            let (closed, notice) = try await peer.expectClose(within: context.deadline(5))
            return closed && notice?.code == .unknownCouncil ? .pass : .fail(expected: "ERROR UNKNOWN_COUNCIL, then a close", actual: "\(notice?.code.name ?? "no ERROR"), closed: \(closed)")
        },
    ]
}
