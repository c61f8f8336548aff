import Foundation
import Testing

/// `labloop bench --quick` produces every figure; how fast they are is the benchmark's business, not a test's.
@Suite("labloop bench", .serialized)
struct BenchSmokeTests {
    /// Every figure the issue asks for, by its JSON key.
    static let keys = [
        "baseline_zmq_round_trip_p50_us", "baseline_zmq_pipelined_per_s", "baseline_sqlite_rows_per_s",
        "baseline_sqlite_commit_p50_us", "baseline_protobuf_ns",
        "closed_loop_1_agents_per_s", "closed_loop_8_agents_per_s", "closed_loop_64_agents_per_s",
        "closed_loop_cpu_us_per_experiment",
        "ingest_results_per_s", "ack_p50_us", "ack_p99_us", "ack_p999_us", "store_bytes_per_result",
        "turnaround_p50_us", "turnaround_p99_us", "turnaround_p999_us", "agent_cycle_p50_us", "agent_cycle_p99_us",
        "scale_connect_s", "scale_idle_cpu_percent", "scale_idle_rss_mb", "scale_load_per_s", "scale_load_cpu_percent",
        "scale_load_rss_mb", "scale_reconnect_s", "recovery_serving_s",
    ]

    struct Report: Decodable {
        struct Figure: Decodable {
            struct Baseline: Decodable {
                var value: Double
            }
            var key: String
            var value: Double
            var baseline: Baseline?
            var ratio: Double?
        }
        var machine: String
        var figures: [Figure]
    }

    @Test("--quick --json reports every figure, positive, with its baseline and ratio, and leaves no process behind")
    func quickReportsEveryFigure() async throws {
        let result = try await LabLock.exclusively {
            try await labloop(["bench", "--quick", "--json"], timeout: .seconds(240))
        }
        try #require(result.status == 0, "bench failed (\(result.status)):\n\(result.stderr)")
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let report = try decoder.decode(Report.self, from: Data(result.stdout.utf8))
        #expect(!report.machine.isEmpty)
        let byKey = Dictionary(report.figures.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        for key in Self.keys {
            guard let figure = byKey[key] else {
                Issue.record("figure \(key) is missing")
                continue
            }
            #expect(figure.value > 0, "\(key) is \(figure.value)")
            if let baseline = figure.baseline {
                #expect(baseline.value > 0, "\(key)'s baseline is \(baseline.value)")
                #expect((figure.ratio ?? 0) > 0, "\(key) has no ratio")
            }
        }
        #expect(ProcessTree.processes(mentioning: "labloop-bench-").isEmpty, "a bench coordinator outlived the bench")
    }
}
