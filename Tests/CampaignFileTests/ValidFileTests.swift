import Foundation
import LabLoopCampaignFile
import LabLoopCore
import Testing

@Suite struct ValidFileTests {
    @Test func theCompleteFileParsesToTheExactSpec() throws {
        let url = Paths.validFixtures.appendingPathComponent("complete.yaml")
        let result = CampaignFile.parseDocument(try Paths.text(url), file: "complete.yaml")

        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let document = try #require(result.document)
        #expect(document.spec == Self.complete)
        #expect(document.strategySettings == ["beta": "2.0", "kernel": "matern52", "restarts": "10"])
        #expect(CampaignFile.parse(try Paths.text(url), file: "complete.yaml").spec == Self.complete)
    }

    @Test func theYAMLFlowReactorExampleIsTheJSONOne() throws {
        let result = CampaignFile.load(path: Paths.examples.appendingPathComponent("flow-reactor.yaml").path)

        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        #expect(result.spec == Self.flowReactor)
    }

    static let examples = Paths.files(in: Paths.examples, endingIn: ".yaml")

    @Test func theDocumentedExamplesExist() {
        #expect(Set(Self.examples).isSuperset(of: ["flow-reactor.yaml", "branin.yaml", "manual-approval.yaml"]))
    }

    @Test(arguments: examples)
    func everyExampleParsesWithoutDiagnostics(_ name: String) {
        let result = CampaignFile.load(path: Paths.examples.appendingPathComponent(name).path)

        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.description))")
        #expect(result.spec?.problems() == [])
    }

    @Test func theFormatDocumentsOpeningExampleIsValid() throws {
        let doc = try Paths.text(Paths.examples.deletingLastPathComponent().appendingPathComponent("campaign-format.md"))
        let start = try #require(doc.range(of: "```yaml\n"))
        let end = try #require(doc.range(of: "```", range: start.upperBound..<doc.endIndex))
        let result = CampaignFile.parse(String(doc[start.upperBound..<end.lowerBound]), file: "campaign-format.md")

        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map(\.description))")
        #expect(result.spec?.space.parameters.count == 5)
    }

    @Test func theBraninExampleDescribesTheBenchmark() throws {
        let spec = try #require(CampaignFile.load(path: Paths.examples.appendingPathComponent("branin.yaml").path).spec)
        #expect(spec.space.parameters == [
            ParameterDefinition(name: "x1", domain: .continuous(low: -5, high: 10, unit: "", scale: .linear)),
            ParameterDefinition(name: "x2", domain: .continuous(low: 0, high: 15, unit: "", scale: .linear)),
        ])
        #expect(spec.objective.measurement == "value")
        #expect(spec.objective.direction == .minimize)
        #expect(spec.instrumentKind == "benchmark-function")
        #expect(spec.operation == "evaluate")
        #expect(spec.strategy == "gp-ei")
    }

    @Test func theManualApprovalExampleNeedsApproval() throws {
        let url = Paths.examples.appendingPathComponent("manual-approval.yaml")
        let document = try #require(CampaignFile.loadDocument(path: url.path).document)
        #expect(document.spec.approval == .manual)
        #expect(document.spec.space.constraints.count == 2)
        #expect(document.spec.deadlineUnixMs == 1_796_112_000_000)
        #expect(document.strategySettings == ["beta": "2.0"])
    }

    @Test func commentsBlankLinesAndKeyOrderDoNotMatter() throws {
        let text = """
            # comment
            strategy: {name: random}

            budget: {experiments: 3}   # trailing comment
            instrument: {operation: run}
            objective: {goal: maximize, measurement: y}
            parameters:
              x: {high: 1, low: 0, type: continuous}
            name: shuffled
            """
        let result = CampaignFile.parse(text, file: "shuffled.yaml")
        #expect(result.diagnostics.isEmpty)
        var expected = CampaignSpec(
            name: "shuffled",
            space: ParameterSpace(parameters: [.init(name: "x", domain: .continuous(low: 0, high: 1, unit: "", scale: .linear))]),
            objective: Objective(measurement: "y", direction: .maximize), operation: "run",
            maxExperiments: 3, maxParallel: 1, strategy: "random")
        expected.approval = .auto
        #expect(result.spec == expected)
    }

    static var complete: CampaignSpec {
        var spec = CampaignSpec(
            name: "complete: every key",
            space: ParameterSpace(
                parameters: [
                    .init(name: "temperature", domain: .continuous(low: 30, high: 150, unit: "°C", scale: .linear)),
                    .init(name: "residence_time", domain: .continuous(low: 0.5, high: 30, unit: "min", scale: .log)),
                    .init(name: "offset", domain: .continuous(low: -1.5e-3, high: 2000.25, unit: "", scale: .linear)),
                    .init(name: "cycles", domain: .integer(low: 1, high: 9, step: 2)),
                    .init(name: "wells", domain: .integer(low: -16, high: 15, step: 1)),
                    .init(name: "catalyst", domain: .categorical(["Pd", "Pt", "Ni", "42", "yes"])),
                    .init(name: "pressure", domain: .fixed(.real(1.0))),
                    .init(name: "repeats", domain: .fixed(.integer(3))),
                    .init(name: "solvent", domain: .fixed(.category("1"))),
                ],
                constraints: [
                    LinearConstraint(terms: [.init(parameter: "temperature", coefficient: 0.01),
                                             .init(parameter: "offset", coefficient: 1)],
                                     relation: .lessOrEqual, bound: 1500),
                    LinearConstraint(terms: [.init(parameter: "cycles", coefficient: 1),
                                             .init(parameter: "wells", coefficient: -0.5)],
                                     relation: .lessOrEqual, bound: 10),
                    LinearConstraint(terms: [.init(parameter: "temperature", coefficient: -1),
                                             .init(parameter: "residence_time", coefficient: 1)],
                                     relation: .greaterOrEqual, bound: -200),
                ]),
            objective: Objective(measurement: "yield", direction: .minimize, target: 5),
            operation: "react", maxExperiments: 40, maxParallel: 4, strategy: "gp-ucb")
        spec.description = "Two lines of description,\nkept as written.\n"
        spec.owner = "ada"
        spec.project = "catalysis"
        spec.extraMeasurements = ["selectivity", "conversion"]
        spec.instrumentKind = "flow-reactor"
        spec.deadlineUnixMs = 1_796_113_800_250  // 2026-12-01T08:30:00.250Z
        spec.initialDesign = 8
        spec.seed = .max
        spec.stopAtTarget = true
        spec.noImprovementWindow = 15
        spec.maxAttempts = 3
        spec.retryableFailures = ["transient", "hardware"]
        spec.approval = .manual
        return spec
    }

    /// Docs/examples/flow-reactor.json, written out.
    static var flowReactor: CampaignSpec {
        var spec = CampaignSpec(
            name: "flow reactor yield",
            space: ParameterSpace(parameters: [
                .init(name: "temperature", domain: .continuous(low: 30, high: 150, unit: "°C", scale: .linear)),
                .init(name: "residence_time", domain: .continuous(low: 0.5, high: 30, unit: "min", scale: .log)),
                .init(name: "concentration", domain: .continuous(low: 0.1, high: 2.0, unit: "mol/L", scale: .linear)),
                .init(name: "catalyst", domain: .categorical(["Pd", "Pt", "Ni", "Cu"])),
            ]),
            objective: Objective(measurement: "yield", direction: .maximize, target: 85),
            operation: "react", maxExperiments: 30, maxParallel: 4, strategy: "space-filling")
        spec.description = "Maximise the yield of the simulated flow reactor."
        spec.owner = "ada"
        spec.project = "catalysis"
        spec.extraMeasurements = ["selectivity"]
        spec.instrumentKind = "flow-reactor"
        spec.seed = 7
        spec.stopAtTarget = true
        spec.maxAttempts = 2
        spec.retryableFailures = ["transient"]
        return spec
    }
}
