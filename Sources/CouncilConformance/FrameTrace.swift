import CouncilWire

/// The most recent frames a test peer sent and received, for failure reports. Only the last
/// `capacity` frames are kept, each as the first bytes it shows, turned into hex only when a report
/// reads them: a peer that carries a million frames (the benchmarks' ingest) keeps a few kilobytes
/// and formats nothing.
struct FrameTrace {
    private struct Line {
        let label: String
        let bytes: [UInt8]
        /// The frame's whole length, to say when `bytes` shows only its start.
        let count: Int
    }

    let capacity: Int
    private var lines: [Line] = []
    private var next = 0

    init(capacity: Int = 64) {
        precondition(capacity > 0, "a trace keeps at least one frame")
        self.capacity = capacity
    }

    /// Records a frame: `label`, then the first `shown` bytes in hex and, if there are more, the
    /// frame's length.
    mutating func append(_ label: String, _ bytes: [UInt8] = [], shown: Int = 96) {
        // A copy of the shown bytes, not a slice: a slice would keep a 1 MiB frame alive.
        let line = Line(label: label, bytes: Array(bytes.prefix(shown)), count: bytes.count)
        if lines.count < capacity {
            lines.append(line)
        } else {
            lines[next] = line
            next = (next + 1) % capacity
        }
    }

    /// The kept lines, oldest first.
    var formatted: [String] {
        (lines[next...] + lines[..<next]).map { line in
            "\(line.label)\(Hex.encode(line.bytes))\(line.count > line.bytes.count ? "… (\(line.count) bytes)" : "")"
        }
    }
}
