import LabLoopCore

/// Writes a campaign as a campaign file: sections in documented order, defaults left out,
/// parameters one per line in flow style, numbers spelt so that they read back exactly.
enum CampaignRenderer {
    static func render(_ document: CampaignDocument) -> String {
        let spec = document.spec
        var lines: [String] = []
        func add(_ key: String, _ value: String, indent: Int = 0) {
            lines.append(String(repeating: " ", count: indent) + "\(key): \(value)")
        }
        func text(_ value: String) -> String { Quoting.scalar(value, in: .block) }

        add("name", text(spec.name))
        if !spec.description.isEmpty { add("description", text(spec.description)) }
        if !spec.owner.isEmpty { add("owner", text(spec.owner)) }
        if !spec.project.isEmpty { add("project", text(spec.project)) }

        lines.append("parameters:")
        for parameter in spec.space.parameters {
            add(Quoting.scalar(parameter.name, in: .block), definition(parameter.domain), indent: 2)
        }
        if !spec.space.constraints.isEmpty {
            lines.append("constraints:")
            for constraint in spec.space.constraints {
                lines.append("  - " + Quoting.doubleQuoted(self.constraint(constraint)))
            }
        }

        lines.append("objective:")
        add("measurement", text(spec.objective.measurement), indent: 2)
        add("goal", spec.objective.direction == .maximize ? "maximize" : "minimize", indent: 2)
        if let target = spec.objective.target { add("target", number(target), indent: 2) }
        if !spec.extraMeasurements.isEmpty { add("record", flowList(spec.extraMeasurements)) }

        lines.append("instrument:")
        if !spec.instrumentKind.isEmpty { add("kind", text(spec.instrumentKind), indent: 2) }
        add("operation", text(spec.operation), indent: 2)

        lines.append("budget:")
        add("experiments", String(spec.maxExperiments), indent: 2)
        add("parallel", String(spec.maxParallel), indent: 2)
        if spec.deadlineUnixMs != 0 { add("deadline", Timestamp.format(unixMilliseconds: spec.deadlineUnixMs), indent: 2) }

        lines.append("strategy:")
        add("name", text(spec.strategy), indent: 2)
        if spec.initialDesign != 0 { add("initial_design", String(spec.initialDesign), indent: 2) }
        if spec.seed != 0 { add("seed", String(spec.seed), indent: 2) }
        if !document.strategySettings.isEmpty {
            let pairs = document.strategySettings.sorted { $0.key < $1.key }.map { key, value in
                "\(Quoting.scalar(key, in: .flow)): \(Quoting.text(value, in: .flow))"
            }
            add("settings", "{\(pairs.joined(separator: ", "))}", indent: 2)
        }

        if spec.stopAtTarget || spec.noImprovementWindow != 0 {
            lines.append("stop:")
            if spec.stopAtTarget { add("target_reached", "true", indent: 2) }
            if spec.noImprovementWindow != 0 { add("no_improvement", String(spec.noImprovementWindow), indent: 2) }
        }
        if spec.maxAttempts != 1 || !spec.retryableFailures.isEmpty {
            lines.append("retries:")
            add("attempts", String(spec.maxAttempts), indent: 2)
            if !spec.retryableFailures.isEmpty { add("retry_on", flowList(spec.retryableFailures), indent: 2) }
        }
        if spec.approval == .manual { add("approval", "manual") }
        if spec.priority != 0 { add("priority", String(spec.priority)) }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func definition(_ domain: ParameterDomain) -> String {
        var pairs: [String]
        switch domain {
        case .continuous(let low, let high, let unit, let scale):
            pairs = ["type: continuous", "low: \(number(low))", "high: \(number(high))"]
            if !unit.isEmpty { pairs.append("unit: \(Quoting.scalar(unit, in: .flow))") }
            if scale == .log { pairs.append("scale: log") }
        case .integer(let low, let high, let step):
            pairs = ["type: integer", "low: \(low)", "high: \(high)"]
            if step != 1 { pairs.append("step: \(step)") }
        case .categorical(let values):
            pairs = ["type: categorical", "values: \(flowList(values))"]
        case .fixed(let value):
            pairs = ["type: fixed", "value: \(fixedValue(value))"]
        }
        return "{\(pairs.joined(separator: ", "))}"
    }

    private static func fixedValue(_ value: ParameterValue) -> String {
        switch value {
        case .integer(let integer): String(integer)
        // Always with a point or an exponent, so that it reads back as a real, not an integer.
        case .real(let real): real.isFinite ? "\(real)" : number(real)
        case .category(let text): Quoting.scalar(text, in: .flow)
        }
    }

    private static func flowList(_ items: [String]) -> String {
        "[\(items.map { Quoting.scalar($0, in: .flow) }.joined(separator: ", "))]"
    }

    /// `2.5 * concentration - temperature <= 3`
    static func constraint(_ constraint: LinearConstraint) -> String {
        var text = ""
        for (index, term) in constraint.terms.enumerated() {
            let negative = term.coefficient < 0 || (term.coefficient == 0 && term.coefficient.sign == .minus)
            let magnitude = abs(term.coefficient)
            if index == 0 {
                text += negative ? "-" : ""
            } else {
                text += negative ? " - " : " + "
            }
            text += magnitude == 1 ? term.parameter : "\(number(magnitude)) * \(term.parameter)"
        }
        let relation = constraint.relation == .lessOrEqual ? "<=" : ">="
        return "\(text) \(relation) \(number(constraint.bound))"
    }

    /// The shortest spelling that reads back as exactly `value`: whole numbers without a point.
    static func number(_ value: Double) -> String {
        if value.isNaN { return ".nan" }
        if value.isInfinite { return value < 0 ? "-.inf" : ".inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
