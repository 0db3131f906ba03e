import Foundation
import NIOCore
import NIOPosix

/// A minimal MQTT 3.1.1 client for the side-by-side run against mosquitto: CONNECT, SUBSCRIBE,
/// PUBLISH at QoS 1 and PUBACK. The bench drives the broker with it, since `mosquitto_pub -l`
/// silently drops messages under load.
enum MQTT {
    /// One control packet: the first header byte and the body after the remaining length.
    typealias Packet = (header: UInt8, body: ByteBuffer)

    static func remainingLength(_ count: Int) -> [UInt8] {
        var value = count
        var bytes: [UInt8] = []
        repeat {
            var byte = UInt8(value % 128)
            value /= 128
            if value > 0 { byte |= 0x80 }
            bytes.append(byte)
        } while value > 0
        return bytes
    }

    static func string(_ text: String) -> [UInt8] { [UInt8(text.utf8.count >> 8), UInt8(text.utf8.count & 0xFF)] + Array(text.utf8) }
    static func packet(_ header: UInt8, _ body: [UInt8]) -> [UInt8] { [header] + remainingLength(body.count) + body }
    static func id(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }

    static func connect(client: String) -> [UInt8] { packet(0x10, string("MQTT") + [4, 0x02, 0, 60] + string(client)) }
    static func subscribe(topic: String) -> [UInt8] { packet(0x82, id(1) + string(topic) + [1]) }
    static func publish(topic: String, id packetID: UInt16, payload: [UInt8]) -> [UInt8] { packet(0x32, string(topic) + id(packetID) + payload) }
    static func puback(_ packetID: UInt16) -> [UInt8] { packet(0x40, id(packetID)) }

    /// Splits the byte stream into control packets.
    struct Decoder: ByteToMessageDecoder {
        typealias InboundOut = Packet

        mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
            var view = buffer
            guard let header = view.readInteger(as: UInt8.self) else { return .needMoreData }
            var length = 0
            var shift = 0
            while true {
                guard let byte = view.readInteger(as: UInt8.self) else { return .needMoreData }
                length |= Int(byte & 0x7F) << shift
                shift += 7
                if byte & 0x80 == 0 { break }
                if shift > 21 { throw Failure("MQTT remaining length too long") }
            }
            guard let body = view.readSlice(length: length) else { return .needMoreData }
            buffer = view
            context.fireChannelRead(wrapInboundOut((header, body)))
            return .continue
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    typealias Channel = NIOAsyncChannel<Packet, ByteBuffer>

    static func open(port: Int, client: String) async throws -> Channel {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(Decoder()))
                    return try Channel(wrappingChannelSynchronously: channel)
                }
            }
        return channel
    }

    /// Publishes `payloads` at QoS 1 through the broker to a subscriber of the same topic, and
    /// returns messages per second until the subscriber has every one and the publisher every PUBACK.
    static func relayRate(port: Int, payloads: [[UInt8]]) async throws -> Double {
        let topic = "council/bench"
        let count = payloads.count
        let subscriber = try await open(port: port, client: "council-bench-sub")
        let publisher = try await open(port: port, client: "council-bench-pub")
        let (subscribed, subscribedNow) = AsyncStream.makeStream(of: Void.self)
        return try await withThrowingTaskGroup(of: (start: UInt64?, end: UInt64).self) { group in
            group.addTask {
                try await subscriber.executeThenClose { input, output in
                    var packets = input.makeAsyncIterator()
                    try await output.write(ByteBuffer(bytes: connect(client: "council-bench-sub-\(UUID().uuidString.prefix(6))")))
                    guard try await packets.next()?.header == 0x20 else { throw Failure("no CONNACK for the subscriber") }
                    try await output.write(ByteBuffer(bytes: subscribe(topic: topic)))
                    guard try await packets.next()?.header == 0x90 else { throw Failure("no SUBACK") }
                    subscribedNow.finish()
                    var received = 0
                    while received < count {
                        guard let packet = try await packets.next() else { throw Failure("the broker closed the subscriber at \(received)") }
                        guard packet.header & 0xF0 == 0x30 else { continue }
                        var body = packet.body
                        guard let topicLength = body.readInteger(as: UInt16.self), body.readSlice(length: Int(topicLength)) != nil,
                              let packetID = body.readInteger(as: UInt16.self) else { throw Failure("a malformed PUBLISH") }
                        try await output.write(ByteBuffer(bytes: puback(packetID)))
                        received += 1
                    }
                }
                return (nil, DispatchTime.now().uptimeNanoseconds)
            }
            group.addTask {
                try await publisher.executeThenClose { input, output in
                    // PUBACKs are read while the PUBLISHes go out, so neither side's buffers fill.
                    try await withThrowingTaskGroup(of: UInt64.self) { acks in
                        let (connected, connectedNow) = AsyncStream.makeStream(of: Void.self)
                        acks.addTask {
                            var packets = input.makeAsyncIterator()
                            guard try await packets.next()?.header == 0x20 else { throw Failure("no CONNACK for the publisher") }
                            connectedNow.finish()
                            var acknowledged = 0
                            while acknowledged < count {
                                guard let packet = try await packets.next() else { throw Failure("the broker closed the publisher at \(acknowledged)") }
                                if packet.header == 0x40 { acknowledged += 1 }
                            }
                            return DispatchTime.now().uptimeNanoseconds
                        }
                        try await output.write(ByteBuffer(bytes: connect(client: "council-bench-pub-\(UUID().uuidString.prefix(6))")))
                        for await _ in connected {}
                        for await _ in subscribed {}
                        let start = DispatchTime.now().uptimeNanoseconds
                        for (index, payload) in payloads.enumerated() {
                            try await output.write(ByteBuffer(bytes: publish(topic: topic, id: UInt16(index % 65_535 + 1), payload: payload)))
                        }
                        guard let end = try await acks.next() else { throw Failure("the publisher's reader ended") }
                        return (start, end)
                    }
                }
            }
            var start: UInt64 = 0
            var end: UInt64 = 0
            for try await (began, finished) in group {
                if let began { start = began }
                end = max(end, finished)
            }
            return Double(count) / (Double(end - start) / 1e9)
        }
    }
}

/// A local mosquitto (Debian's package) for the side-by-side run: loopback only, no queue limit
/// (the default 1,000 would drop QoS 1 messages rather than hold them), no persistence, as installed.
final class Mosquitto {
    let port: Int
    let process: Process
    let folder: URL

    static var binary: String? {
        ["/usr/sbin/mosquitto", "/usr/bin/mosquitto"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    init(binary: String) throws {
        port = Int.random(in: 10_000...19_000)
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("council-bench-mosquitto-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let config = folder.appendingPathComponent("mosquitto.conf")
        try """
            listener \(port) 127.0.0.1
            allow_anonymous true
            max_queued_messages 0
            max_inflight_messages 0
            persistence false
            """.write(to: config, atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["-c", config.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    func waitUntilListening() async throws {
        for _ in 0..<100 {
            if let channel = try? await MQTT.open(port: port, client: "probe") {
                try? await channel.channel.close()
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw MQTT.Failure("mosquitto did not start on port \(port)")
    }

    /// SIGTERM, then SIGKILL if the broker has not gone within two seconds (started from a Swift
    /// process, mosquitto does not always act on SIGTERM).
    func stop() {
        process.terminate()
        let deadline = Date().addingTimeInterval(2)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: folder)
    }
}
