import ArgumentParser
import Foundation
import Glibc
import LabLoopPeer

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the coordinator's overhead, throughput and scale beside the machine's own limits.",
        discussion: """
            Runs `labloop serve` as a child process on a temporary data directory (removed afterwards), \
            simulated zero-duration agents over CURVE and an instant proposer, all on 127.0.0.1 with free \
            ports, and prints every figure beside a baseline measured in the same run (raw libzmq, raw SQLite \
            with the store's durability settings, swift-protobuf) and the ratio to it. Build with \
            `swift build -c release` first: debug figures mean little. Docs/benchmarks.md explains each figure.
            """)

    @Flag(help: "Smaller scenarios (about a minute): checks that everything runs, not how fast.") var quick = false
    @Flag(help: "Print the report as JSON instead of a table.") var json = false
    @Flag(help: "Keep the temporary data directories (with the coordinators' logs) for inspection.") var keep = false
    @Option(help: .hidden) var recoveryOnly: String?
    @Flag(help: .hidden) var scaleOnly = false
    @Flag(help: .hidden) var closedLoopOnly = false

    func run() async throws {
        lineBufferStandardOutput()
        var chosen = quick ? BenchScale.quickSet : .standard
        if closedLoopOnly {
            chosen.closedLoopAgents = chosen.closedLoopAgents.suffix(1)
            chosen.window = chosen.window * 3  // a steadier figure on a noisy machine
        }
        let scale = chosen
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("labloop-bench-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { if !keep { try? FileManager.default.removeItem(at: root) } }
        if keep { print("data directories kept in \(root.path)") }
        let started = Date()
        let clock = ContinuousClock.now
        do {
            try await runUntilSignalled(throwOnSignal: true) {
                let quiet = json
                let log: @Sendable (String) -> Void = { line in if !quiet { print(line) } }
                let scenarios = BenchScenarios(scale: scale, root: root, log: log)
                // Development: only the recovery scenario, on the `ingest` directory an earlier `--keep` run left.
                let figures: (figures: [BenchFigure], notes: [String])
                if let recoveryOnly {
                    figures = (try await scenarios.recovery(directory: URL(fileURLWithPath: recoveryOnly)), [])
                } else if scaleOnly {  // development: only the scale scenario (idle and loaded agents)
                    figures = (try await scenarios.scaleFigures(), [])
                } else {
                    // Development: `--closed-loop-only` stops after the largest closed loop (its CPU per experiment).
                    figures = try await scenarios.all(closedLoopOnly: closedLoopOnly)
                }
                let report = BenchReport(
                    machine: Self.machine(), mode: scale.quick ? "quick" : "default",
                    startedAt: ISO8601DateFormatter().string(from: started),
                    seconds: (ContinuousClock.now - clock).seconds, figures: figures.figures, notes: figures.notes)
                print(json ? try report.json() : "\n" + report.table())
            }
        } catch is CancellationError {
            FileHandle.standardError.write(Data("interrupted: benchmark stopped\n".utf8))
            throw ExitCode(130)
        } catch let error as CLIError {
            FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
            throw ExitCode(1)
        }
    }

    static func machine() -> String {
        var info = utsname()
        uname(&info)
        let arch = withUnsafeBytes(of: &info.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" } ?? "unknown CPU"
        var load = [Double](repeating: 0, count: 3)
        _ = getloadavg(&load, 3)
        return "\(ProcessInfo.processInfo.activeProcessorCount) × \(model) (\(arch)), load \(String(format: "%.1f", load[0])) at start"
    }
}
