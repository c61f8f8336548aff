import Foundation

/// The standard normal distribution, with the tail care that expected improvement needs.
enum StandardNormal {
    static let logRootTwoPi = 0.5 * log(2 * Double.pi)

    /// φ(z).
    static func density(_ z: Double) -> Double { exp(-0.5 * z * z - logRootTwoPi) }

    /// Φ(z), accurate in the lower tail because erfc is.
    static func cumulative(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }

    /// log h(z) with h(z) = φ(z) + zΦ(z), so that EI = σ·h((μ − f*)/σ), plus Φ(z)/h(z) and
    /// φ(z)/h(z), which are ∂log h/∂z and the factor the σ-derivative needs.
    ///
    /// Far in the lower tail h underflows and φ + zΦ cancels catastrophically; there, with
    /// t = −z and Mills' ratio R(t) = Φ(−t)/φ(t) = 1/(t + c), h = φ(t)·c/(t + c) where c is a
    /// continued fraction, so log h stays finite and accurate for every finite z.
    static func logImprovement(_ z: Double) -> (logH: Double, cdfRatio: Double, pdfRatio: Double) {
        if z > -5 {
            let pdf = density(z)
            let cdf = cumulative(z)
            // For z > −1 there is no cancellation; down to −5 at most two digits are lost.
            let h = z > -1 ? pdf + z * cdf : pdf - (-z) * cdf
            if h > 0 { return (log(h), cdf / h, pdf / h) }
        }
        let t = -z
        let c = millsTail(t)
        return (-0.5 * t * t - logRootTwoPi + log(c / (t + c)), 1 / c, (t + c) / c)
    }

    /// c(t) with Mills' ratio 1/(t + c): 1/(t + 2/(t + 3/(t + …))), evaluated backwards.
    /// Sixty terms give full double precision for t ≥ 5 (more for larger t than needed).
    private static func millsTail(_ t: Double) -> Double {
        var tail = 0.0
        for k in stride(from: 60, through: 2, by: -1) { tail = Double(k) / (t + tail) }
        return 1 / (t + tail)
    }
}
