import ArgumentParser
import CouncilSimulator
import CouncilWire
import Foundation

/// `council simulate`: seeded runs of whole federations under faults, checked at the end.
struct Simulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the deterministic federation simulator over many seeds.",
        discussion: """
            Each seed runs a federation of nodes over a virtual network and clock: at least 200 \
            governance messages, at least three kinds of fault (loss, duplication, reordering, \
            partitions, crashes, a hostile station), then a heal, then the checks: convergence, \
            nothing accepted lost, nothing invalid accepted, no recalled vote counted, identical \
            outcomes. A failing seed prints a command that replays it; a replay gives the same trace hash.

            The last line is `N passed, M failed`. Exit status: 0 if every seed passed, 1 otherwise.
            """
    )

    @Option(help: "How many seeds to run.")
    var seeds = 100

    @Option(help: "The first seed; seeds run from here upwards.")
    var seed: UInt64 = 1

    @Option(help: "Nodes in the federation (2–9).")
    var nodes = 5

    @Flag(help: "Print each seed's faults, statistics and trace hash.")
    var verbose = false

    func validate() throws {
        guard seeds >= 1 else { throw ValidationError("--seeds must be at least 1") }
        guard (2...9).contains(nodes) else { throw ValidationError("--nodes must be from 2 to 9") }
    }

    func run() async throws {
        let started = Date()
        let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
        var passed = 0, failed = 0, done = 0
        let nodes = self.nodes
        print("simulating \(seeds) seed(s) from \(seed) with \(nodes) nodes on \(workers) core(s)")
        await withTaskGroup(of: SimulationResult.self) { group in
            var next = seed
            let end = seed &+ UInt64(seeds)
            func launch() {
                let current = next
                next &+= 1
                group.addTask { var simulation = Simulation(.init(seed: current, nodes: nodes)); return simulation.run() }
            }
            for _ in 0..<min(workers, seeds) { launch() }
            for await result in group {
                done += 1
                if result.passed { passed += 1 } else { failed += 1 }
                report(result)
                if next != end { launch() }
                if !verbose, done % 100 == 0, done < seeds {
                    print(String(format: "  %d/%d seeds, %d failed, %.1f s", done, seeds, failed, Date().timeIntervalSince(started)))
                }
            }
        }
        print(String(format: "%d seeds in %.1f s", seeds, Date().timeIntervalSince(started)))
        print("\(passed) passed, \(failed) failed")
        if failed > 0 { throw ExitCode(1) }
    }

    func report(_ result: SimulationResult) {
        let stats = result.statistics
        if verbose || !result.passed {
            let faults = result.faults.map(\.rawValue).joined(separator: ",")
            let rejections = stats.rejections.sorted { $0.key < $1.key }.map { "\($0.key.name)=\($0.value)" }.joined(separator: " ")
            print("seed \(result.seed): \(result.passed ? "ok" : "FAILED")  trace \(String(result.traceHash, radix: 16))  "
                + "digest \(result.digest.short)  accepted \(stats.acceptedUnique)  acts \(stats.acts)  faults \(faults)  "
                + "crashes \(stats.crashes) cuts \(stats.partitions) lost \(stats.lost) dup \(stats.duplicated) forged \(stats.forgeries)")
            print("    rejections: \(rejections.isEmpty ? "none" : rejections)")
        }
        if !result.passed {
            for failure in result.failures { print("    \(failure)") }
            print("    replay: swift run -c release council simulate --seeds 1 --seed \(result.seed) --nodes \(nodes) --verbose")
        }
    }
}
