import Foundation

extension RandomNumberGenerator {
    /// A standard normal draw (mean 0, standard deviation 1) by the Box–Muller transform.
    ///
    /// Uses two uniforms per draw and discards the second normal, so each measurement consumes
    /// a fixed amount of randomness and stays reproducible whatever else uses the generator.
    mutating func nextGaussian() -> Double {
        // 1 - u lies in (0, 1], so the logarithm is finite.
        let radius = (-2 * log(1 - Double.random(in: 0..<1, using: &self))).squareRoot()
        let angle = 2 * Double.pi * Double.random(in: 0..<1, using: &self)
        return radius * cos(angle)
    }
}
