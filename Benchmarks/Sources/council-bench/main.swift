import CouncilConformance
import CouncilProtocol
import Foundation

/// `council-bench`: the benchmark suite (BENCHMARKS.md). `Benchmarks/run` builds it in release
/// mode and runs it; `--quick` finishes in under two minutes.
let arguments = CommandLine.arguments
let scenarios = ["codec", "ingest", "mosquitto", "catchup", "stored", "authors", "propagation", "links", "simulator"]
if arguments.contains("--help") || arguments.contains("-h") {
    print("""
        USAGE: council-bench [--quick] [--only <scenario>,…] [--councild <path>] [--output <file>]

        Runs the benchmark suite (BENCHMARKS.md) and writes its table as JSON. Benchmarks/run builds
        it and councild in release mode first; run that rather than this directly.

          --quick       fewer iterations: under two minutes, without the 1,000,000-message store
          --only        run only these scenarios: \(scenarios.joined(separator: ", "))
          --councild    the councild to start (default: the one beside this program)
          --output      where to write the results (default: Benchmarks/results.json)
        """)
    exit(0)
}
let quick = arguments.contains("--quick")
/// The value after `flag`, if the flag is given; a flag without one is a usage error.
func value(of flag: String) -> String? {
    guard let index = arguments.firstIndex(of: flag) else { return nil }
    guard index + 1 < arguments.count else {
        FileHandle.standardError.write(Data("council-bench: \(flag) needs a value (see --help)\n".utf8))
        exit(64)
    }
    return arguments[index + 1]
}
let output = value(of: "--output") ?? "Benchmarks/results.json"
let councild = value(of: "--councild")
    ?? URL(fileURLWithPath: arguments[0]).deletingLastPathComponent().appendingPathComponent("councild").path
let cores = ProcessInfo.processInfo.activeProcessorCount
let runs = quick ? 3 : 5
/// `--only codec,ingest,…`: run those scenarios (and the limits they are measured against).
let only = value(of: "--only").map { Set($0.split(separator: ",").map(String.init)) }
if let unknown = only?.subtracting(scenarios).sorted(), !unknown.isEmpty {
    FileHandle.standardError.write(Data("council-bench: no scenario named \(unknown.joined(separator: ", ")); the scenarios are \(scenarios.joined(separator: ", "))\n".utf8))
    exit(64)
}
func wants(_ scenario: String) -> Bool { only?.contains(scenario) ?? true }
var results: [Measurement] = []

func progress(_ text: String) {
    FileHandle.standardError.write(Data("  \(text)\n".utf8))
}

func measure(_ name: String, unit: String, runs: Int, _ sample: () async throws -> Double) async rethrows -> Measurement {
    var samples: [Double] = []
    for run in 1...runs {
        samples.append(try await sample())
        progress("\(name): run \(run)/\(runs) → \(format(samples.last!)) \(unit)")
    }
    return Measurement(name: name, unit: unit, samples: samples)
}

print("council-bench · \(cores) cores · \(quick ? "quick" : "full") · \(ProcessInfo.processInfo.operatingSystemVersionString)")

// The limits, measured first.
let verifyAll = await measure("ed25519 verify, all cores", unit: "ops/s", runs: runs) { await Scenarios.verifications(count: quick ? 20_000 : 60_000, cores: cores) }
let verifyOne = await measure("ed25519 verify, one core", unit: "ops/s", runs: runs) { await Scenarios.verifications(count: quick ? 10_000 : 30_000, cores: 1) }
let raw = await measure("raw length-prefix round trip", unit: "frames/s", runs: runs) { Scenarios.rawFraming(iterations: quick ? 200_000 : 1_000_000) }
results += [verifyAll, verifyOne, raw]

if wants("codec") {
    var codec = await measure("codec: MESSAGE decode + re-encode", unit: "frames/s", runs: runs) { Scenarios.codec(iterations: quick ? 100_000 : 500_000) }
    codec.limit = raw.best
    codec.limitName = raw.name
    results.append(codec)
}

// Ingest over a real link, durable acknowledgements, one node.
let ingestCount = quick ? 5_000 : 20_000
if wants("ingest") {
    do {
        var rates: [Double] = []
        for run in 1...runs {
            let node = try await BenchNode.start(council: "budapest", councild: councild)
            defer { node.stop() }
            let messages = ConformanceContract.proposalChain(count: ingestCount)
            rates.append(try await Scenarios.ingest(target: node.address, messages: messages))
            progress("ingest: run \(run)/\(runs) → \(format(rates.last!)) msgs/s")
        }
        var ingest = Measurement(name: "ingest: verified, durable, acknowledged (\(ingestCount) msgs)", unit: "msgs/s", samples: rates)
        ingest.limit = verifyAll.best
        ingest.limitName = verifyAll.name
        results.append(ingest)
    } catch {
        print("ingest failed: \(error)")
    }
}

// The same messages through mosquitto at QoS 1, publisher to subscriber, in the same run.
if wants("mosquitto"), let binary = Mosquitto.binary {
    do {
        let payloads = ConformanceContract.proposalChain(count: ingestCount).map(\.bytes)
        var rates: [Double] = []
        for run in 1...runs {
            let broker = try Mosquitto(binary: binary)
            defer { broker.stop() }
            try await broker.waitUntilListening()
            let port = broker.port
            rates.append(try await withDeadline(seconds: 120) { try await MQTT.relayRate(port: port, payloads: payloads) })
            progress("mosquitto QoS 1: run \(run)/\(runs) → \(format(rates.last!)) msgs/s")
        }
        let mosquitto = Measurement(name: "mosquitto QoS 1 relay, same messages (\(ingestCount) msgs)", unit: "msgs/s", samples: rates)
        results.append(mosquitto)
        if let ingest = results.first(where: { $0.name.hasPrefix("ingest") }) {
            results.append(Measurement(name: "ingest vs mosquitto QoS 1", unit: "msgs/s", samples: ingest.samples, limit: mosquitto.best,
                                       limitName: "mosquitto QoS 1 relay"))
        }
    } catch {
        print("mosquitto side by side failed: \(error)")
    }
} else if wants("mosquitto") {
    print("mosquitto side by side skipped: mosquitto is not installed (apt-get install mosquitto; Benchmarks/run does it as root)")
}

// Catch-up: a fresh node linked to one that holds the messages; then the memory each holds them in.
let catchUpCount = quick ? 20_000 : 100_000
if wants("catchup") {
    do {
        var rates: [Double] = []
        var perMessage: [Double] = []
        var startups: [Double] = []
        let messages = ConformanceContract.proposalChain(count: catchUpCount)
        for run in 1...(quick ? 1 : 3) {
            let empty = try await BenchNode.start(council: "szolnok", councild: councild)
            try await Task.sleep(for: .milliseconds(500))
            let emptyKiB = empty.residentKiB()
            empty.stop()
            let source = try await BenchNode.start(council: "budapest", councild: councild)
            defer { source.stop() }
            _ = try await Scenarios.ingest(target: source.address, messages: messages)
            // The clock starts once the follower answers its operator channel: launching the process
            // is not catching up. What it accepted before that moment is not counted either.
            let launched = DispatchTime.now().uptimeNanoseconds
            let follower = try await BenchNode.start(council: "pecs", councild: councild, peers: [("budapest", source.port)])
            defer { follower.stop() }
            let started = DispatchTime.now().uptimeNanoseconds
            let before = try await follower.accepted()
            startups.append(Double(started - launched) / 1e6)
            // The chain is causal, so the last message arrives last. Asking for it is O(1); the
            // count (status) is asked only every two seconds, so watching costs the node nothing.
            var polls = 0
            while try await follower.request(["op": "has", "id": .string(messages[catchUpCount - 1].id.description)])["state"]?.stringValue != "accepted" {
                try await Task.sleep(for: .milliseconds(20))
                polls += 1
                if polls % 100 == 0 { progress("catch-up: \(try await follower.accepted())/\(catchUpCount)") }
            }
            let finished = DispatchTime.now().uptimeNanoseconds
            rates.append(Double(catchUpCount - before) / (Double(finished - started) / 1e9))
            perMessage.append(Double((follower.residentKiB() - emptyKiB) * 1_024) / Double(catchUpCount))
            progress("catch-up: run \(run) → \(format(rates.last!)) msgs/s (\(before) accepted before the clock started, \(format(startups.last!)) ms "
                     + "after launch; \(format(Double(catchUpCount) / (Double(finished - launched) / 1e9))) msgs/s from launch); "
                     + "\(format(perMessage.last!)) resident bytes per stored message")
        }
        var catchUp = Measurement(name: "catch-up of \(catchUpCount) msgs by a fresh node", unit: "msgs/s", samples: rates)
        catchUp.limit = verifyAll.best
        catchUp.limitName = verifyAll.name
        results.append(catchUp)
        results.append(Measurement(name: "start-up of the fresh node, before catch-up (launch until its operator channel answers)", unit: "ms",
                                   samples: startups, higherIsBetter: false))
        results.append(Measurement(name: "resident memory per stored message (\(catchUpCount) stored)", unit: "bytes", samples: perMessage, higherIsBetter: false))
    } catch {
        print("catch-up failed: \(error)")
    }
}

// Memory with many stored messages: a node that took a million, then restarted from its store.
if wants("stored") && !quick {
    do {
        let count = 1_000_000
        progress("stored: signing \(count) messages")
        let messages = ConformanceContract.proposalChain(count: count)
        let node = try await BenchNode.start(council: "budapest", councild: councild)
        defer { node.stop() }
        try await Task.sleep(for: .milliseconds(500))
        let empty = node.residentKiB()
        progress("stored: ingesting \(count) messages")
        let rate = try await Scenarios.ingest(target: node.address, messages: messages)
        let afterIngest = node.residentKiB()
        let restartStarted = DispatchTime.now().uptimeNanoseconds
        try await node.restart(councild: councild)
        let restartSeconds = Double(DispatchTime.now().uptimeNanoseconds - restartStarted) / 1e9
        let afterRestart = node.residentKiB()
        progress("stored: ingest \(format(rate)) msgs/s; resident \(empty / 1_024) MiB empty, \(afterIngest / 1_024) MiB after ingest, "
            + "\(afterRestart / 1_024) MiB after a restart (\(format(restartSeconds)) s)")
        results.append(Measurement(name: "resident memory with \(count) stored msgs, after a restart", unit: "MiB", samples: [Double(afterRestart) / 1_024],
                                   higherIsBetter: false))
        results.append(Measurement(name: "restart with \(count) stored msgs", unit: "s", samples: [restartSeconds], higherIsBetter: false))
    } catch {
        print("stored messages failed: \(error)")
    }
}

// Scale in authors: many delegates, every message's past spanning all of them (version vectors).
if wants("authors") {
    do {
        let delegates = quick ? 300 : 1_000
        let rounds = quick ? 3 : 10
        let roster = ManyAuthors.roster(seats: delegates)
        progress("authors: drafting and signing \(delegates) mandates and \(delegates * rounds) proposals")
        let messages = ManyAuthors.messages(roster: roster, delegates: delegates, rounds: rounds)
        let node = try await BenchNode.start(council: "budapest", councild: councild, roster: roster)
        defer { node.stop() }
        try await Task.sleep(for: .milliseconds(500))
        let empty = node.residentKiB()
        let rate = try await Scenarios.ingest(target: node.address, messages: messages, roster: roster)
        let restartStarted = DispatchTime.now().uptimeNanoseconds
        try await node.restart(councild: councild)
        let restartSeconds = Double(DispatchTime.now().uptimeNanoseconds - restartStarted) / 1e9
        let perMessage = Double((node.residentKiB() - empty) * 1_024) / Double(messages.count)
        progress("authors: ingest \(format(rate)) msgs/s; restart \(format(restartSeconds)) s; \(format(perMessage)) resident bytes per message")
        let label = "\(messages.count) stored msgs of \(delegates + 1) authors"
        results.append(Measurement(name: "resident memory per stored message, \(label), after a restart", unit: "bytes", samples: [perMessage],
                                   higherIsBetter: false))
        results.append(Measurement(name: "restart with \(label)", unit: "s", samples: [restartSeconds], higherIsBetter: false))
    } catch {
        print("many authors failed: \(error)")
    }
}

// Propagation across the radio federation, idle and under load.
if wants("propagation") {
    do {
        var p50: [Double] = []
        var p99: [Double] = []
        for _ in 1...runs {
            let sorted = try Scenarios.commitLatencies(count: 200)
            p50.append(sorted[sorted.count / 2])
            p99.append(sorted[sorted.count * 99 / 100])
        }
        results.append(Measurement(name: "durable commit of one message (the floor under a hop), p50", unit: "ms", samples: p50, higherIsBetter: false))
        results.append(Measurement(name: "durable commit of one message (the floor under a hop), p99", unit: "ms", samples: p99, higherIsBetter: false))
        for load in [0, 1_000] {
            var samples: [String: [Double]] = [:]
            for run in 1...(quick ? 1 : 3) {
                let (endToEnd, hop) = try await Propagation.latencies(councild: councild, probes: quick ? 60 : 200, loadRate: load)
                guard !endToEnd.isEmpty else { throw TestPeer.Failure("no probe reached every node") }
                func percentile(_ sorted: [Double], _ p: Int) -> Double { sorted[min(sorted.count - 1, sorted.count * p / 100)] }
                samples["hop p50", default: []].append(percentile(hop, 50))
                samples["hop p99", default: []].append(percentile(hop, 99))
                samples["end-to-end p50", default: []].append(percentile(endToEnd, 50))
                samples["end-to-end p99", default: []].append(percentile(endToEnd, 99))
                progress("propagation, \(load) msgs/s load: run \(run) → per hop p50 \(format(percentile(hop, 50))) ms, p99 \(format(percentile(hop, 99))) ms; "
                    + "submit to all five p50 \(format(percentile(endToEnd, 50))) ms, p99 \(format(percentile(endToEnd, 99))) ms (\(hop.count) probes)")
            }
            let label = load == 0 ? "idle" : "\(load) msgs/s background"
            for key in ["hop p50", "hop p99", "end-to-end p50", "end-to-end p99"] {
                let name = key.hasPrefix("hop") ? "propagation, one hop (Miskolc relays → 4 nodes hold it)" : "propagation, submit at Miskolc → all 5 hold it"
                var measurement = Measurement(name: "\(name), \(key.split(separator: " ").last!), \(label)", unit: "ms", samples: samples[key] ?? [], higherIsBetter: false)
                if key == "hop p99" {
                    measurement.limit = 2
                    measurement.limitName = "goal: 2 ms per hop"
                }
                results.append(measurement)
            }
        }
    } catch {
        print("propagation failed: \(error)")
    }
}

// Scale: idle authenticated links on one node.
if wants("links") {
    do {
        let links = 1_000
        var perLink: [Double] = []
        for _ in 1...(quick ? 1 : 3) { perLink.append(try await IdleLinks.bytesPerLink(councild: councild, links: links) / 1_024) }
        results.append(Measurement(name: "memory per idle authenticated link (\(links) links)", unit: "KiB", samples: perLink, limit: 64,
                                   limitName: "goal: 64 KiB", higherIsBetter: false))
    } catch {
        print("idle links failed: \(error)")
    }
}

if wants("simulator") {
    let seeds = await measure("simulator (5 nodes, ≥200 msgs, ≥3 faults)", unit: "seeds/s", runs: runs) {
        await Scenarios.simulator(seeds: quick ? 20 : 100, cores: cores)
    }
    results.append(seeds)
}

// The table.
print("")
print("| scenario | median | spread (min–max) | limit | ratio |")
print("| --- | ---: | ---: | --- | ---: |")
for result in results {
    let (low, high) = result.spread
    let limit = result.limitName.map { "\($0): \(format(result.limit ?? 0))" } ?? "—"
    let ratio = result.ratio.map { String(format: "%.2f×", $0) } ?? "—"
    print("| \(result.name) | \(format(result.median)) \(result.unit) | \(format(low))–\(format(high)) | \(limit) | \(ratio) |")
}

let json: JSONValue = [
    "machine": ["cores": .uint(cores), "os": .string(ProcessInfo.processInfo.operatingSystemVersionString)],
    "mode": .string(quick ? "quick" : "full"),
    "date": .string(ISO8601DateFormatter().string(from: Date())),
    "scenarios": .array(results.map { result in
        [
            "name": .string(result.name), "unit": .string(result.unit), "median": .int(Int64(result.median.rounded())),
            "min": .int(Int64((result.samples.min() ?? 0).rounded())), "max": .int(Int64((result.samples.max() ?? 0).rounded())),
            "samples": .array(result.samples.map { .int(Int64($0.rounded())) }),
            "limit": result.limit.map { .int(Int64($0.rounded())) } ?? .null, "limit_name": result.limitName.map { .string($0) } ?? .null,
            "ratio_percent": result.ratio.map { .int(Int64(($0 * 100).rounded())) } ?? .null,
        ]
    }),
]
try (json.rendered() + "\n").write(toFile: output, atomically: true, encoding: .utf8)
print("\nwrote \(output)")
