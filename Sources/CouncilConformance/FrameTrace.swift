import CouncilWire

/// The most recent frames a test peer sent and received, for failure reports. Frames are kept as
/// references to their bytes and turned into hex only when a report reads them, and only the last
/// `capacity` are kept: a peer that carries a million frames (the benchmarks' ingest) costs
/// neither memory nor formatting.
struct FrameTrace {
    private struct Line {
        let label: String
        let bytes: ArraySlice<UInt8>
        let note: String
    }

    let capacity: Int
    private var lines: [Line] = []
    private var next = 0

    init(capacity: Int = 64) { self.capacity = capacity }

    /// Records a frame: `label`, then the first `shown` bytes in hex, then `note`.
    mutating func append(_ label: String, _ bytes: [UInt8] = [], shown: Int = 96, note: String = "") {
        let line = Line(label: label, bytes: bytes.prefix(shown), note: note)
        if lines.count < capacity {
            lines.append(line)
        } else {
            lines[next] = line
            next = (next + 1) % capacity
        }
    }

    /// The kept lines, oldest first.
    var formatted: [String] {
        (lines[next...] + lines[..<next]).map { "\($0.label)\(Hex.encode($0.bytes))\($0.note)" }
    }
}
