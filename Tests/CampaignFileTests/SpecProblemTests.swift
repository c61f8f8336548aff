@testable import LabLoopCampaignFile
import LabLoopCore
import Testing

/// The coordinator's own rules (`CampaignSpec.problems()`) get file positions too, in case they
/// ever become stricter than the file checks.
@Suite struct SpecProblemTests {
    @Test func specProblemsAreReportedAtTheFieldsTheyConcern() {
        var reader = CampaignReader(file: "f.yaml", source: SourceText(String(repeating: "0123456789012345678\n", count: 10)),
                                    renamedKeys: [:])
        reader.locations["parameters.x"] = Position(line: 3, column: 3)
        reader.locations["budget.experiments"] = Position(line: 9, column: 16)
        let spec = CampaignSpec(
            name: "n", space: ParameterSpace(parameters: [.init(name: "x", domain: .continuous(low: 1, high: 0, unit: "", scale: .linear))]),
            objective: Objective(measurement: "y", direction: .maximize), operation: "op",
            maxExperiments: 0, maxParallel: 1, strategy: "")

        reader.reportSpecProblems(spec, root: Position(line: 1, column: 1))

        #expect(reader.sortedDiagnostics.map(\.description) == [
            "f.yaml:1:1: error: strategy.name: must name a strategy",
            "f.yaml:3:3: error: parameters.x: low (1) must be less than high (0)",
            "f.yaml:9:16: error: budget.experiments: must be at least 1",
        ])
    }
}
