@testable import LabLoopCampaignFile
import LabLoopCore
import Testing

@Suite struct ConstraintParserTests {
    private func parse(_ text: String) throws -> LinearConstraint {
        try ConstraintParser.parse(text).constraint
    }

    private func error(_ text: String) -> ConstraintSyntaxError? {
        do {
            _ = try ConstraintParser.parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func readsSumsProductsAndQuotients() throws {
        #expect(try parse("concentration + 0.01 * temperature <= 2.5") == LinearConstraint(
            terms: [.init(parameter: "concentration", coefficient: 1), .init(parameter: "temperature", coefficient: 0.01)],
            relation: .lessOrEqual, bound: 2.5))
        #expect(try parse("-x - 2*y + z/4 >= -1e-3") == LinearConstraint(
            terms: [.init(parameter: "x", coefficient: -1), .init(parameter: "y", coefficient: -2),
                    .init(parameter: "z", coefficient: 0.25)],
            relation: .greaterOrEqual, bound: -1e-3))
        #expect(try parse("x * 3 ≤ .5") == LinearConstraint(terms: [.init(parameter: "x", coefficient: 3)],
                                                          relation: .lessOrEqual, bound: 0.5))
    }

    @Test func movesParametersLeftAndNumbersRight() throws {
        #expect(try parse("x + 1 <= y + 3") == LinearConstraint(
            terms: [.init(parameter: "x", coefficient: 1), .init(parameter: "y", coefficient: -1)],
            relation: .lessOrEqual, bound: 2))
        #expect(try parse("10 >= 2 * x") == LinearConstraint(terms: [.init(parameter: "x", coefficient: 2)],
                                                           relation: .lessOrEqual, bound: 10))
        #expect(try parse("x + x + y >= 1") == LinearConstraint(
            terms: [.init(parameter: "x", coefficient: 2), .init(parameter: "y", coefficient: 1)],
            relation: .greaterOrEqual, bound: 1))
    }

    @Test func reportsWhereTheTextGoesWrong() {
        #expect(error("x + <= 1")?.offset == 4)
        #expect(error("2x <= 1")?.message == "expected an operator before 'x'")
        #expect(error("x <= 1 <= 2")?.offset == 7)
        #expect(error("x + y")?.offset == 5)
        #expect(error("x < 1")?.message == "strict '<' is not supported")
        #expect(error("x == 1")?.message == "equality constraints are not supported")
        #expect(error("1 <= 2")?.message == "the constraint names no parameter")
        #expect(error("x - x <= 2")?.message == "every parameter's coefficient is 0")
        #expect(error("x / 0 <= 2")?.message == "division by zero")
        #expect(error("   ")?.message == "the constraint is empty")
    }

    @Test func theRendererWritesWhatTheParserReads() throws {
        let constraints = [
            LinearConstraint(terms: [.init(parameter: "a", coefficient: -1), .init(parameter: "b", coefficient: 1e-12),
                                     .init(parameter: "c", coefficient: -2.5e20)],
                             relation: .greaterOrEqual, bound: -3.25),
            LinearConstraint(terms: [.init(parameter: "a", coefficient: 0.1 + 0.2)], relation: .lessOrEqual, bound: 1 / 3),
        ]
        for constraint in constraints {
            #expect(try parse(CampaignRenderer.constraint(constraint)) == constraint)
        }
    }
}
