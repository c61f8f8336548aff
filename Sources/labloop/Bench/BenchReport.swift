import Foundation
import Histogram

/// One measured figure, shown beside the baseline it should be compared with.
struct BenchFigure: Codable, Sendable {
    struct Baseline: Codable, Sendable {
        var name: String
        var value: Double
        var unit: String
    }

    /// Stable key for scripts, e.g. `closed_loop_64_agents`.
    var key: String
    var name: String
    var value: Double
    var unit: String
    var baseline: Baseline?
    /// value / baseline (a fraction of a throughput limit, or a multiple of a raw latency).
    var ratio: Double?
    /// The issue's goal, as text (e.g. "≥ 50000"), and whether this run met it.
    var target: String?
    var met: Bool?

    init(_ key: String, _ name: String, _ value: Double, _ unit: String, baseline: Baseline? = nil,
         target: String? = nil, met: Bool? = nil) {
        self.key = key
        self.name = name
        self.value = value
        self.unit = unit
        self.baseline = baseline
        self.ratio = baseline.flatMap { $0.value > 0 ? value / $0.value : nil }
        self.target = target
        self.met = met
    }
}

struct BenchReport: Codable, Sendable {
    var machine: String
    var mode: String
    var startedAt: String
    var seconds: Double
    var figures: [BenchFigure]
    var notes: [String]

    func table() -> String {
        var lines = ["LabLoop bench (\(mode)) on \(machine), \(startedAt), \(String(format: "%.0f", seconds)) s", ""]
        let header = ["figure", "value", "baseline (same run)", "ratio", "target"]
        var rows: [[String]] = [header]
        for figure in figures {
            let baseline = figure.baseline.map { "\(Self.format($0.value)) \($0.unit) \($0.name)" } ?? "-"
            let ratio = figure.ratio.map { $0 >= 0.1 ? String(format: "%.2f×", $0) : String(format: "%.2g×", $0) } ?? "-"
            let target = figure.target.map { "\($0) \(figure.met == true ? "met" : "MISSED")" } ?? "-"
            rows.append([figure.name, "\(Self.format(figure.value)) \(figure.unit)", baseline, ratio, target])
        }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            lines.append(row.enumerated().map { column, text in
                text.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces))
        }
        if !notes.isEmpty { lines.append("") }
        lines += notes.map { "note: \($0)" }
        return lines.joined(separator: "\n")
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    static func format(_ value: Double) -> String {
        if value >= 100 { return String(format: "%.0f", value) }
        if value >= 10 { return String(format: "%.1f", value) }
        if value >= 0.1 { return String(format: "%.2f", value) }
        return String(format: "%.3g", value)
    }
}

/// Latencies in nanoseconds, kept in an HdrHistogram (1 ns to 100 s, 3 significant digits).
struct Latencies: Sendable {
    private(set) var histogram = Histogram<UInt64>(highestTrackableValue: 100_000_000_000, numberOfSignificantValueDigits: .three)

    mutating func record(nanoseconds: Int64) {
        _ = histogram.record(UInt64(max(1, min(nanoseconds, 100_000_000_000))))
    }

    mutating func record(_ duration: Duration) { record(nanoseconds: duration.nanoseconds) }

    mutating func add(_ other: Latencies) {
        for bucket in other.histogram.recordedValues() {
            _ = histogram.record(bucket.value, count: bucket.countAddedInThisIterationStep)
        }
    }

    var count: UInt64 { histogram.totalCount }

    /// The percentile (0–100) in microseconds.
    func microseconds(at percentile: Double) -> Double {
        Double(histogram.valueAtPercentile(percentile)) / 1_000
    }
}

extension Duration {
    var nanoseconds: Int64 { components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000 }
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
