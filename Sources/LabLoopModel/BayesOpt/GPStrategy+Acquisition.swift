import Foundation

extension GPStrategy {
    /// How the strategy scores a candidate from the posterior there. Both are written for
    /// maximisation; the strategy flips the sign of minimised objectives before modelling them.
    public enum Acquisition: Sendable, Hashable {
        /// Expected improvement over the incumbent, the best posterior mean at an observed point
        /// (not the best noisy observation, which a lucky measurement would inflate).
        case expectedImprovement
        /// mean + √beta·std: an optimistic bound; larger beta explores more. Negative or
        /// non-finite beta counts as 0.
        case upperConfidenceBound(beta: Double = 2.0)

        /// The acquisition value at a point with posterior `mean` and `standardDeviation`;
        /// `incumbent` is only used by expected improvement. Finite for finite inputs (expected
        /// improvement may underflow to 0 far below the incumbent).
        public func value(mean: Double, standardDeviation: Double, incumbent: Double) -> Double {
            switch self {
            case .expectedImprovement:
                let sigma = max(standardDeviation, Self.minimumDeviation)
                return sigma * exp(StandardNormal.logImprovement((mean - incumbent) / sigma).logH)
            case .upperConfidenceBound(let beta):
                return mean + Self.explorationWeight(beta) * max(standardDeviation, 0)
            }
        }

        /// log EI, finite wherever EI itself underflows; what the search maximises for EI,
        /// because its surface stays informative far from the incumbent.
        public static func logExpectedImprovement(mean: Double, standardDeviation: Double, incumbent: Double) -> Double {
            let sigma = max(standardDeviation, minimumDeviation)
            return log(sigma) + StandardNormal.logImprovement((mean - incumbent) / sigma).logH
        }

        /// Below this the posterior is treated as certain; keeps z finite.
        static let minimumDeviation = 1e-9

        static func explorationWeight(_ beta: Double) -> Double {
            beta.isFinite && beta > 0 ? beta.squareRoot() : 0
        }

        /// What the search maximises (log EI or UCB) and its derivatives with respect to the
        /// posterior mean and variance, for the chain rule through the process's gradients.
        func score(mean: Double, variance: Double, incumbent: Double) -> (value: Double, dMean: Double, dVariance: Double) {
            let clamped = variance > Self.minimumDeviation * Self.minimumDeviation
            let sigma = clamped ? variance.squareRoot() : Self.minimumDeviation
            switch self {
            case .expectedImprovement:
                let z = (mean - incumbent) / sigma
                let (logH, cdfRatio, pdfRatio) = StandardNormal.logImprovement(z)
                // ∂log EI/∂μ = Φ/(σh); ∂log EI/∂σ = φ/(σh); ∂σ/∂variance = 1/(2σ).
                return (log(sigma) + logH, cdfRatio / sigma, clamped ? pdfRatio / (2 * sigma * sigma) : 0)
            case .upperConfidenceBound(let beta):
                let weight = Self.explorationWeight(beta)
                return (mean + weight * sigma, 1, clamped ? weight / (2 * sigma) : 0)
            }
        }

        /// The strategy name for this acquisition.
        var strategyName: String {
            switch self {
            case .expectedImprovement: "gp-ei"
            case .upperConfidenceBound: "gp-ucb"
            }
        }
    }
}
