import Foundation
import LabLoopCampaignFile
import LabLoopCore
import Testing

@Suite struct RoundTripTests {
    static let files: [URL] = [Paths.validFixtures.appendingPathComponent("complete.yaml")]
        + Paths.files(in: Paths.examples, endingIn: ".yaml").map { Paths.examples.appendingPathComponent($0) }

    @Test(arguments: files)
    func renderingAParsedFileReadsBackEqual(_ url: URL) throws {
        let document = try #require(CampaignFile.loadDocument(path: url.path).document)

        let rendered = CampaignFile.render(document)
        let again = CampaignFile.parseDocument(rendered, file: "rendered.yaml")

        #expect(again.diagnostics.isEmpty, "\(again.diagnostics.map(\.description))\n\(rendered)")
        #expect(again.document == document)
        #expect(CampaignFile.render(try #require(again.document)) == rendered)
    }

    @Test func awkwardTextAndNumbersSurviveTheRoundTrip() throws {
        var spec = CampaignSpec(
            name: "name: with a colon # and a hash",
            space: ParameterSpace(
                parameters: [
                    .init(name: "tiny", domain: .continuous(low: .leastNonzeroMagnitude, high: 1e-300, unit: "%", scale: .log)),
                    .init(name: "wide", domain: .continuous(low: -1.7976931348623157e308, high: 1e20, unit: "µL/min", scale: .linear)),
                    .init(name: "odd", domain: .continuous(low: 0.1 + 0.2, high: 2.0 / 3.0, unit: "μL", scale: .linear)),
                    .init(name: "span", domain: .integer(low: .min, high: .max, step: 3)),
                    .init(name: "label", domain: .categorical(["yes", "42", "3.5", "a, b", "[x]", "#hash", "-dash", "null", "~",
                                                               " padded ", "quote\"s", "back\\slash", "tab\there", "Ünïcödé"])),
                    .init(name: "truth", domain: .fixed(.category("true"))),
                    .init(name: "nothing", domain: .fixed(.category(""))),
                    .init(name: "whole", domain: .fixed(.real(3))),
                    .init(name: "small", domain: .fixed(.real(-1e-7))),
                    .init(name: "count", domain: .fixed(.integer(.min))),
                ],
                constraints: [
                    LinearConstraint(terms: [.init(parameter: "odd", coefficient: -0.1),
                                             .init(parameter: "wide", coefficient: 1e-30),
                                             .init(parameter: "span", coefficient: -1)],
                                     relation: .greaterOrEqual, bound: -1e300),
                ]),
            objective: Objective(measurement: "_y2", direction: .minimize, target: -0.000123),
            operation: "run: now", maxExperiments: Int(UInt32.max), maxParallel: 7, strategy: "my model [v2]")
        spec.description = "line one\nline two\twith a tab and a bell \u{7}\n"
        spec.owner = "'single'"
        spec.project = "@team"
        spec.extraMeasurements = ["a", "b_2"]
        spec.instrumentKind = "- dashed"
        spec.deadlineUnixMs = -86_400_001
        spec.seed = .max
        spec.initialDesign = 1
        spec.noImprovementWindow = 4_294_967_295
        spec.maxAttempts = 5
        spec.retryableFailures = ["transient", "sample: spilled"]
        spec.approval = .manual
        let document = CampaignDocument(spec: spec, strategySettings: ["beta": "2.0", "flag": "yes", "empty": "",
                                                                       "list": "[1, 2]", "spaced key": "x y"])

        let rendered = CampaignFile.render(document)
        let again = CampaignFile.parseDocument(rendered, file: "rendered.yaml")

        #expect(again.diagnostics.isEmpty, "\(again.diagnostics.map(\.description))\n\(rendered)")
        #expect(again.document == document, "\(rendered)")
    }

    @Test func theFlowReactorSpecRendersAsDocumented() {
        let expected = """
            name: flow reactor yield
            description: Maximise the yield of the simulated flow reactor.
            owner: ada
            project: catalysis
            parameters:
              temperature: {type: continuous, low: 30, high: 150, unit: °C}
              residence_time: {type: continuous, low: 0.5, high: 30, unit: min, scale: log}
              concentration: {type: continuous, low: 0.1, high: 2, unit: mol/L}
              catalyst: {type: categorical, values: [Pd, Pt, Ni, Cu]}
            objective:
              measurement: yield
              goal: maximize
              target: 85
            record: [selectivity]
            instrument:
              kind: flow-reactor
              operation: react
            budget:
              experiments: 30
              parallel: 4
            strategy:
              name: space-filling
              seed: 7
            stop:
              target_reached: true
            retries:
              attempts: 2
              retry_on: [transient]

            """
        #expect(CampaignFile.render(ValidFileTests.flowReactor) == expected)
    }

    @Test func aMinimalSpecRendersOnlyWhatIsNeeded() {
        let spec = CampaignSpec(
            name: "m", space: ParameterSpace(parameters: [.init(name: "n", domain: .integer(low: 0, high: 4, step: 1))]),
            objective: Objective(measurement: "y", direction: .maximize), operation: "op",
            maxExperiments: 2, maxParallel: 1, strategy: "random")
        #expect(CampaignFile.render(spec) == """
            name: m
            parameters:
              n: {type: integer, low: 0, high: 4}
            objective:
              measurement: y
              goal: maximize
            instrument:
              operation: op
            budget:
              experiments: 2
              parallel: 1
            strategy:
              name: random

            """)
        #expect(CampaignFile.parse(CampaignFile.render(spec), file: "m.yaml").spec == spec)
    }
}
