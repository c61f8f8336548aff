import Foundation
import GRDB
import LabLoopCore
import LabLoopPeer
import LabLoopProtocol
import Testing

@Suite("Bayesian optimisation through the coordinator", .serialized)
struct BayesianOptimisationTests {
    @Test("gp-ei finds Branin's minimum to within 0.05 in 40 experiments (fixed seed)")
    func braninWithExpectedImprovement() async throws {
        let lab = try Lab()
        var spec = CampaignSpec(
            name: "branin gp-ei",
            space: ParameterSpace(parameters: [
                .init(name: "x1", domain: .continuous(low: -5, high: 10, unit: "", scale: .linear)),
                .init(name: "x2", domain: .continuous(low: 0, high: 15, unit: "", scale: .linear)),
            ]),
            objective: Objective(measurement: "value", direction: .minimize), operation: "evaluate",
            maxExperiments: 40, maxParallel: 1, strategy: "gp-ei")
        spec.instrumentKind = "benchmark-function"
        spec.seed = 1
        let summary = try await withLabProcesses(lab) {
            try await lab.startCoordinator()
            try await lab.startBenchmarkAgent("branin-1", function: "branin")
            try await lab.startModel(strategy: "gp-ei")
            let id = try await lab.submit(spec)
            return try await lab.waitUntilFinished(id, timeout: .seconds(300))
        }
        #expect(CampaignState(summary.state) == .completed)
        let regret = summary.bestObjective - 0.397887
        #expect(summary.hasBestObjective && regret <= 0.05, "regret \(regret) after 40 experiments")
        let invariants = try StoreInvariants(path: lab.databasePath)
        try invariants.checkHistories()
        try invariants.checkResultsLinked()
        let (fitted, predicted) = try await invariants.db.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM proposals WHERE model_version LIKE '%gp-ei/n%'")!,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM experiments WHERE predicted_mean IS NOT NULL AND predicted_std >= 0")!)
        }
        #expect(fitted >= 30, "proposals after the initial design must record the fitted model's version")
        #expect(predicted >= 30, "GP proposals must carry a predicted mean and standard deviation")
    }
}
