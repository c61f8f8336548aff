import LabLoopCore
import Yams

extension CampaignReader {
    /// Reads `constraints`, checks that they name numeric parameters, and that they can be met:
    /// each one alone exactly (over the parameter ranges), all together by sampling.
    mutating func constraints(_ node: Node, parameters: Parameters?) -> [LinearConstraint] {
        guard let items = list(node, "constraints", of: "constraints written as text",
                               hint: "write constraints: [\"x + y <= 10\"]") else { return [] }
        var constraints: [LinearConstraint] = []
        var allValid = true
        for (index, item) in items.enumerated() {
            let field = "constraints[\(index)]"
            guard let parsed = parse(item, field, parameters: parameters) else {
                allValid = false
                continue
            }
            let constraint = parsed.constraint
            if let parameters, let range = ConstraintFeasibility.range(of: constraint, domains: parameters.domains),
               !ConstraintFeasibility.canSatisfy(constraint, over: range) {
                reportInfeasible(constraint, range: range, field, at: item)
                allValid = false
            }
            constraints.append(constraint)
        }
        if allValid, constraints.count > 1, let parameters {
            if !ConstraintFeasibility.jointlySatisfiable(constraints, domains: parameters.domains) {
                report("constraints", at: node,
                       "no point satisfies all constraints together (\(ConstraintFeasibility.samples) points spread over the parameter ranges were tried)",
                       hint: "check the constraints for contradictions, or relax a bound")
            }
        }
        return constraints
    }

    private mutating func parse(_ node: Node, _ field: String, parameters: Parameters?) -> ParsedConstraint? {
        guard case .scalar(let scalar) = node, ScalarValue(scalar) != .null else {
            expected("a constraint written as text, like \(ConstraintParser.example)", field, found: node,
                     hint: "quote the constraint")
            return nil
        }
        let parsed: ParsedConstraint
        do throws(ConstraintSyntaxError) {
            parsed = try ConstraintParser.parse(scalar.string)
        } catch {
            report(field, at: position(in: node, offset: error.offset), error.message, hint: error.hint)
            return nil
        }
        guard let parameters else { return parsed }
        var valid = true
        for term in parsed.terms {
            let at = position(in: node, offset: term.offset)
            guard parameters.declared.contains(term.parameter) else {
                report(field, at: at, "unknown parameter '\(term.parameter)'",
                       hint: Suggestions.nearest(term.parameter, in: parameters.declared).map { "did you mean '\($0)'?" })
                valid = false
                continue
            }
            switch parameters.domains[term.parameter] {
            case .categorical?:
                report(field, at: at, "'\(term.parameter)' is categorical; constraints can only use continuous and integer parameters")
                valid = false
            case .fixed?:
                report(field, at: at, "'\(term.parameter)' is fixed; constraints can only use continuous and integer parameters",
                       hint: "write its value as a number instead")
                valid = false
            case .continuous?, .integer?, nil:
                break
            }
        }
        return valid ? parsed : nil
    }

    private mutating func reportInfeasible(_ constraint: LinearConstraint, range: ClosedRange<Double>,
                                           _ field: String, at node: Node) {
        let low = formatReal(range.lowerBound)
        let high = formatReal(range.upperBound)
        let bound = formatReal(constraint.bound)
        let span = range.lowerBound == range.upperBound ? "is always \(low)" : "ranges from \(low) to \(high)"
        switch constraint.relation {
        case .lessOrEqual:
            report(field, at: node, "can never be satisfied: over the parameter ranges the left side \(span), never <= \(bound)",
                   hint: "raise the bound to at least \(low), or widen the parameter ranges")
        case .greaterOrEqual:
            report(field, at: node, "can never be satisfied: over the parameter ranges the left side \(span), never >= \(bound)",
                   hint: "lower the bound to at most \(high), or widen the parameter ranges")
        }
    }
}
