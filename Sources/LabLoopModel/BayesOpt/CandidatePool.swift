import Foundation
import LabLoopCore

/// Candidate points with their standardised posterior, kept current as fantasies are added.
///
/// Scoring m candidates costs one n×m triangular solve; keeping its result V = L⁻¹K(X, C) lets
/// each fantasy update every candidate's variance in O(n·m) instead of solving again. The
/// means never change: a kriging-believer fantasy agrees with the mean everywhere. Candidates
/// are split into blocks scored concurrently, one per core.
struct CandidatePool: Sendable {
    /// A contiguous range of candidates and its rows of V (one per conditioning point).
    private struct Block: Sendable {
        var range: Range<Int>
        var solved: [Double]
    }

    let points: [Point]
    /// m×F row-major features.
    let features: [Double]
    let featureCount: Int
    private(set) var mean: [Double]
    private(set) var variance: [Double]
    private var blocks: [Block]

    var count: Int { points.count }

    /// Scores `points` (with row-major `features`) under `process`.
    static func scored(points: [Point], features: [Double], featureCount: Int,
                       process: GaussianProcess) async -> CandidatePool {
        let m = points.count
        // Blocks below a few hundred candidates cost more to schedule than they save.
        let blockCount = max(1, min(ProcessInfo.processInfo.activeProcessorCount, m / 256))
        let ranges = (0..<blockCount).map { index in (index * m / blockCount)..<((index + 1) * m / blockCount) }
        let scored = await withTaskGroup(of: (index: Int, mean: [Double], variance: [Double], solved: [Double]).self) { group in
            for (index, range) in ranges.enumerated() {
                let query = Array(features[range.lowerBound * featureCount..<range.upperBound * featureCount])
                group.addTask {
                    let posterior = process.standardizedPosterior(query: query, count: range.count)
                    return (index, posterior.mean, posterior.variance, posterior.solved)
                }
            }
            var results: [(index: Int, mean: [Double], variance: [Double], solved: [Double])] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.index < $1.index }
        }
        return CandidatePool(points: points, features: features, featureCount: featureCount,
                             mean: scored.flatMap(\.mean), variance: scored.flatMap(\.variance),
                             blocks: zip(ranges, scored).map { Block(range: $0, solved: $1.solved) })
    }

    private init(points: [Point], features: [Double], featureCount: Int, mean: [Double], variance: [Double],
                 blocks: [Block]) {
        self.points = points
        self.features = features
        self.featureCount = featureCount
        self.mean = mean
        self.variance = variance
        self.blocks = blocks
    }

    /// Features of candidate `index`.
    func features(at index: Int) -> [Double] {
        Array(features[index * featureCount..<(index + 1) * featureCount])
    }

    /// Updates the variances after `process` gained one fantasy (its last point) since the
    /// pool was last brought up to date: the new row of V is (k(x_f, C) − l_fᵀV)/l_ff.
    mutating func conditionOnLastFantasy(of process: GaussianProcess) {
        let previous = process.count - 1
        let fantasy = Array(process.scaledInputs[previous * featureCount..<process.count * featureCount])
        let lengthScales = process.hyperparameters.lengthScales
        let factor = process.factor
        for blockIndex in blocks.indices {
            let range = blocks[blockIndex].range
            let m = range.count
            precondition(blocks[blockIndex].solved.count == previous * m, "the pool is behind the process by more than one point")
            let query = MaternKernel.scale(Array(features[range.lowerBound * featureCount..<range.upperBound * featureCount]),
                                           lengthScales: lengthScales)
            var row = MaternKernel.crossCovariance(train: fantasy, count: 1, query: query, count: m,
                                                   dimension: featureCount,
                                                   signalVariance: process.hyperparameters.signalVariance)
            factor.storage.withUnsafeBufferPointer { l in
                blocks[blockIndex].solved.withUnsafeBufferPointer { v in
                    row.withUnsafeMutableBufferPointer { row in
                        guard let l = l.baseAddress, let v = v.baseAddress, let row = row.baseAddress else { return }
                        let factorRow = l + previous * factor.stride
                        for j in 0..<previous where factorRow[j] != 0 {
                            VectorOps.axpy(-factorRow[j], v + j * m, row, m)
                        }
                        let scale = 1 / factorRow[previous]
                        for c in 0..<m { row[c] *= scale }
                    }
                }
            }
            for c in 0..<m {
                variance[range.lowerBound + c] = max(variance[range.lowerBound + c] - row[c] * row[c], 0)
            }
            blocks[blockIndex].solved += row
        }
    }
}
