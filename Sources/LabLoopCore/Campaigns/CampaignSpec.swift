public enum Direction: Sendable, Hashable {
    case maximize
    case minimize
}

public struct Objective: Sendable, Hashable {
    public var measurement: String
    public var direction: Direction
    public var target: Double?

    public init(measurement: String, direction: Direction, target: Double? = nil) {
        self.measurement = measurement
        self.direction = direction
        self.target = target
    }

    /// Whether `candidate` is better than `incumbent` (nil incumbent: always).
    public func isBetter(_ candidate: Double, than incumbent: Double?) -> Bool {
        guard let incumbent else { return true }
        return direction == .maximize ? candidate > incumbent : candidate < incumbent
    }

    public func reachesTarget(_ value: Double) -> Bool {
        guard let target else { return false }
        return direction == .maximize ? value >= target : value <= target
    }
}

public enum ApprovalMode: Sendable, Hashable {
    case auto
    case manual
}

/// A campaign as the coordinator understands it (the domain twin of the wire `CampaignSpec`).
public struct CampaignSpec: Sendable, Hashable {
    public var name: String
    public var description: String = ""
    public var owner: String = ""
    public var project: String = ""
    public var space: ParameterSpace
    public var objective: Objective
    public var extraMeasurements: [String] = []
    public var instrumentKind: String = ""
    public var operation: String
    public var maxExperiments: Int
    public var maxParallel: Int
    public var deadlineUnixMs: Int64 = 0
    public var strategy: String
    public var initialDesign: Int = 0
    public var seed: UInt64 = 0
    public var stopAtTarget: Bool = false
    public var noImprovementWindow: Int = 0
    public var maxAttempts: Int = 1
    public var retryableFailures: [String] = []
    public var approval: ApprovalMode = .auto
    /// Within its project, a higher-priority campaign's experiments are dispatched first.
    public var priority: Int = 0

    public init(name: String, space: ParameterSpace, objective: Objective, operation: String,
                maxExperiments: Int, maxParallel: Int, strategy: String) {
        self.name = name
        self.space = space
        self.objective = objective
        self.operation = operation
        self.maxExperiments = maxExperiments
        self.maxParallel = maxParallel
        self.strategy = strategy
    }

    /// Measurements an instrument is expected to report.
    public var measurements: [String] { [objective.measurement] + extraMeasurements }
}
