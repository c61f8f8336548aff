public import LabLoopCore

/// A simulated continuous-flow reactor making a product B from a substrate A over a
/// packed-bed catalyst, for trying strategies without a lab.
///
/// The chemistry is a textbook trade-off (see `FlowReactorModel+Kinetics.swift`): heat and time
/// convert more substrate, but the product degrades at high temperature and long residence,
/// and concentrated feeds lose substrate to a side reaction. The best yield (about 86.9 % with
/// Pd) lies inside the box, on a curved ridge where temperature and residence time trade off.
public struct FlowReactorModel: Sendable {
    /// The catalysts the reactor can be packed with; the raw value is the category name.
    public enum Catalyst: String, Sendable, CaseIterable {
        case pd = "Pd"
        case pt = "Pt"
        case ni = "Ni"
        case cu = "Cu"
    }

    /// The instrument kind an agent running this model registers as.
    public static let kind = "flow-reactor"
    /// The operation that runs one experiment.
    public static let operation = "react"
    /// Maximise the product yield.
    public static let objective = Objective(measurement: "yield", direction: .maximize)
    /// Everything `measure(at:rng:)` reports.
    public static let measurements = ["yield", "selectivity"]

    /// The parameters, in order: temperature (°C), residence time (min, log scale),
    /// concentration (mol/L) and catalyst.
    public static var space: ParameterSpace {
        ParameterSpace(parameters: [
            .init(name: "temperature", domain: .continuous(low: 30, high: 150, unit: "°C", scale: .linear)),
            .init(name: "residence_time", domain: .continuous(low: 0.5, high: 30, unit: "min", scale: .log)),
            .init(name: "concentration", domain: .continuous(low: 0.1, high: 2.0, unit: "mol/L", scale: .linear)),
            .init(name: "catalyst", domain: .categorical(Catalyst.allCases.map(\.rawValue))),
        ])
    }

    /// The best setting of `space` and its noise-free yield (%), found by numerical optimisation
    /// of the model and checked against a fine grid by the tests.
    public static let knownOptimum: (point: Point, yield: Double) = {
        let point = Point([
            ("temperature", .real(85.594227)),
            ("residence_time", .real(3.931381)),
            ("concentration", .real(0.804878)),
            ("catalyst", .category(Catalyst.pd.rawValue)),
        ])
        return (point, FlowReactorModel(noise: 0).yield(at: point))
    }()

    /// Standard deviation, in percentage points, of the noise added to each reading.
    public let noise: Double

    /// A reactor whose readings scatter with standard deviation `noise` (0 for exact readings).
    public init(noise: Double) {
        precondition(noise.isFinite && noise >= 0, "noise must be a finite, non-negative standard deviation")
        self.noise = noise
    }

    /// The noise-free yield (%) at `point`, or NaN when the point lacks a parameter or has a
    /// value of the wrong kind (check it against `space` first).
    public func yield(at point: Point) -> Double {
        guard let conditions = Self.conditions(at: point) else { return .nan }
        return yield(temperature: conditions.temperature, residenceTime: conditions.residenceTime,
                     concentration: conditions.concentration, catalyst: conditions.catalyst)
    }

    /// The noise-free yield (%) of product B.
    public func yield(temperature: Double, residenceTime: Double, concentration: Double, catalyst: Catalyst) -> Double {
        Self.outcome(temperature: temperature, residenceTime: residenceTime,
                     concentration: concentration, catalyst: catalyst).yield
    }

    /// The noise-free selectivity (%): the share of converted substrate that ended up as B.
    public func selectivity(temperature: Double, residenceTime: Double, concentration: Double,
                            catalyst: Catalyst) -> Double {
        Self.outcome(temperature: temperature, residenceTime: residenceTime,
                     concentration: concentration, catalyst: catalyst).selectivity
    }

    /// One experiment: "yield" and "selectivity" (%), each with Gaussian noise of standard
    /// deviation `noise` and clamped to [0, 100] as a real analysis would report them.
    public func measure(at point: Point, rng: inout some RandomNumberGenerator) -> [String: Double] {
        guard let conditions = Self.conditions(at: point) else { return ["yield": .nan, "selectivity": .nan] }
        let exact = Self.outcome(temperature: conditions.temperature, residenceTime: conditions.residenceTime,
                                 concentration: conditions.concentration, catalyst: conditions.catalyst)
        // Always draw both values so one reading uses the same randomness whatever the noise.
        let yieldNoise = rng.nextGaussian() * noise
        let selectivityNoise = rng.nextGaussian() * noise
        return [
            "yield": Self.percentage(exact.yield + yieldNoise),
            "selectivity": Self.percentage(exact.selectivity + selectivityNoise),
        ]
    }

    private static func percentage(_ value: Double) -> Double { min(max(value, 0), 100) }

    private static func conditions(at point: Point)
        -> (temperature: Double, residenceTime: Double, concentration: Double, catalyst: Catalyst)? {
        guard let temperature = point["temperature"]?.numeric,
              let residenceTime = point["residence_time"]?.numeric,
              let concentration = point["concentration"]?.numeric,
              case .category(let name)? = point["catalyst"],
              let catalyst = Catalyst(rawValue: name)
        else { return nil }
        return (temperature, residenceTime, concentration, catalyst)
    }
}
