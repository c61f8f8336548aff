import Foundation

extension GaussianProcess {
    /// log p(outputs | inputs, hyperparameters) and its gradient with respect to
    /// `hyperparameters.logVector`, for the outputs exactly as given (not standardised).
    public static func logMarginalLikelihood(inputs: [[Double]], outputs: [Double],
                                             hyperparameters: GPHyperparameters) throws(GaussianProcessError)
        -> (value: Double, gradient: [Double]) {
        let dimension = hyperparameters.dimension
        guard !outputs.isEmpty else { throw GaussianProcessError(code: .noData, operation: "likelihood") }
        guard inputs.count == outputs.count, inputs.allSatisfy({ $0.count == dimension }) else {
            throw GaussianProcessError(code: .wrongShape, operation: "likelihood")
        }
        let problem = LikelihoodProblem(inputs: inputs.flatMap { $0 }, outputs: outputs, dimension: dimension)
        return try problem.evaluate(hyperparameters.logVector, withGradient: true)
    }
}

/// The log marginal likelihood of fixed data as a function of the log hyperparameters.
struct LikelihoodProblem: Sendable {
    /// n×D row-major.
    let inputs: [Double]
    let outputs: [Double]
    let dimension: Int

    var count: Int { outputs.count }

    /// The value, and the gradient when asked (else empty).
    ///
    /// log p = −½yᵀα − ½log det K − (n/2) log 2π with α = K⁻¹y, and
    /// ∂log p/∂θ = ½ tr((ααᵀ − K⁻¹) ∂K/∂θ), summed over pairs without forming ∂K/∂θ.
    func evaluate(_ logVector: [Double], withGradient: Bool) throws(GaussianProcessError) -> (value: Double, gradient: [Double]) {
        let n = count
        let hyper = GPHyperparameters(logVector: logVector)
        let signal = hyper.signalVariance, noise = hyper.noiseVariance
        let scaled = MaternKernel.scale(inputs, lengthScales: hyper.lengthScales)
        let covariance = MaternKernel.covarianceMatrix(scaled: scaled, count: n, dimension: dimension,
                                                       signalVariance: signal, noiseVariance: noise)
        let factor: CholeskyFactor
        do {
            factor = try CholeskyFactor(symmetric: covariance, order: n)
        } catch {
            throw GaussianProcessError(code: .factorisationFailed, operation: "likelihood", cholesky: error)
        }
        let alpha = factor.solve(outputs)
        var fit = 0.0
        for i in 0..<n { fit += outputs[i] * alpha[i] }
        let value = -0.5 * fit - 0.5 * factor.logDeterminant - 0.5 * Double(n) * log(2 * Double.pi)
        guard value.isFinite else { throw GaussianProcessError(code: .notFinite, operation: "likelihood") }
        guard withGradient else { return (value, []) }

        let inverse = factor.inverse()
        var gradient = [Double](repeating: 0, count: dimension + 2)
        var diagonalTrace = 0.0
        scaled.withUnsafeBufferPointer { z in
            inverse.withUnsafeBufferPointer { kInverse in
                gradient.withUnsafeMutableBufferPointer { grad in
                    guard let z = z.baseAddress, let kInverse = kInverse.baseAddress, let grad = grad.baseAddress else { return }
                    for a in 0..<n {
                        // W = ααᵀ − K⁻¹; the diagonal only feeds the variances (Δz = 0 there).
                        diagonalTrace += alpha[a] * alpha[a] - kInverse[a * n + a]
                        let pointA = z + a * dimension
                        for b in 0..<a {
                            let weight = alpha[a] * alpha[b] - kInverse[a * n + b]
                            let pointB = z + b * dimension
                            let r = MaternKernel.distance(pointA, pointB, dimension)
                            let (correlation, slope) = MaternKernel.correlationAndSlope(r)
                            // Off-diagonal pairs count twice in the trace, cancelling the ½.
                            grad[dimension] += weight * signal * correlation
                            let lengthWeight = weight * signal * slope
                            for d in 0..<dimension {
                                let delta = pointA[d] - pointB[d]
                                grad[d] += lengthWeight * delta * delta
                            }
                        }
                    }
                }
            }
        }
        gradient[dimension] += 0.5 * diagonalTrace * signal
        gradient[dimension + 1] = 0.5 * diagonalTrace * noise
        return (value, gradient)
    }
}
