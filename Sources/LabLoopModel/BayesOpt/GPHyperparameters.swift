import Foundation

/// The hyperparameters of a Matérn-5/2 Gaussian process with one length scale per input (ARD).
///
/// Variances refer to the process's standardised outputs when the process standardises them
/// (the default), so the same bounds and priors suit every objective's units.
public struct GPHyperparameters: Sendable, Hashable {
    /// One length scale per input dimension, in feature units (inputs span [0, 1]).
    public var lengthScales: [Double]
    /// The prior variance of the latent function.
    public var signalVariance: Double
    /// The variance of the observation noise.
    public var noiseVariance: Double

    /// Length scales the fit may choose: shorter than a hundredth of the domain would interpolate
    /// noise; beyond 20 a dimension is effectively ignored already.
    public static let lengthScaleRange: ClosedRange<Double> = 0.01...20
    /// Signal variances the fit may choose (outputs have unit variance once standardised).
    public static let signalVarianceRange: ClosedRange<Double> = 0.01...50
    /// Noise variances the fit may choose; the floor keeps the kernel matrix well conditioned.
    public static let noiseVarianceRange: ClosedRange<Double> = 1e-6...2

    /// Hyperparameters as given; `clamped()` moves them into the allowed ranges.
    public init(lengthScales: [Double], signalVariance: Double, noiseVariance: Double) {
        self.lengthScales = lengthScales
        self.signalVariance = signalVariance
        self.noiseVariance = noiseVariance
    }

    /// Hyperparameters from `logVector` (see `logVector`).
    public init(logVector: [Double]) {
        precondition(logVector.count >= 2, "a log vector holds the length scales and two variances")
        let dimension = logVector.count - 2
        lengthScales = logVector.prefix(dimension).map { exp($0) }
        signalVariance = exp(logVector[dimension])
        noiseVariance = exp(logVector[dimension + 1])
    }

    /// The input dimension.
    public var dimension: Int { lengthScales.count }

    /// `[log ℓ₁, …, log ℓ_D, log σ²_signal, log σ²_noise]`: the coordinates the fit works in,
    /// and the order of the likelihood gradient.
    public var logVector: [Double] {
        lengthScales.map { log($0) } + [log(signalVariance), log(noiseVariance)]
    }

    /// A neutral starting point: moderately smooth, unit signal, little noise.
    public static func initial(dimension: Int) -> GPHyperparameters {
        GPHyperparameters(lengthScales: Array(repeating: 0.3 * Double(max(dimension, 1)).squareRoot(), count: dimension),
                          signalVariance: 1, noiseVariance: 1e-3)
    }

    /// These hyperparameters moved inside the allowed ranges.
    public func clamped() -> GPHyperparameters {
        func clamp(_ value: Double, _ range: ClosedRange<Double>) -> Double {
            value.isFinite ? min(max(value, range.lowerBound), range.upperBound) : range.lowerBound
        }
        return GPHyperparameters(lengthScales: lengthScales.map { clamp($0, Self.lengthScaleRange) },
                                 signalVariance: clamp(signalVariance, Self.signalVarianceRange),
                                 noiseVariance: clamp(noiseVariance, Self.noiseVarianceRange))
    }

    /// Bounds of the log vector for a process with `dimension` inputs.
    static func logBounds(dimension: Int) -> (lower: [Double], upper: [Double]) {
        let lower = Array(repeating: log(lengthScaleRange.lowerBound), count: dimension)
            + [log(signalVarianceRange.lowerBound), log(noiseVarianceRange.lowerBound)]
        let upper = Array(repeating: log(lengthScaleRange.upperBound), count: dimension)
            + [log(signalVarianceRange.upperBound), log(noiseVarianceRange.upperBound)]
        return (lower, upper)
    }
}

/// Weak log-normal priors on the hyperparameters, added to the log marginal likelihood so that
/// a handful of points cannot drive a length scale or the noise to an absurd value.
enum HyperparameterPrior {
    /// Log length scales: centred on a moderately smooth function, wide enough for data to win.
    static func lengthScaleCentre(dimension: Int) -> Double { log(0.5) + 0.5 * log(Double(max(dimension, 1))) }
    static let lengthScaleSpread = 1.5
    /// Log signal variance: standardised outputs have unit variance.
    static let signalCentre = 0.0
    static let signalSpread = 1.5
    /// Log noise variance: most lab objectives are repeatable to a few percent of their spread.
    static let noiseCentre = log(1e-3)
    static let noiseSpread = 3.0

    /// The log prior density (up to a constant) at `logVector` and its gradient.
    static func logDensity(_ logVector: [Double]) -> (value: Double, gradient: [Double]) {
        let dimension = logVector.count - 2
        let lengthCentre = lengthScaleCentre(dimension: dimension)
        var value = 0.0
        var gradient = [Double](repeating: 0, count: logVector.count)
        func add(_ index: Int, centre: Double, spread: Double) {
            let deviation = (logVector[index] - centre) / spread
            value -= 0.5 * deviation * deviation
            gradient[index] = -deviation / spread
        }
        for index in 0..<dimension { add(index, centre: lengthCentre, spread: lengthScaleSpread) }
        add(dimension, centre: signalCentre, spread: signalSpread)
        add(dimension + 1, centre: noiseCentre, spread: noiseSpread)
        return (value, gradient)
    }
}
