import LabLoopCore
import Yams

/// The smaller sections: objective, record, instrument, budget, strategy, stop, retries, approval.
extension CampaignReader {
    /// What could be read of the objective; `objective` only when all of it is valid.
    struct ObjectiveReading {
        var objective: Objective?
        var measurement: String?
        var hasTarget: Bool
    }

    struct Instrument {
        var kind: String
        var operation: String
    }

    struct Budget {
        var experiments: Int
        var parallel: Int
        var deadline: Int64
    }

    struct Strategy {
        var name: String
        var initialDesign: Int
        var seed: UInt64
        var settings: [String: String]
    }

    struct Stop {
        var targetReached = false
        var noImprovement = 0
    }

    struct Retries {
        var attempts = 1
        var retryOn: [String] = []
    }

    /// The largest count the wire protocol carries (uint32).
    static let maximumCount = Int64(UInt32.max)

    mutating func objective(_ node: Node) -> ObjectiveReading? {
        guard let fields = fields(node, "objective", allowed: Keys.objective) else { return nil }
        var reading = ObjectiveReading(objective: nil, measurement: nil, hasTarget: fields["target"] != nil)
        let measurement = required("measurement", in: fields, hint: "name the measured quantity to optimise, e.g. measurement: yield")
            .flatMap { identifier($0, "objective.measurement", what: "measurement name") }
        let goal = required("goal", in: fields, hint: "add goal: maximize or goal: minimize")
            .flatMap { choice($0, "objective.goal", among: ["maximize", "minimize"], aliases: Self.goalAliases) }
        reading.measurement = measurement
        var target: Double?
        if let node = fields["target"] {
            target = number(node, "objective.target")
            if target == nil { return reading }
        }
        guard let measurement, let goal else { return reading }
        reading.objective = Objective(measurement: measurement, direction: goal == "maximize" ? .maximize : .minimize,
                                      target: target)
        return reading
    }

    private static let goalAliases = [
        "maximise": "maximize", "max": "maximize", "maximum": "maximize", "maximal": "maximize",
        "minimise": "minimize", "min": "minimize", "minimum": "minimize", "minimal": "minimize",
        "direction_maximize": "maximize", "direction_minimize": "minimize",
    ]

    mutating func record(_ node: Node, objective: String?) -> [String]? {
        guard let items = list(node, "record", of: "measurement names", hint: "write record: [selectivity]") else { return nil }
        var names: [String] = []
        var seen: [String: Int] = [:]
        for (index, item) in items.enumerated() {
            let field = "record[\(index)]"
            guard let name = identifier(item, field, what: "measurement name") else { continue }
            if name == objective {
                report(field, at: item, "'\(name)' is the objective's measurement, which is always recorded",
                       hint: "remove it from record")
            } else if let first = seen[name] {
                report(field, at: item, "'\(name)' is listed twice (first as record[\(first)])", hint: "remove one of them")
            } else {
                seen[name] = index
                names.append(name)
            }
        }
        return names
    }

    mutating func instrument(_ node: Node) -> Instrument? {
        guard let fields = fields(node, "instrument", allowed: Keys.instrument) else { return nil }
        let kind = optional(fields["kind"], "") { $0.text($1, "instrument.kind") }
        let operation = required("operation", in: fields, hint: "name the operation instruments offer, e.g. operation: react")
            .flatMap { nonEmptyText($0, "instrument.operation", hint: "name the operation instruments offer, e.g. react") }
        guard let kind, let operation else { return nil }
        return Instrument(kind: kind, operation: operation)
    }

    mutating func budget(_ node: Node) -> Budget? {
        guard let fields = fields(node, "budget", allowed: Keys.budget) else { return nil }
        let experiments = required("experiments", in: fields, hint: "say how many experiments the campaign may run, e.g. experiments: 40")
            .flatMap { count($0, "budget.experiments", in: 1...Self.maximumCount) }
        let parallel = optional(fields["parallel"], 1) { $0.count($1, "budget.parallel", in: 1...Self.maximumCount) }
        let deadline = optional(fields["deadline"], 0) { $0.deadline($1) }
        guard let experiments, let parallel, let deadline else { return nil }
        return Budget(experiments: experiments, parallel: parallel, deadline: deadline)
    }

    private mutating func deadline(_ node: Node) -> Int64? {
        guard let value = text(node, "budget.deadline", what: "an ISO 8601 date and time") else { return nil }
        switch Timestamp.parse(value) {
        case .success(let milliseconds):
            return milliseconds
        case .failure(let problem):
            report("budget.deadline", at: node, problem.message, hint: problem.hint)
            return nil
        }
    }

    mutating func strategy(_ node: Node) -> Strategy? {
        guard let fields = fields(node, "strategy", allowed: Keys.strategy) else { return nil }
        let name = required("name", in: fields, hint: "name the strategy, e.g. name: space-filling")
            .flatMap { nonEmptyText($0, "strategy.name", hint: "e.g. space-filling, random, gp-ei or gp-ucb") }
        let initialDesign = optional(fields["initial_design"], 0) {
            $0.count($1, "strategy.initial_design", in: 0...Self.maximumCount)
        }
        let seed = optional(fields["seed"], 0) { $0.seed($1) }
        let settings = optional(fields["settings"], [:]) { $0.settings($1) }
        guard let name, let initialDesign, let seed, let settings else { return nil }
        return Strategy(name: name, initialDesign: initialDesign, seed: seed, settings: settings)
    }

    private mutating func seed(_ node: Node) -> UInt64? {
        if case .scalar(let scalar) = node, case .bigInteger = ScalarValue(scalar),
           let literal = IntegerLiteral(scalar.string), let value = literal.uint64 {
            return value
        }
        guard let value = integer(node, "strategy.seed") else { return nil }
        guard value >= 0 else {
            report("strategy.seed", at: node, "must not be negative, found \(value)")
            return nil
        }
        return UInt64(value)
    }

    private mutating func settings(_ node: Node) -> [String: String]? {
        guard let fields = entries(node, "strategy.settings", expected: "a mapping of setting names to values",
                                   hint: "write settings: {beta: 2.0}") else { return nil }
        var settings: [String: String] = [:]
        var valid = true
        for entry in fields.entries {
            let field = fields.path(entry.key)
            guard !entry.key.isEmpty else {
                report("strategy.settings", at: entry.keyPosition, "a setting needs a name")
                valid = false
                continue
            }
            guard let value = text(entry.value, field, what: "a string or a number") else {
                valid = false
                continue
            }
            settings[entry.key] = value
        }
        return valid ? settings : nil
    }

    mutating func stop(_ node: Node, objective: ObjectiveReading?) -> Stop? {
        guard let fields = fields(node, "stop", allowed: Keys.stop) else { return nil }
        var stop = Stop()
        if let node = fields["target_reached"], let value = bool(node, "stop.target_reached") {
            stop.targetReached = value
            if value, let objective, !objective.hasTarget {
                report("stop.target_reached", at: node, "needs objective.target",
                       hint: "add target: <value> under objective, or remove target_reached")
            }
        }
        if let node = fields["no_improvement"], let value = count(node, "stop.no_improvement", in: 0...Self.maximumCount) {
            stop.noImprovement = value
        }
        return stop
    }

    mutating func retries(_ node: Node) -> Retries? {
        guard let fields = fields(node, "retries", allowed: Keys.retries) else { return nil }
        var retries = Retries()
        var attemptsKnown = true
        if let node = fields["attempts"] {
            if let value = count(node, "retries.attempts", in: 1...Self.maximumCount) {
                retries.attempts = value
            } else {
                attemptsKnown = false
            }
        }
        if let node = fields["retry_on"], let items = list(node, "retries.retry_on", of: "failure kinds",
                                                           hint: "write retry_on: [transient]") {
            var seen = Set<String>()
            for (index, item) in items.enumerated() {
                let field = "retries.retry_on[\(index)]"
                guard let kind = nonEmptyText(item, field) else { continue }
                if seen.insert(kind).inserted {
                    retries.retryOn.append(kind)
                } else {
                    report(field, at: item, "'\(kind)' is listed twice", hint: "remove one of them")
                }
            }
            if attemptsKnown, retries.attempts <= 1, !retries.retryOn.isEmpty {
                report("retries.retry_on", at: node, "has no effect with attempts: \(retries.attempts)",
                       hint: "set retries.attempts to 2 or more (it counts the first try)")
            }
        }
        return retries
    }

    mutating func approval(_ node: Node) -> ApprovalMode? {
        switch choice(node, "approval", among: ["auto", "manual"], aliases: ["automatic": "auto", "manually": "manual", "approval_mode_auto": "auto", "approval_mode_manual": "manual"]) {
        case "auto": .auto
        case "manual": .manual
        default: nil
        }
    }
}
