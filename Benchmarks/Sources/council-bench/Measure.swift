import Foundation

/// Repeated measurements of one scenario: median and spread, as BENCHMARKS.md reports them.
struct Measurement {
    let name: String
    let unit: String
    let samples: [Double]
    /// The scenario's physical limit measured in the same run, in the same unit, if it has one.
    var limit: Double?
    var limitName: String?
    /// "higher" or "lower" is better.
    var higherIsBetter = true

    var median: Double {
        let sorted = samples.sorted()
        return sorted.isEmpty ? 0 : sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    var spread: (Double, Double) { (samples.min() ?? 0, samples.max() ?? 0) }

    /// The best sample: what a limit is taken as, so that a slow moment of the shared host while
    /// the limit is measured cannot flatter the ratios measured against it.
    var best: Double { (higherIsBetter ? samples.max() : samples.min()) ?? 0 }

    var ratio: Double? {
        guard let limit, limit > 0 else { return nil }
        return higherIsBetter ? median / limit : limit / median
    }
}

enum Clock {
    static func seconds(_ work: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try work()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    static func seconds(_ work: () async throws -> Void) async rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try await work()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}

func format(_ value: Double) -> String {
    if value >= 1_000_000 { return String(format: "%.2fM", value / 1_000_000) }
    if value >= 10_000 { return String(format: "%.1fk", value / 1_000) }
    if value >= 100 { return String(format: "%.0f", value) }
    return String(format: "%.2f", value)
}

/// Runs `work`, or throws once `seconds` pass: a broker or node that stops answering fails its
/// scenario instead of hanging the whole run.
func withDeadline<T: Sendable>(seconds: Double, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await work() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            throw DeadlinePassed(seconds: seconds)
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

struct DeadlinePassed: Error, CustomStringConvertible {
    let seconds: Double
    var description: String { "no result within \(Int(seconds)) s" }
}
