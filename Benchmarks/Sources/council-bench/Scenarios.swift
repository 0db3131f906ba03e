import CouncilConformance
import CouncilNode
import CouncilProtocol
import CouncilSimulator
import CouncilWire
import Foundation

/// The benchmark scenarios (issue: benchmarks). Each returns samples in its unit.
enum Scenarios {
    /// A realistic message: a delegate's vote with a statement, in a MESSAGE frame.
    static func sampleFrame() -> [UInt8] {
        let key = TestFederation.delegateKey(1)
        let message = SignedMessage(signing: GovernanceMessage(
            author: key.publicKey, sequence: 7, timestamp: TestFederation.epoch, prev: Hashing.sha256([1]), refs: [Hashing.sha256([2]), Hashing.sha256([3])].sorted(),
            payload: .vote(Vote(resolution: Hashing.sha256([4]), mandate: Hashing.sha256([5]), choice: .no,
                                statement: "You can work if you want, but we shall provide neither coal nor electricity."))),
            with: key, rosterHash: TestFederation.roster.hash)
        return Frame.message(message.bytes).encoded()
    }

    /// Frames decoded (frame, message, canonical re-encoding check) and encoded per second, one core.
    static func codec(iterations: Int) -> Double {
        let frame = sampleFrame()
        var sink = 0
        let seconds = Clock.seconds {
            for _ in 0..<iterations {
                var splitter = FrameSplitter()
                splitter.append(frame)
                guard let content = try? splitter.next(), case .message(let body)? = try? Frame(content: content),
                      let message = try? GovernanceMessage(decoding: body) else { fatalError("the sample frame must decode") }
                sink &+= Frame.message(message.encoded).encoded().count
            }
        }
        precondition(sink > 0)
        return Double(iterations) / seconds
    }

    /// The limit for the codec: a raw length-prefix round trip of the same bytes.
    static func rawFraming(iterations: Int) -> Double {
        let frame = sampleFrame()
        var sink = 0
        let seconds = Clock.seconds {
            for _ in 0..<iterations {
                let length = Int(FrameLength.peek(frame)!)
                let content = Array(frame[4..<(4 + length)])
                sink &+= FrameLength.prefixed(content).count
            }
        }
        precondition(sink > 0)
        return Double(iterations) / seconds
    }

    /// Ed25519 verifications per second on `cores` cores.
    static func verifications(count: Int, cores: Int) async -> Double {
        let key = TestFederation.delegateKey(2)
        let input = Array(repeating: UInt8(7), count: 300)
        let signature = key.sign(input)
        let perCore = count / cores
        let seconds = await Clock.seconds {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<cores {
                    group.addTask {
                        for _ in 0..<perCore { precondition(SignatureCheck.verify(signature, of: input, by: key.publicKey)) }
                    }
                }
            }
        }
        return Double(perCore * cores) / seconds
    }

    /// Simulator seeds per second, on every core.
    static func simulator(seeds: Int, cores: Int) async -> Double {
        let seconds = await Clock.seconds {
            await withTaskGroup(of: Bool.self) { group in
                var next: UInt64 = 1
                for _ in 0..<cores {
                    let seed = next
                    next += 1
                    group.addTask { var simulation = Simulation(.init(seed: seed)); return simulation.run().passed }
                }
                var done = 0
                for await passed in group {
                    precondition(passed, "a benchmark seed failed")
                    done += 1
                    if Int(next) <= seeds {
                        let seed = next
                        next += 1
                        group.addTask { var simulation = Simulation(.init(seed: seed)); return simulation.run().passed }
                    }
                    _ = done
                }
            }
        }
        return Double(seeds) / seconds
    }

    /// Messages received over a real link, verified, stored durably and acknowledged, per second.
    static func ingest(target: String, messages: [SignedMessage], roster: Roster = ConformanceContract.roster) async throws -> Double {
        let peer = try await TestPeer.connect(to: target)
        defer { peer.close() }
        _ = try await peer.handshake(as: "gyor", key: ConformanceContract.councilKey("gyor"), roster: roster)
        let ids = Set(messages.map(\.id))
        var acknowledged = 0
        let seconds = try await Clock.seconds {
            for start in stride(from: 0, to: messages.count, by: 256) {
                peer.send(messages[start..<min(start + 256, messages.count)].map { .message($0.bytes) })
            }
            while acknowledged < ids.count {
                guard let event = try await peer.next(within: .seconds(30)) else { throw TestPeer.Failure("ingest stalled at \(acknowledged)") }
                switch event {
                case .frame(.ack(let ack)) where ids.contains(ack.id): acknowledged += 1
                case .frame(.reject(let reject)) where ids.contains(reject.id): throw TestPeer.Failure("rejected: \(reject.code.name) \(reject.detail)")
                case .frame(.ping(let nonce)): try await peer.send(.pong(nonce))
                case .closed: throw TestPeer.Failure("the node closed the link")
                default: continue
                }
            }
        }
        return Double(messages.count) / seconds
    }
}

extension Scenarios {
    /// One durable SQLite commit of one message (WAL, `synchronous = FULL`), in milliseconds,
    /// sorted: the floor under every hop, since a node relays only what it has committed.
    static func commitLatencies(count: Int) throws -> [Double] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("council-bench-commit-\(UUID().uuidString.prefix(6))")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try MessageStore(folder: folder.path, council: "budapest", rosterHash: ConformanceContract.roster.hash)
        var latencies: [Double] = []
        for message in ConformanceContract.proposalChain(count: count) {
            let started = DispatchTime.now().uptimeNanoseconds
            try store.commit([.accepted(message)])
            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6)
        }
        return latencies.sorted()
    }
}
