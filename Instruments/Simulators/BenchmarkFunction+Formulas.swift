import Foundation

extension BenchmarkFunction {
    /// The function at coordinates `x` (x1 first); `x` must have one entry per parameter.
    public func value(at x: [Double]) -> Double {
        precondition(x.count == dimension, "\(name) takes \(dimension) coordinates, not \(x.count)")
        switch self {
        case .branin: return Self.branin(x[0], x[1])
        case .hartmann6: return Self.hartmann6(x)
        case .rosenbrock2: return 100 * pow(x[1] - x[0] * x[0], 2) + pow(1 - x[0], 2)
        }
    }

    /// Branin–Hoo with the usual constants a = 1, b = 5.1/(4π²), c = 5/π, r = 6, s = 10, t = 1/(8π).
    private static func branin(_ x1: Double, _ x2: Double) -> Double {
        let b = 5.1 / (4 * Double.pi * Double.pi)
        let c = 5 / Double.pi
        let t = 1 / (8 * Double.pi)
        return pow(x2 - b * x1 * x1 + c * x1 - 6, 2) + 10 * (1 - t) * cos(x1) + 10
    }

    /// Hartmann's weights α, matrix A and centres P (Dixon and Szegő, 1978).
    private static let hartmannAlpha = [1.0, 1.2, 3.0, 3.2]
    private static let hartmannA: [[Double]] = [
        [10, 3, 17, 3.5, 1.7, 8],
        [0.05, 10, 17, 0.1, 8, 14],
        [3, 3.5, 1.7, 10, 17, 8],
        [17, 8, 0.05, 10, 0.1, 14],
    ]
    private static let hartmannP: [[Double]] = [
        [1312, 1696, 5569, 124, 8283, 5886],
        [2329, 4135, 8307, 3736, 1004, 9991],
        [2348, 1451, 3522, 2883, 3047, 6650],
        [4047, 8828, 8732, 5743, 1091, 381],
    ].map { row in row.map { $0 * 1e-4 } }

    /// −Σᵢ αᵢ exp(−Σⱼ Aᵢⱼ (xⱼ − Pᵢⱼ)²): four Gaussian wells of different depths and shapes.
    private static func hartmann6(_ x: [Double]) -> Double {
        var total = 0.0
        for i in 0..<4 {
            var exponent = 0.0
            for j in 0..<6 {
                let delta = x[j] - hartmannP[i][j]
                exponent += hartmannA[i][j] * delta * delta
            }
            total += hartmannAlpha[i] * exp(-exponent)
        }
        return -total
    }
}
