import LabLoopCore
import Testing

@Suite struct ParameterSpaceValidationTests {
    let space = Fixtures.mixedSpace

    func with(_ name: String, _ value: ParameterValue?) -> Point {
        var point = Fixtures.mixedPoint
        point[name] = value
        return point
    }

    @Test func validPointHasNoViolations() {
        #expect(space.violations(of: Fixtures.mixedPoint).isEmpty)
        // Bounds are inclusive, and a continuous parameter accepts an integer value.
        #expect(space.violations(of: with("a", .real(1))).isEmpty)
        #expect(space.violations(of: with("a", .integer(0))).isEmpty)
        #expect(space.violations(of: with("n", .integer(10))).isEmpty)
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity])
    func nonFiniteIsReported(value: Double) {
        let violations = space.violations(of: with("a", .real(value)))
        #expect(Fixtures.kinds(violations) == [.notFinite])
        #expect(violations.first?.subject == "a")
    }

    @Test func outOfRangeIsReported() {
        #expect(Fixtures.kinds(space.violations(of: with("a", .real(1.0001)))) == [.outOfRange])
        #expect(Fixtures.kinds(space.violations(of: with("b", .real(-0.1)))) == [.outOfRange])
        #expect(Fixtures.kinds(space.violations(of: with("n", .integer(12)))) == [.outOfRange])
        #expect(Fixtures.kinds(space.violations(of: with("n", .integer(-2)))) == [.outOfRange])
    }

    @Test func offStepIsReported() {
        let violations = space.violations(of: with("n", .integer(3)))
        #expect(Fixtures.kinds(violations) == [.offStep])
        #expect(violations.first?.subject == "n")
    }

    @Test func unknownCategoryIsReported() {
        let violations = space.violations(of: with("solvent", .category("acetone")))
        #expect(Fixtures.kinds(violations) == [.unknownCategory])
        #expect(violations.first?.message.contains("acetone") == true)
    }

    @Test func missingParameterIsReported() {
        let violations = space.violations(of: with("b", nil))
        #expect(Fixtures.kinds(violations) == [.missing])
        #expect(violations.first?.subject == "b")
    }

    @Test func unknownParameterIsReported() {
        let violations = space.violations(of: with("pressure", .real(1)))
        #expect(Fixtures.kinds(violations) == [.unknownParameter])
        #expect(violations.first?.subject == "pressure")
    }

    @Test func wrongKindAndFixedMismatchAreReported() {
        #expect(Fixtures.kinds(space.violations(of: with("n", .real(4)))) == [.wrongKind])
        #expect(Fixtures.kinds(space.violations(of: with("a", .category("x")))) == [.wrongKind])
        #expect(Fixtures.kinds(space.violations(of: with("mode", .category("flow")))) == [.fixedMismatch])
    }

    @Test func constraintIsReportedOnlyWhenDomainsAreFine() {
        var point = with("a", .real(0.9))
        point["b"] = .real(0.9)
        let violations = space.violations(of: point)
        #expect(Fixtures.kinds(violations) == [.constraint])
        #expect(violations.first?.subject == "a + b <= 1.5")
        // At the bound is fine.
        point["a"] = .real(0.75)
        point["b"] = .real(0.75)
        #expect(space.violations(of: point).isEmpty)
        // A domain problem hides the constraint, whose left side would be meaningless.
        point["a"] = .real(0.9)
        point["b"] = .real(0.9)
        point["solvent"] = .category("acetone")
        #expect(Fixtures.kinds(space.violations(of: point)) == [.unknownCategory])
    }

    @Test func everyProblemIsListed() {
        var point = with("a", .real(.nan))
        point["n"] = .integer(5)
        point["solvent"] = nil
        point["extra"] = .integer(1)
        let kinds = Set(Fixtures.kinds(space.violations(of: point)))
        #expect(kinds == [.notFinite, .offStep, .missing, .unknownParameter])
    }
}
