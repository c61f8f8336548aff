import ArgumentParser
import Foundation
import LabLoopCore
import LabLoopModel
import Simulators

/// Quality and speed figures for the built-in strategies (run a release build).
struct BenchModel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark the built-in strategies: simple regret on Branin and Hartmann-6, and proposal time.",
        discussion: "Build with `swift build -c release` first: debug builds are about ten times slower.")

    @Option(help: "Seeds per configuration.") var seeds = 20
    @Flag(help: "3 seeds, and only the speed cases up to 500 observations.") var quick = false
    @Option(help: "Strategies to compare.") var strategies = "gp-ei,gp-ucb,space-filling,random"
    @Flag(help: "Skip the quality runs.") var speedOnly = false

    func run() async throws {
        let seedCount = quick ? 3 : seeds
        let names = strategies.split(separator: ",").map(String.init)
        if !speedOnly {
            print("Simple regret (known optimum minus best found), median [q1, q3] over \(seedCount) seeds")
            for (function, budget) in [(BenchmarkFunction.branin, 30), (.hartmann6, 60)] {
                let checkpoints = [budget / 3, 2 * budget / 3, budget]
                print("\n\(function.name), budget \(budget)")
                print("strategy        batch  " + checkpoints.map { CampaignText.pad("after \($0)", 26) }.joined())
                for batch in [1, 4] {
                    for name in names {
                        var traces: [[Double]] = []
                        for seed in 1...seedCount {
                            let result = try await OptimizationBenchmark.run(
                                space: function.space, budget: budget, batchSize: batch, seed: UInt64(seed),
                                strategy: AnyStrategy(Self.strategy(name)), objective: { function.value(at: $0) })
                            traces.append(result.bestSoFar.map { $0 - function.knownMinimum })
                        }
                        let cells = checkpoints.map { checkpoint -> String in
                            let regrets = traces.map { $0[min(checkpoint, $0.count) - 1] }.sorted()
                            return CampaignText.pad("\(Self.format(Self.quantile(regrets, 0.5))) [\(Self.format(Self.quantile(regrets, 0.25))), \(Self.format(Self.quantile(regrets, 0.75)))]", 26)
                        }
                        print(CampaignText.pad(name, 16) + CampaignText.pad("\(batch)", 7) + cells.joined())
                    }
                }
            }
        }
        print("\nTime to propose a batch of 4 (gp-ei), median of 3 calls after one warm-up")
        print("dimensions  observations  seconds")
        for (function, dimensions) in [(BenchmarkFunction.branin, 2), (.hartmann6, 6)] {
            for count in quick ? [100, 500] : [100, 500, 1_000] {
                let seconds = try await Self.proposalTime(function: function, observations: count)
                print("\(CampaignText.pad("\(dimensions)", 12))\(CampaignText.pad("\(count)", 14))\(String(format: "%.3f", seconds))")
            }
        }
    }

    static func strategy(_ name: String) -> any ProposalStrategy {
        switch name {
        case "gp-ei": GPStrategy(acquisition: .expectedImprovement)
        case "gp-ucb": GPStrategy(acquisition: .upperConfidenceBound(beta: 2.0))
        case "random": RandomStrategy()
        default: SpaceFillingStrategy()
        }
    }

    static func proposalTime(function: BenchmarkFunction, observations count: Int) async throws -> Double {
        var rng = SplitMix64(seed: 99)
        let points = RandomDesign.points(in: function.space, count: count, avoiding: [], rng: &rng)
        let observations = points.enumerated().map { index, point in
            Observation(experimentID: "e\(index)", point: point, objective: function.value(at: point))
        }
        var spec = CampaignSpec(name: "speed", space: function.space, objective: BenchmarkFunction.objective,
                                operation: BenchmarkFunction.operation, maxExperiments: count + 4, maxParallel: 4,
                                strategy: "gp-ei")
        spec.seed = 1
        let strategy = GPStrategy(acquisition: .expectedImprovement)
        var times: [Double] = []
        for call in 0..<4 {
            // A fresh campaign id per call: every call fits from cold, the slow case.
            let context = ProposalContext(campaignID: "speed-\(count)-\(call)", spec: spec, count: 4,
                                          proposedSoFar: count, observations: observations)
            let started = ContinuousClock.now
            _ = try await strategy.propose(context)
            let elapsed = ContinuousClock.now - started
            if call > 0 { times.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18) }
        }
        return quantile(times.sorted(), 0.5)
    }

    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let position = q * Double(sorted.count - 1)
        let low = Int(position.rounded(.down)), high = Int(position.rounded(.up))
        return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
    }

    static func format(_ value: Double) -> String { String(format: value < 0.01 ? "%.2e" : "%.3f", value) }
}

/// Lets the benchmark harness take a strategy chosen at run time.
struct AnyStrategy: ProposalStrategy {
    let base: any ProposalStrategy
    init(_ base: any ProposalStrategy) { self.base = base }
    var name: String { base.name }
    func propose(_ context: ProposalContext) async throws -> [ProposedCandidate] { try await base.propose(context) }
}
