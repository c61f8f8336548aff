import LabLoopCore
import Testing

@Suite struct CampaignSpecProblemsTests {
    /// The problems of the default spec with `parameters` and `constraints` instead.
    func problems(_ parameters: [ParameterDefinition], _ constraints: [LinearConstraint] = []) -> [SpecProblem] {
        Fixtures.spec(space: ParameterSpace(parameters: parameters, constraints: constraints)).problems()
    }

    @Test func validSpecHasNoProblems() {
        #expect(Fixtures.spec().problems().isEmpty)
    }

    @Test func lowMustBeBelowHigh() {
        let continuous = problems([Fixtures.continuous("t", 5, 5)])
        #expect(continuous.map(\.field) == ["parameters[0]"])
        #expect(continuous.first?.message.contains("less than") == true)
        let integer = problems([Fixtures.continuous("ok", 0, 1), Fixtures.integer("n", 9, 3)])
        #expect(integer.map(\.field) == ["parameters[1]"])
        #expect(problems([Fixtures.continuous("t", .nan, 1)]).map(\.field) == ["parameters[0]"])
    }

    @Test func categoricalNeedsValues() {
        #expect(problems([Fixtures.categorical("c", [])]).map(\.field) == ["parameters[0]"])
        #expect(problems([Fixtures.categorical("c", ["x", "x"])]).first?.message.contains("unique") == true)
    }

    @Test func namesMustBeUniqueIdentifiers() {
        let duplicate = problems([Fixtures.continuous("x", 0, 1), Fixtures.continuous("x", 0, 2)])
        #expect(duplicate.map(\.field) == ["parameters[1].name"])
        #expect(duplicate.first?.message.contains("twice") == true)
        #expect(problems([Fixtures.continuous("2x", 0, 1)]).map(\.field) == ["parameters[0].name"])
        #expect(problems([Fixtures.continuous("flow rate", 0, 1)]).map(\.field) == ["parameters[0].name"])
    }

    @Test(arguments: [0.0, -1.0])
    func logScaleNeedsPositiveLow(low: Double) {
        let found = problems([Fixtures.continuous("t", low, 10, scale: .log)])
        #expect(found.map(\.field) == ["parameters[0]"])
        #expect(found.first?.message.contains("log") == true)
        #expect(problems([Fixtures.continuous("t", 0.1, 10, scale: .log)]).isEmpty)
    }

    @Test func constraintTermsMustBeNumericParameters() {
        let parameters = [Fixtures.continuous("a", 0, 1), Fixtures.categorical("c", ["x", "y"])]
        let unknown = problems(parameters, [Fixtures.sum(["a", "ghost"], .lessOrEqual, 1)])
        #expect(unknown.map(\.field) == ["constraints[0]"])
        #expect(unknown.first?.message.contains("ghost") == true)
        let categorical = problems(parameters, [Fixtures.sum(["a", "c"], .lessOrEqual, 1)])
        #expect(categorical.map(\.field) == ["constraints[0]"])
        let infinite = LinearConstraint(terms: [.init(parameter: "a", coefficient: .infinity)],
                                        relation: .lessOrEqual, bound: 1)
        #expect(problems(parameters, [infinite]).map(\.field) == ["constraints[0]"])
        let empty = LinearConstraint(terms: [], relation: .greaterOrEqual, bound: 0)
        #expect(problems(parameters, [empty]).map(\.field) == ["constraints[0]"])
        #expect(problems(parameters, [Fixtures.sum(["a"], .lessOrEqual, .nan)]).map(\.field) == ["constraints[0]"])
    }

    @Test func budgetAndStopSettingsAreChecked() {
        var spec = Fixtures.spec()
        spec.maxExperiments = 0
        spec.maxParallel = 0
        spec.stopAtTarget = true
        spec.noImprovementWindow = -1
        let fields = Set(spec.problems().map(\.field))
        #expect(fields == ["budget.max_experiments", "budget.max_parallel", "stop.target_reached",
                           "stop.no_improvement"])
    }

    @Test func emptySpaceAndNamesAreReported() {
        var spec = Fixtures.spec(space: ParameterSpace(parameters: []))
        spec.name = "  "
        spec.operation = ""
        spec.strategy = ""
        let fields = Set(spec.problems().map(\.field))
        #expect(fields == ["name", "parameters", "instrument.operation", "strategy.name"])
    }
}
