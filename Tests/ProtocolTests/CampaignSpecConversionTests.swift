import LabLoopCore
import LabLoopProtocol
import Testing

@Suite("Campaign spec conversion")
struct CampaignSpecConversionTests {
    static var spec: CampaignSpec {
        var spec = CampaignSpec(
            name: "round trip",
            space: ParameterSpace(
                parameters: [
                    .init(name: "a", domain: .continuous(low: 0, high: 1, unit: "mol/L", scale: .linear)),
                    .init(name: "t", domain: .continuous(low: 0.5, high: 30, unit: "min", scale: .log)),
                    .init(name: "n", domain: .integer(low: 1, high: 9, step: 2)),
                    .init(name: "cat", domain: .categorical(["Pd", "Ni"])),
                    .init(name: "p", domain: .fixed(.real(1.5))),
                ],
                constraints: [.init(terms: [.init(parameter: "a", coefficient: 1), .init(parameter: "n", coefficient: 0.1)],
                                    relation: .lessOrEqual, bound: 1.5)]),
            objective: Objective(measurement: "yield", direction: .maximize, target: 90),
            operation: "react", maxExperiments: 10, maxParallel: 2, strategy: "space-filling")
        spec.approval = .manual
        spec.maxAttempts = 3
        spec.retryableFailures = ["transient"]
        spec.stopAtTarget = true
        spec.noImprovementWindow = 5
        return spec
    }

    @Test func roundTripsThroughTheWire() throws {
        let original = Self.spec
        let back = try CampaignSpec(wire: original.wire)
        #expect(back == original)
    }

    @Test func reportsEveryProblemAtOnce() {
        var wire = Self.spec.wire
        wire.name = ""
        wire.budget.maxExperiments = 0
        wire.objective.direction = .unspecified
        wire.space.parameters[0].continuous.low = 5
        do {
            _ = try CampaignSpec(wire: wire)
            Issue.record("an invalid spec was accepted")
        } catch {
            #expect(error.code == .invalidValue)
            for fragment in ["objective.direction", "name: must not be empty", "budget.max_experiments",
                             "low (5) must be less than high (1)"] {
                #expect(error.reason.contains(fragment), "missing '\(fragment)' in: \(error.reason)")
            }
        }
    }

    @Test func pointConversionRefusesValuesWithoutKindAndRepeats() {
        var empty = Labloop_V1_NamedValue()
        empty.name = "a"
        #expect(throws: WireError.self) { try Point(wire: [empty]) }
        let twice = [Labloop_V1_NamedValue(name: "a", real: 1), Labloop_V1_NamedValue(name: "a", real: 2)]
        #expect(throws: WireError.self) { try Point(wire: twice) }
        let point = try? Point(wire: [Labloop_V1_NamedValue(name: "a", real: 0.25)])
        #expect(point?["a"] == .real(0.25))
    }

    @Test func canonicalPointsCompareEqualWhateverTheOrderOrNumericKind() {
        let space = Self.spec.space
        let one = Point([("cat", .category("Pd")), ("a", .integer(1)), ("t", .real(2)), ("n", .integer(3)),
                         ("p", .real(1.5))])
        let other = Point([("a", .real(1)), ("t", .real(2)), ("n", .integer(3)), ("cat", .category("Pd")),
                           ("p", .real(1.5))])
        #expect(one != other)
        #expect(space.canonical(one) == space.canonical(other))
    }

    @Test func experimentStatesMapBothWays() {
        for state in ExperimentState.allCases {
            #expect(ExperimentState(state.wire) == state)
        }
        for state in CampaignState.allCases {
            #expect(CampaignState(state.wire) == state)
        }
        #expect(ExperimentState(Labloop_V1_ExperimentState.unspecified) == nil)
    }
}
