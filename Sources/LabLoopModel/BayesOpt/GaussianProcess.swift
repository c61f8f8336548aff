import Foundation

/// Why a Gaussian process could not be built.
public struct GaussianProcessError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: Sendable, Hashable {
        /// No training points.
        case noData
        /// An input has the wrong number of coordinates, or outputs and inputs differ in count.
        case wrongShape
        /// An input or output is NaN or infinite.
        case notFinite
        /// The kernel matrix could not be factorised (see `cholesky`).
        case factorisationFailed
    }

    /// What went wrong.
    public var code: Code
    /// What was being done: "condition", "fit" or "likelihood".
    public var operation: String
    /// The underlying factorisation error, for `factorisationFailed`.
    public var cholesky: CholeskyError?

    /// What failed and what to try.
    public var description: String {
        switch code {
        case .noData: "Gaussian process \(operation) failed: there are no training points; observe some first"
        case .wrongShape:
            "Gaussian process \(operation) failed: inputs and outputs do not match in shape; give one output per "
                + "input and the same number of coordinates in every input"
        case .notFinite:
            "Gaussian process \(operation) failed: an input or output is NaN or infinite, or the outputs are too large "
                + "to standardise; drop or rescale such values"
        case .factorisationFailed:
            "Gaussian process \(operation) failed: \(cholesky.map(String.init(describing:)) ?? "factorisation failed")"
        }
    }
}

/// The posterior of the latent function at one point, in the outputs' units.
public struct GPPrediction: Sendable, Hashable {
    /// The posterior mean.
    public var mean: Double
    /// Never negative: round-off that would make it so is clamped to 0.
    public var variance: Double

    /// The square root of the variance.
    public var standardDeviation: Double { variance.squareRoot() }
}

/// Gaussian-process regression with a Matérn-5/2 ARD kernel, conditioned on training data.
///
/// Outputs are standardised (mean 0, standard deviation 1; a constant output keeps scale 1)
/// unless asked otherwise, and the hyperparameters' variances refer to the standardised outputs.
/// Predictions are of the latent function, without observation noise, in the outputs' units.
public struct GaussianProcess: Sendable {
    /// The kernel and noise hyperparameters, for the standardised outputs.
    public let hyperparameters: GPHyperparameters
    /// Subtracted from the outputs before modelling.
    public let outputOffset: Double
    /// The outputs are divided by this after subtracting the offset.
    public let outputScale: Double
    /// How many points the process is conditioned on (including fantasies).
    public private(set) var count: Int
    /// Training inputs divided by the length scales, n×D row-major.
    private(set) var scaledInputs: [Double]
    private(set) var factor: CholeskyFactor
    /// The standardised outputs y (fantasies included).
    private(set) var standardizedOutputs: [Double]
    /// K⁻¹y.
    private(set) var alpha: [Double]
    let inverseLengthScales: [Double]

    /// Conditions a process with fixed `hyperparameters` on `inputs` (one array per point) and `outputs`.
    public init(inputs: [[Double]], outputs: [Double], hyperparameters: GPHyperparameters,
                standardizingOutputs: Bool = true) throws(GaussianProcessError) {
        let dimension = hyperparameters.dimension
        guard inputs.allSatisfy({ $0.count == dimension }) else {
            throw GaussianProcessError(code: .wrongShape, operation: "condition")
        }
        try self.init(flatInputs: inputs.flatMap { $0 }, outputs: outputs, hyperparameters: hyperparameters,
                      standardizing: standardizingOutputs, reserving: 0)
    }

    /// Conditions on n×D row-major `flatInputs`, leaving room for `extra` fantasies.
    init(flatInputs: [Double], outputs: [Double], hyperparameters: GPHyperparameters, standardizing: Bool,
         reserving extra: Int) throws(GaussianProcessError) {
        let dimension = hyperparameters.dimension
        let n = outputs.count
        guard n > 0 else { throw GaussianProcessError(code: .noData, operation: "condition") }
        guard flatInputs.count == n * dimension else { throw GaussianProcessError(code: .wrongShape, operation: "condition") }
        guard flatInputs.allSatisfy(\.isFinite), outputs.allSatisfy(\.isFinite) else {
            throw GaussianProcessError(code: .notFinite, operation: "condition")
        }
        let (offset, scale) = standardizing ? Self.standardization(of: outputs) : (0, 1)
        let y = outputs.map { ($0 - offset) / scale }
        let scaled = MaternKernel.scale(flatInputs, lengthScales: hyperparameters.lengthScales)
        let covariance = MaternKernel.covarianceMatrix(
            scaled: scaled, count: n, dimension: dimension,
            signalVariance: hyperparameters.signalVariance, noiseVariance: hyperparameters.noiseVariance)
        do {
            factor = try CholeskyFactor(symmetric: covariance, order: n, reserving: extra)
        } catch {
            throw GaussianProcessError(code: .factorisationFailed, operation: "condition", cholesky: error)
        }
        self.hyperparameters = hyperparameters
        outputOffset = offset
        outputScale = scale
        count = n
        scaledInputs = scaled
        alpha = factor.solve(y)
        standardizedOutputs = y
        inverseLengthScales = hyperparameters.lengthScales.map { 1 / $0 }
    }

    /// The mean and a scale for `outputs`; the scale is 1 when they are (nearly) constant, so a
    /// flat objective models as a flat function instead of dividing by zero.
    static func standardization(of outputs: [Double]) -> (offset: Double, scale: Double) {
        let n = Double(outputs.count)
        let mean = outputs.reduce(0, +) / n
        guard outputs.count > 1 else { return (mean, 1) }
        let variance = outputs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        let deviation = variance.squareRoot()
        return deviation > 1e-12 * max(1, abs(mean)) && deviation.isFinite ? (mean, deviation) : (mean, 1)
    }

    /// The input dimension.
    public var dimension: Int { hyperparameters.dimension }

    /// Posterior means and variances of the latent function at `points`, in the outputs' units.
    public func posterior(at points: [[Double]]) -> [GPPrediction] {
        precondition(points.allSatisfy { $0.count == dimension }, "each point needs \(dimension) coordinates")
        let posterior = standardizedPosterior(query: points.flatMap { $0 }, count: points.count)
        return zip(posterior.mean, posterior.variance).map { mean, variance in
            GPPrediction(mean: outputOffset + outputScale * mean, variance: outputScale * outputScale * variance)
        }
    }

    /// Standardised posterior at m query points (m×D row-major, unscaled), with L⁻¹K(X, query)
    /// (n×m), which a candidate pool keeps to update variances cheaply as fantasies are added.
    func standardizedPosterior(query: [Double], count m: Int) -> (mean: [Double], variance: [Double], solved: [Double]) {
        let signal = hyperparameters.signalVariance
        let scaledQuery = MaternKernel.scale(query, lengthScales: hyperparameters.lengthScales)
        var cross = MaternKernel.crossCovariance(train: scaledInputs, count: count, query: scaledQuery, count: m,
                                                 dimension: dimension, signalVariance: signal)
        var mean = [Double](repeating: 0, count: m)
        for i in 0..<count where alpha[i] != 0 {
            let weight = alpha[i]
            for c in 0..<m { mean[c] += weight * cross[i * m + c] }
        }
        factor.solveLower(columns: &cross, count: m)
        var variance = [Double](repeating: signal, count: m)
        for i in 0..<count {
            for c in 0..<m { variance[c] -= cross[i * m + c] * cross[i * m + c] }
        }
        return (mean, variance.map { max($0, 0) }, cross)
    }

    /// The standardised posterior means at the training points, O(n): K_f·α = y − (noise + jitter)·α
    /// because the kernel matrix is K_f plus noise and jitter on its diagonal.
    func standardizedTrainingMeans() -> [Double] {
        let diagonal = hyperparameters.noiseVariance + factor.jitter
        return zip(standardizedOutputs, alpha).map { $0 - diagonal * $1 }
    }

    /// Adds a fantasy observation at `x` equal to the posterior mean there (kriging believer).
    ///
    /// Hyperparameters stay; the mean is unchanged everywhere (K⁻¹y gains a zero), and the
    /// variance shrinks around `x`, which is what spreads a batch out. O(n²).
    mutating func appendFantasy(at x: [Double]) throws(CholeskyError) {
        precondition(x.count == dimension, "a fantasy needs \(dimension) coordinates")
        let scaled = zip(x, inverseLengthScales).map { $0 * $1 }
        let signal = hyperparameters.signalVariance
        var column = [Double](repeating: 0, count: count)
        scaledInputs.withUnsafeBufferPointer { z in
            scaled.withUnsafeBufferPointer { q in
                guard let z = z.baseAddress, let q = q.baseAddress else { return }
                for i in 0..<count {
                    column[i] = signal * MaternKernel.correlation(MaternKernel.distance(z + i * dimension, q, dimension))
                }
            }
        }
        var mean = 0.0
        for i in 0..<count { mean += column[i] * alpha[i] }
        try factor.append(column: column, diagonal: signal + hyperparameters.noiseVariance)
        scaledInputs += scaled
        standardizedOutputs.append(mean)
        alpha.append(0)
        count += 1
    }
}
