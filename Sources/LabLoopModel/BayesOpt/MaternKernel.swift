import Foundation

/// The Matérn-5/2 correlation and the pieces its derivatives share.
///
/// Inputs are divided by their length scales first ("scaled inputs"), so the kernel only sees
/// the Euclidean distance r between scaled points: c(r) = (1 + √5 r + 5r²/3) e^(−√5 r).
/// Twice differentiable, so less prone than the squared exponential to over-smoothing lab data.
enum MaternKernel {
    static let sqrt5 = 5.0.squareRoot()

    /// c(r).
    @inline(__always)
    static func correlation(_ r: Double) -> Double {
        let s = sqrt5 * r
        return (1 + s + s * s / 3) * exp(-s)
    }

    /// c(r) and g(r) = −c′(r)/r = (5/3)(1 + √5 r) e^(−√5 r).
    ///
    /// g is what every derivative needs: ∂c/∂(log ℓ_d) = g·Δz_d² and ∂c/∂x_d = −g·Δz_d/ℓ_d, both
    /// finite at r = 0, which is why the derivatives are written in terms of it.
    @inline(__always)
    static func correlationAndSlope(_ r: Double) -> (correlation: Double, slope: Double) {
        let s = sqrt5 * r
        let decay = exp(-s)
        return ((1 + s + s * s / 3) * decay, 5.0 / 3.0 * (1 + s) * decay)
    }

    /// The distance between scaled points a and b of `dimension` coordinates.
    @inline(__always)
    static func distance(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ dimension: Int) -> Double {
        var sum = 0.0
        for d in 0..<dimension {
            let delta = a[d] - b[d]
            sum += delta * delta
        }
        return sum.squareRoot()
    }

    /// The n×n covariance σ²_f·c(r_ab) + (noise on the diagonal) of `scaled` (n×D row-major).
    static func covarianceMatrix(scaled: [Double], count n: Int, dimension: Int,
                                 signalVariance: Double, noiseVariance: Double) -> [Double] {
        var matrix = [Double](repeating: 0, count: n * n)
        scaled.withUnsafeBufferPointer { z in
            matrix.withUnsafeMutableBufferPointer { k in
                guard let z = z.baseAddress, let k = k.baseAddress else { return }
                for a in 0..<n {
                    k[a * n + a] = signalVariance + noiseVariance
                    for b in 0..<a {
                        let value = signalVariance * correlation(distance(z + a * dimension, z + b * dimension, dimension))
                        k[a * n + b] = value
                        k[b * n + a] = value
                    }
                }
            }
        }
        return matrix
    }

    /// The n×m cross-covariance σ²_f·c(r) between training points `train` (n×D) and `query`
    /// (m×D), row i holding training point i against every query point.
    static func crossCovariance(train: [Double], count n: Int, query: [Double], count m: Int, dimension: Int,
                                signalVariance: Double) -> [Double] {
        var matrix = [Double](repeating: 0, count: n * m)
        train.withUnsafeBufferPointer { z in
            query.withUnsafeBufferPointer { q in
                matrix.withUnsafeMutableBufferPointer { k in
                    guard let z = z.baseAddress, let q = q.baseAddress, let k = k.baseAddress else { return }
                    for i in 0..<n {
                        let row = k + i * m
                        let point = z + i * dimension
                        for c in 0..<m {
                            row[c] = signalVariance * correlation(distance(point, q + c * dimension, dimension))
                        }
                    }
                }
            }
        }
        return matrix
    }

    /// `inputs` (n×D) divided column-wise by `lengthScales`.
    static func scale(_ inputs: [Double], lengthScales: [Double]) -> [Double] {
        let dimension = lengthScales.count
        let inverse = lengthScales.map { 1 / $0 }
        var scaled = inputs
        for index in scaled.indices { scaled[index] *= inverse[index % dimension] }
        return scaled
    }
}
