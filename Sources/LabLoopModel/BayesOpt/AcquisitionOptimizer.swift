import LabLoopCore

/// Finds points that maximise an acquisition function over a parameter space, one batch at a time.
///
/// Scores a few thousand Sobol and near-incumbent candidates, refines the best few with box
/// L-BFGS on the numeric features (categorical features held), tries every category and the
/// neighbouring integer steps of the winner, and conditions the process on it as a fantasy
/// before choosing the next (kriging believer). Every point returned decodes from the space's
/// encoding, satisfies the linear constraints and differs from every excluded point.
struct AcquisitionOptimizer: Sendable {
    /// A chosen point with its standardised score.
    struct Choice: Sendable {
        var point: Point
        var features: [Double]
        /// The acquisition value (EI itself, not its logarithm) when chosen, standardised units.
        var acquisitionValue: Double
    }

    /// A point and what the search maximises there (log EI or UCB).
    struct Scored: Sendable {
        var point: Point
        var features: [Double]
        var score: Double
    }

    let encoding: FeatureEncoding
    let acquisition: GPStrategy.Acquisition
    /// The best posterior mean at an observed point, standardised. Fantasies count as observed:
    /// otherwise expected improvement stays high right next to a chosen point whose mean
    /// beats the incumbent, and the batch collapses onto one spot.
    private(set) var incumbent: Double
    var rng: SplitMix64
    /// Candidates scored before refinement.
    var candidateCount = 2000
    /// How many of the best candidates are refined per batch point.
    var refinementStarts = 4
    var refinementIterations = 30
    /// Points (observed, pending, already chosen) that must not be proposed again.
    private(set) var excluded: Set<Point>
    /// Their features, row-major, for the minimum-distance test.
    private(set) var excludedFeatures: [Double]

    /// Closer than this (Euclidean, in features) to an excluded point counts as the same point:
    /// re-measuring a setting a rounding error away teaches the model nothing.
    static let minimumDistance = 1e-6

    init(encoding: FeatureEncoding, acquisition: GPStrategy.Acquisition, incumbent: Double, seed: UInt64,
         excluding points: [Point]) {
        self.encoding = encoding
        self.acquisition = acquisition
        self.incumbent = incumbent
        rng = SplitMix64(seed: seed)
        excluded = []
        excludedFeatures = []
        for point in points { exclude(point) }
    }

    /// Up to `count` points, conditioning `process` on each as a fantasy. `anchors` are the
    /// features of the best observed points, around which extra candidates are drawn.
    mutating func chooseBatch(count: Int, process: inout GaussianProcess, anchors: [[Double]]) async -> [Choice] {
        let candidates = makeCandidates(anchors: anchors)
        guard !candidates.points.isEmpty else { return [] }
        var pool = await CandidatePool.scored(points: candidates.points, features: candidates.features,
                                              featureCount: encoding.featureCount, process: process)
        var choices: [Choice] = []
        while choices.count < count {
            guard let best = await chooseOne(from: pool, process: process) else { break }
            let posterior = process.pointPosterior(at: best.features, withGradient: false)
            let value = acquisition.value(mean: posterior.mean, standardDeviation: posterior.variance.squareRoot(),
                                          incumbent: incumbent)
            choices.append(Choice(point: best.point, features: best.features, acquisitionValue: value))
            exclude(best.point, features: best.features)
            guard choices.count < count else { break }
            // A fantasy that will not factorise leaves the variances as they are; the exclusion
            // above still keeps the batch free of repeats.
            if (try? process.appendFantasy(at: best.features)) != nil {
                pool.conditionOnLastFantasy(of: process)
                incumbent = max(incumbent, posterior.mean)
            }
        }
        return choices
    }

    /// The best admissible point: refined from the top-scoring candidates (concurrently, as
    /// each refinement is independent), then polished.
    private func chooseOne(from pool: CandidatePool, process: GaussianProcess) async -> Scored? {
        let scores = (0..<pool.count).map { index in
            acquisition.score(mean: pool.mean[index], variance: pool.variance[index], incumbent: incumbent).value
        }
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var starts: [Scored] = []
        for index in order where starts.count < refinementStarts {
            let point = pool.points[index]
            let features = pool.features(at: index)
            guard isAdmissible(point, features: features),
                  !starts.contains(where: { $0.point == point }) else { continue }
            starts.append(Scored(point: point, features: features, score: scores[index]))
        }
        guard let first = starts.first else { return nil }
        let refined = await withTaskGroup(of: (index: Int, result: Scored?).self) { group in
            for (index, start) in starts.enumerated() {
                group.addTask { [self] in (index, refine(start, process: process)) }
            }
            var results: [(index: Int, result: Scored?)] = []
            for await result in group { results.append(result) }
            // Completion order varies between runs; the choice must not.
            return results.sorted { $0.index < $1.index }.compactMap(\.result)
        }
        var best = first
        for candidate in starts + refined where candidate.score > best.score { best = candidate }
        return polish(best, process: process)
    }

    /// Whether `point` may be proposed: new, not next to an excluded point, and feasible.
    func isAdmissible(_ point: Point, features: [Double]) -> Bool {
        guard !excluded.contains(point), isFeasible(point) else { return false }
        let dimension = encoding.featureCount
        let limit = Self.minimumDistance * Self.minimumDistance
        let rows = excludedFeatures.count / max(dimension, 1)
        for row in 0..<rows {
            var sum = 0.0
            for d in 0..<dimension {
                let delta = features[d] - excludedFeatures[row * dimension + d]
                sum += delta * delta
            }
            if sum < limit { return false }
        }
        return true
    }

    func isFeasible(_ point: Point) -> Bool {
        encoding.space.constraints.allSatisfy { $0.isSatisfied(by: point) }
    }

    private mutating func exclude(_ point: Point, features: [Double]? = nil) {
        let canonical = encoding.space.canonical(point)
        excluded.insert(canonical)
        if let features = features ?? encoding.encode(canonical) { excludedFeatures += features }
    }
}
