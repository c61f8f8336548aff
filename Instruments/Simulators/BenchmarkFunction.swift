public import LabLoopCore

/// Standard test functions for optimisers, served as an instrument so strategies can be
/// compared against known answers. All are minimised; see `BenchmarkFunction+Formulas.swift`.
public enum BenchmarkFunction: Sendable, Hashable, CaseIterable {
    /// Branin–Hoo on x1 ∈ [−5, 10], x2 ∈ [0, 15]: three global minima of 5/(4π) ≈ 0.397887.
    case branin
    /// Hartmann 6-D on [0, 1]^6: one global minimum ≈ −3.32237 among six local ones.
    case hartmann6
    /// Rosenbrock's banana valley on [−2.048, 2.048]^2: minimum 0 at (1, 1).
    case rosenbrock2

    /// The instrument kind an agent serving these functions registers as.
    public static let kind = "benchmark-function"
    /// The operation that evaluates a function once.
    public static let operation = "evaluate"
    /// The single measurement reported.
    public static let measurement = "value"
    /// Minimise the function value.
    public static let objective = Objective(measurement: measurement, direction: .minimize)

    /// The function called `name`, ignoring case ("Branin", "hartmann6", …).
    public init?(name: String) {
        let wanted = name.lowercased()
        guard let match = Self.allCases.first(where: { $0.name == wanted }) else { return nil }
        self = match
    }

    /// The lower-case name used on the command line and in campaign files.
    public var name: String {
        switch self {
        case .branin: "branin"
        case .hartmann6: "hartmann6"
        case .rosenbrock2: "rosenbrock2"
        }
    }

    /// How many coordinates the function takes.
    var dimension: Int {
        switch self {
        case .branin, .rosenbrock2: 2
        case .hartmann6: 6
        }
    }

    /// The domain: continuous parameters x1, x2, … with the function's usual bounds.
    public var space: ParameterSpace {
        let bounds: [(low: Double, high: Double)] = switch self {
        case .branin: [(-5, 10), (0, 15)]
        case .hartmann6: Array(repeating: (0, 1), count: dimension)
        case .rosenbrock2: Array(repeating: (-2.048, 2.048), count: 2)
        }
        return ParameterSpace(parameters: bounds.enumerated().map { index, bound in
            ParameterDefinition(name: "x\(index + 1)",
                                domain: .continuous(low: bound.low, high: bound.high, unit: "", scale: .linear))
        })
    }

    /// The global minimum value.
    public var knownMinimum: Double {
        switch self {
        case .branin: 5 / (4 * Double.pi)
        case .hartmann6: -3.32236801141551
        case .rosenbrock2: 0
        }
    }

    /// Every global minimiser (to the published precision).
    public var minimizers: [Point] {
        let coordinates: [[Double]] = switch self {
        case .branin: [[-Double.pi, 12.275], [Double.pi, 2.275], [3 * Double.pi, 2.475]]
        case .hartmann6: [[0.20168951, 0.15001069, 0.47687397, 0.27533243, 0.31165162, 0.65730053]]
        case .rosenbrock2: [[1, 1]]
        }
        return coordinates.map(Self.point)
    }

    /// The function at `point`, or NaN when a coordinate is missing or not numeric.
    public func value(at point: Point) -> Double {
        var x: [Double] = []
        for index in 1...dimension {
            guard let coordinate = point["x\(index)"]?.numeric else { return .nan }
            x.append(coordinate)
        }
        return value(at: x)
    }

    /// The point with coordinates `x` named x1, x2, …
    static func point(_ x: [Double]) -> Point {
        Point(x.enumerated().map { index, value in (name: "x\(index + 1)", value: ParameterValue.real(value)) })
    }
}
