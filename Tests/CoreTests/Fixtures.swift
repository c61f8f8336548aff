import LabLoopCore

/// Small builders shared by the tests, so each test shows only what it is about.
enum Fixtures {
    static func continuous(_ name: String, _ low: Double, _ high: Double, scale: Scale = .linear) -> ParameterDefinition {
        ParameterDefinition(name: name, domain: .continuous(low: low, high: high, unit: "", scale: scale))
    }

    static func integer(_ name: String, _ low: Int64, _ high: Int64, step: Int64 = 1) -> ParameterDefinition {
        ParameterDefinition(name: name, domain: .integer(low: low, high: high, step: step))
    }

    static func categorical(_ name: String, _ values: [String]) -> ParameterDefinition {
        ParameterDefinition(name: name, domain: .categorical(values))
    }

    static func fixed(_ name: String, _ value: ParameterValue) -> ParameterDefinition {
        ParameterDefinition(name: name, domain: .fixed(value))
    }

    /// `a + b <= bound` (or `>=`).
    static func sum(_ names: [String], _ relation: Relation, _ bound: Double) -> LinearConstraint {
        LinearConstraint(terms: names.map { .init(parameter: $0, coefficient: 1) }, relation: relation, bound: bound)
    }

    /// One parameter of every kind, plus the constraint a + b <= 1.5.
    static let mixedSpace = ParameterSpace(
        parameters: [
            continuous("a", 0, 1),
            continuous("b", 0, 1),
            integer("n", 0, 10, step: 2),
            categorical("solvent", ["water", "ethanol", "toluene"]),
            fixed("mode", .category("batch")),
        ],
        constraints: [sum(["a", "b"], .lessOrEqual, 1.5)]
    )

    /// A valid point of `mixedSpace`.
    static let mixedPoint = Point([
        ("a", .real(0.25)), ("b", .real(0.5)), ("n", .integer(4)),
        ("solvent", .category("water")), ("mode", .category("batch")),
    ])

    /// A spec that `problems()` accepts, to be broken one field at a time.
    static func spec(space: ParameterSpace = mixedSpace, direction: Direction = .maximize,
                     target: Double? = nil) -> CampaignSpec {
        CampaignSpec(name: "test", space: space,
                     objective: Objective(measurement: "yield", direction: direction, target: target),
                     operation: "react", maxExperiments: 10, maxParallel: 3, strategy: "random")
    }

    /// Kinds of the violations, in order.
    static func kinds(_ violations: [PointViolation]) -> [PointViolation.Kind] {
        violations.map(\.kind)
    }
}
