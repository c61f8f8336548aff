import LabLoopCore
import Yams

extension CampaignReader {
    struct Parameters {
        /// Every parameter that was read without problems, in file order.
        var definitions: [ParameterDefinition]
        /// Every name declared, valid or not, so constraints do not call a broken one unknown.
        var declared: [String]
        /// Whether `definitions` holds every declared parameter.
        var allValid: Bool

        var domains: [String: ParameterDomain] {
            Dictionary(definitions.map { ($0.name, $0.domain) }, uniquingKeysWith: { first, _ in first })
        }
    }

    mutating func parameters(_ node: Node) -> Parameters? {
        guard let fields = entries(node, "parameters", expected: "a mapping from parameter names to definitions",
                                   hint: "write each parameter as 'name: {type: continuous, low: 0, high: 1}'")
        else { return nil }
        var result = Parameters(definitions: [], declared: [], allValid: true)
        if case .mapping(let mapping) = node, mapping.isEmpty {
            report("parameters", at: fields.position, "at least one parameter is required",
                   hint: "add e.g. 'temperature: {type: continuous, low: 30, high: 150, unit: °C}'")
        }
        for entry in fields.entries {
            let field = fields.path(entry.key)
            locations[field] = entry.keyPosition
            result.declared.append(entry.key)
            var valid = true
            if !Self.isIdentifier(entry.key) {
                report(field, at: entry.keyPosition, "\(Quoting.quotedForMessage(entry.key)) is not a valid parameter name",
                       hint: "use letters, digits and _, not starting with a digit")
                valid = false
            }
            if let domain = definition(entry.value, field), valid {
                result.definitions.append(ParameterDefinition(name: entry.key, domain: domain))
            } else {
                result.allValid = false
            }
        }
        // A repeated parameter is still checked, so that fixing the name does not uncover more.
        for entry in fields.repeated {
            _ = definition(entry.value, fields.path(entry.key))
            result.allValid = false
        }
        if case .mapping(let mapping) = node, mapping.count != fields.entries.count { result.allValid = false }
        return result
    }

    private mutating func definition(_ node: Node, _ field: String) -> ParameterDomain? {
        guard case .mapping(let mapping) = node else {
            let hint: String
            switch node {
            case .sequence:
                hint = "for a list of choices write '{type: categorical, values: [a, b]}'"
            case .scalar(let scalar) where [.integer, .real].contains(ScalarValue(scalar).kind):
                hint = "for a constant write '{type: fixed, value: \(scalar.string)}'"
            default:
                hint = "write e.g. '{type: continuous, low: 0, high: 1}'"
            }
            expected("a mapping with a type and its settings", field, found: node, hint: hint)
            return nil
        }
        // The type decides which keys are allowed, so it is looked up before the keys are checked.
        let typeNode = mapping.first { pair in
            if case .scalar(let key) = pair.key { return (renamedKeys[key.string] ?? key.string) == "type" }
            return false
        }?.value
        var type: String?
        if let typeNode, case .scalar(let scalar) = typeNode, Keys.parameterTypes.contains(scalar.string) {
            type = scalar.string
        }
        let allowed = Keys.parameter(type: type ?? "")
        guard let fields = fields(node, field, allowed: allowed, explainUnknown: { key in
            guard let type, Keys.parameter(type: "").contains(key) else { return nil }
            let users = Keys.parameterTypes.filter { Keys.parameter(type: $0).contains(key) }
            return ("'\(key)' does not apply to a \(type) parameter",
                    "'\(key)' belongs to \(Self.orList(users)) parameters")
        }) else { return nil }
        guard let typeNode = required("type", in: fields, hint: Self.typeHint(for: fields)) else { return nil }
        guard let type else {
            if let written = text(typeNode, fields.path("type"), what: Self.orList(Keys.parameterTypes)) {
                let near = Keys.typeAliases[written.lowercased()] ?? Suggestions.nearest(written, in: Keys.parameterTypes)
                report(fields.path("type"), at: typeNode, "unknown parameter type \(Quoting.quotedForMessage(written))",
                       hint: near.map { "did you mean '\($0)'?" } ?? "types: \(Keys.parameterTypes.joined(separator: ", "))")
            }
            return nil
        }
        switch type {
        case "continuous": return continuous(fields)
        case "integer": return integer(fields)
        case "categorical": return categorical(fields)
        default: return fixed(fields)
        }
    }

    private static func typeHint(for fields: Fields) -> String {
        if fields["values"] != nil { return "add type: categorical" }
        if fields["value"] != nil { return "add type: fixed" }
        if fields["step"] != nil { return "add type: integer" }
        if fields["unit"] != nil || fields["scale"] != nil { return "add type: continuous" }
        return "add type: continuous, integer, categorical or fixed"
    }

    private mutating func continuous(_ fields: Fields) -> ParameterDomain? {
        let lowNode = required("low", in: fields)
        let highNode = required("high", in: fields)
        let low = lowNode.flatMap { number($0, fields.path("low")) }
        let high = highNode.flatMap { number($0, fields.path("high")) }
        let unit = optional(fields["unit"], "") { $0.unit($1, fields.path("unit")) }
        let scale = optional(fields["scale"], "linear") {
            $0.choice($1, fields.path("scale"), among: ["linear", "log"],
                      aliases: ["logarithmic": "log", "log10": "log", "ln": "log", "lin": "linear"])
        }
        var valid = true
        if let low, let high, let lowNode {
            valid = checkOrder(low: low, high: high, formatted: (formatReal(low), formatReal(high)), at: lowNode, fields)
        }
        if scale == "log", let low, let lowNode, low <= 0 {
            report(fields.path("low"), at: lowNode, "must be greater than 0 for a log scale, found \(formatReal(low))",
                   hint: "raise low above 0 or use scale: linear")
            valid = false
        }
        guard valid, let low, let high, let unit, let scale else { return nil }
        return .continuous(low: low, high: high, unit: unit, scale: scale == "log" ? .log : .linear)
    }

    private mutating func unit(_ node: Node, _ field: String) -> String? {
        guard case .scalar(let scalar) = node else {
            expected("a unit", field, found: node)
            return nil
        }
        let unit = ScalarValue(scalar) == .null ? "" : scalar.string
        guard Units.isKnown(unit) else {
            let hint = Units.suggestion(for: unit).map { "did you mean '\($0)'?" }
                ?? "use a unit from the list in Docs/campaign-format.md (such as °C, min, mol/L, mL/min or %), or leave unit out"
            report(field, at: node, "unknown unit \(Quoting.quotedForMessage(unit))", hint: hint)
            return nil
        }
        return unit
    }

    /// Reports `low >= high` at `low`; true when the order is fine.
    private mutating func checkOrder<T: Comparable>(low: T, high: T, formatted: (String, String), at node: Node,
                                                    _ fields: Fields) -> Bool {
        guard low >= high else { return true }
        report(fields.path("low"), at: node, "low (\(formatted.0)) must be less than high (\(formatted.1))",
               hint: low > high ? "swap low and high" : "use type: fixed for a value that does not vary")
        return false
    }

    private mutating func integer(_ fields: Fields) -> ParameterDomain? {
        let lowNode = required("low", in: fields)
        let highNode = required("high", in: fields)
        let low = lowNode.flatMap { integer($0, fields.path("low")) }
        let high = highNode.flatMap { integer($0, fields.path("high")) }
        let stepNode = fields["step"]
        let step = optional(stepNode, 1) { $0.count($1, fields.path("step"), in: 1...Int64.max) }.map(Int64.init)
        var valid = true
        if let low, let high, let lowNode {
            valid = checkOrder(low: low, high: high, formatted: (String(low), String(high)), at: lowNode, fields)
            let (span, overflow) = high.subtractingReportingOverflow(low)
            if valid, !overflow, let step, let stepNode, step > span {
                report(fields.path("step"), at: stepNode, "step (\(step)) is larger than high − low (\(span)), so low is the only value",
                       hint: "use a smaller step, or type: fixed")
                valid = false
            }
        }
        guard valid, let low, let high, let step else { return nil }
        return .integer(low: low, high: high, step: step)
    }

    private mutating func categorical(_ fields: Fields) -> ParameterDomain? {
        guard let node = required("values", in: fields, hint: "list the choices, e.g. values: [Pd, Pt, Ni]"),
              let items = list(node, fields.path("values"), of: "choices", hint: "write values: [Pd, Pt, Ni]")
        else { return nil }
        guard !items.isEmpty else {
            report(fields.path("values"), at: node, "a categorical parameter needs at least one value",
                   hint: "list the choices, e.g. values: [Pd, Pt, Ni]")
            return nil
        }
        var values: [String] = []
        var firstIndex: [String: Int] = [:]
        var valid = true
        for (index, item) in items.enumerated() {
            let field = "\(fields.path("values"))[\(index)]"
            guard let value = text(item, field, what: "a category name") else {
                valid = false
                continue
            }
            if value.allSatisfy(\.isWhitespace) {
                report(field, at: item, "a category name must not be empty")
                valid = false
            } else if let first = firstIndex[value] {
                report(field, at: item, "'\(value)' is listed twice (first as values[\(first)])", hint: "remove one of them")
                valid = false
            } else {
                firstIndex[value] = index
                values.append(value)
            }
        }
        return valid ? .categorical(values) : nil
    }

    private mutating func fixed(_ fields: Fields) -> ParameterDomain? {
        guard let node = required("value", in: fields, hint: "add the constant, e.g. value: 1.0") else { return nil }
        let field = fields.path("value")
        guard case .scalar(let scalar) = node else {
            expected("a number or a string", field, found: node)
            return nil
        }
        switch ScalarValue(scalar) {
        case .integer(let value):
            return .fixed(.integer(value))
        case .real(let value) where value.isFinite:
            return .fixed(.real(value))
        case .real:
            report(field, at: node, "must be a finite number, found \(scalar.string)")
        case .string(let value):
            return .fixed(.category(value))
        case .bigInteger:
            report(field, at: node, "the integer \(scalar.string) is too large",
                   hint: "integers must lie between \(Int64.min) and \(Int64.max)")
        case .bool:
            expected("a number or a string", field, found: node, hint: "quote it (\"\(scalar.string)\") to use it as text")
        case .null:
            expected("a number or a string", field, found: node)
        }
        return nil
    }
}
