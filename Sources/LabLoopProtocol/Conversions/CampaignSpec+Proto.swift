public import LabLoopCore

extension CampaignSpec {
    /// Converts a wire spec, reporting every problem at once (conversion and validation).
    public init(wire: Labloop_V1_CampaignSpec) throws(WireError) {
        var problems: [String] = []
        var definitions: [ParameterDefinition] = []
        for (index, parameter) in wire.space.parameters.enumerated() {
            switch parameter.kind {
            case .continuous(let c)?:
                definitions.append(.init(name: parameter.name, domain: .continuous(
                    low: c.low, high: c.high, unit: c.unit, scale: c.scale == .log ? .log : .linear)))
            case .integer(let i)?:
                definitions.append(.init(name: parameter.name, domain: .integer(low: i.low, high: i.high, step: max(1, i.step))))
            case .categorical(let c)?:
                definitions.append(.init(name: parameter.name, domain: .categorical(c.values)))
            case .fixed(let f)?:
                if let value = ParameterValue(f.value) {
                    definitions.append(.init(name: parameter.name, domain: .fixed(value)))
                } else {
                    problems.append("parameters[\(index)]: fixed parameter '\(parameter.name)' has no value")
                }
            case nil:
                problems.append("parameters[\(index)]: parameter '\(parameter.name)' has no kind")
            }
        }
        var constraints: [LinearConstraint] = []
        for (index, constraint) in wire.space.constraints.enumerated() {
            let relation: Relation
            switch constraint.relation {
            case .lessEqual: relation = .lessOrEqual
            case .greaterEqual: relation = .greaterOrEqual
            default:
                problems.append("constraints[\(index)]: relation must be <= or >=")
                continue
            }
            constraints.append(.init(terms: constraint.terms.map { .init(parameter: $0.parameter, coefficient: $0.coefficient) },
                                     relation: relation, bound: constraint.bound))
        }
        let direction: Direction
        switch wire.objective.direction {
        case .maximize: direction = .maximize
        case .minimize: direction = .minimize
        default:
            problems.append("objective.direction: must be maximize or minimize")
            direction = .maximize
        }
        var spec = CampaignSpec(
            name: wire.name,
            space: ParameterSpace(parameters: definitions, constraints: constraints),
            objective: Objective(measurement: wire.objective.measurement, direction: direction,
                                 target: wire.objective.hasTarget ? wire.objective.target : nil),
            operation: wire.instrument.operation,
            maxExperiments: Int(wire.budget.maxExperiments),
            maxParallel: Int(wire.budget.maxParallel),
            strategy: wire.strategy.name)
        spec.description = wire.description_p
        spec.owner = wire.owner
        spec.project = wire.project
        spec.extraMeasurements = wire.extraMeasurements
        spec.instrumentKind = wire.instrument.kind
        spec.deadlineUnixMs = wire.budget.deadlineUnixMs
        spec.initialDesign = Int(wire.strategy.initialDesign)
        spec.seed = wire.strategy.seed
        spec.stopAtTarget = wire.stop.stopAtTarget
        spec.noImprovementWindow = Int(wire.stop.noImprovementWindow)
        spec.maxAttempts = max(1, Int(wire.retries.maxAttempts))
        spec.retryableFailures = wire.retries.retryableFailures
        spec.approval = wire.approval == .manual ? .manual : .auto
        spec.priority = Int(wire.priority)
        problems += spec.problems().map(\.description)
        guard problems.isEmpty else {
            throw WireError(.invalidValue, "invalid campaign: " + problems.joined(separator: "; "))
        }
        self = spec
    }

    public var wire: Labloop_V1_CampaignSpec {
        var wire = Labloop_V1_CampaignSpec()
        wire.name = name
        wire.description_p = description
        wire.owner = owner
        wire.project = project
        wire.space = space.wire
        wire.objective.measurement = objective.measurement
        wire.objective.direction = objective.direction == .maximize ? .maximize : .minimize
        if let target = objective.target { wire.objective.target = target }
        wire.extraMeasurements = extraMeasurements
        wire.instrument.kind = instrumentKind
        wire.instrument.operation = operation
        wire.budget.maxExperiments = UInt32(clamping: maxExperiments)
        wire.budget.maxParallel = UInt32(clamping: maxParallel)
        wire.budget.deadlineUnixMs = deadlineUnixMs
        wire.strategy.name = strategy
        wire.strategy.initialDesign = UInt32(clamping: initialDesign)
        wire.strategy.seed = seed
        wire.stop.stopAtTarget = stopAtTarget
        wire.stop.noImprovementWindow = UInt32(clamping: noImprovementWindow)
        wire.retries.maxAttempts = UInt32(clamping: maxAttempts)
        wire.retries.retryableFailures = retryableFailures
        wire.approval = approval == .manual ? .manual : .auto
        wire.priority = Int32(clamping: priority)
        return wire
    }
}

extension ParameterSpace {
    public var wire: Labloop_V1_ParameterSpace {
        var wire = Labloop_V1_ParameterSpace()
        wire.parameters = parameters.map { definition in
            var parameter = Labloop_V1_Parameter()
            parameter.name = definition.name
            switch definition.domain {
            case .continuous(let low, let high, let unit, let scale):
                var c = Labloop_V1_ContinuousParameter()
                c.low = low
                c.high = high
                c.unit = unit
                c.scale = scale == .log ? .log : .linear
                parameter.continuous = c
            case .integer(let low, let high, let step):
                var i = Labloop_V1_IntegerParameter()
                i.low = low
                i.high = high
                i.step = step
                parameter.integer = i
            case .categorical(let values):
                var c = Labloop_V1_CategoricalParameter()
                c.values = values
                parameter.categorical = c
            case .fixed(let value):
                var f = Labloop_V1_FixedParameter()
                f.value = value.wire
                parameter.fixed = f
            }
            return parameter
        }
        wire.constraints = constraints.map { constraint in
            var c = Labloop_V1_LinearConstraint()
            c.terms = constraint.terms.map { term in
                var t = Labloop_V1_LinearTerm()
                t.parameter = term.parameter
                t.coefficient = term.coefficient
                return t
            }
            c.relation = constraint.relation == .lessOrEqual ? .lessEqual : .greaterEqual
            c.bound = constraint.bound
            return c
        }
        return wire
    }
}
