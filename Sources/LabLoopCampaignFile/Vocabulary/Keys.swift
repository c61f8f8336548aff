/// The keys each mapping of a campaign file accepts, in documented order.
enum Keys {
    static let root = ["name", "description", "owner", "project", "priority", "parameters", "constraints", "objective",
                       "record", "instrument", "budget", "strategy", "stop", "retries", "approval"]
    static let objective = ["measurement", "goal", "target"]
    static let instrument = ["kind", "operation"]
    static let budget = ["experiments", "parallel", "deadline"]
    static let strategy = ["name", "initial_design", "seed", "settings"]
    static let stop = ["target_reached", "no_improvement"]
    static let retries = ["attempts", "retry_on"]

    static let parameterTypes = ["continuous", "integer", "categorical", "fixed"]

    /// Type names from other tools, by the type meant.
    static let typeAliases = [
        "float": "continuous", "real": "continuous", "double": "continuous", "number": "continuous",
        "range": "continuous", "int": "integer", "discrete": "integer", "ordinal": "integer",
        "category": "categorical", "categories": "categorical", "choice": "categorical", "enum": "categorical",
        "nominal": "categorical", "string": "categorical", "constant": "fixed", "const": "fixed",
    ]

    /// The keys of a parameter definition of each type.
    static func parameter(type: String) -> [String] {
        switch type {
        case "continuous": ["type", "low", "high", "unit", "scale"]
        case "integer": ["type", "low", "high", "step"]
        case "categorical": ["type", "values"]
        case "fixed": ["type", "value"]
        default: ["type", "low", "high", "unit", "scale", "step", "values", "value"]
        }
    }

    /// Names from the JSON (protobuf) form of a campaign and other likely guesses, by the key
    /// that replaces them. Used only when the replacement is valid where the key was found.
    static let renamed: [String: String] = [
        "space": "parameters", "extra_measurements": "record", "extraMeasurements": "record",
        "measurements": "record", "direction": "goal", "max_experiments": "experiments",
        "maxExperiments": "experiments", "max_parallel": "parallel", "maxParallel": "parallel",
        "deadline_unix_ms": "deadline", "deadlineUnixMs": "deadline", "max_attempts": "attempts",
        "maxAttempts": "attempts", "retryable_failures": "retry_on", "retryableFailures": "retry_on",
        "stop_at_target": "target_reached", "stopAtTarget": "target_reached",
        "no_improvement_window": "no_improvement", "noImprovementWindow": "no_improvement",
        "initialDesign": "initial_design", "min": "low", "max": "high", "minimum": "low",
        "maximum": "high", "choices": "values", "categories": "values", "options": "values",
        "units": "unit", "kind": "type", "retry": "retries",
    ]

    /// The key `key` probably should have been, among `valid`.
    static func suggestion(for key: String, among valid: [String]) -> String? {
        if let replacement = renamed[key], valid.contains(replacement) { return replacement }
        return Suggestions.nearest(key, in: valid)
    }
}
