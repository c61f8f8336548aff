import LabLoopCore

/// A campaign's successful observations as model inputs and outputs.
///
/// Outputs are in maximisation form (negated for minimised objectives), so the model and the
/// acquisition functions only ever maximise.
struct TrainingData {
    /// Canonical points, in observation order.
    private(set) var points: [Point]
    /// n×F row-major features.
    private(set) var features: [Double]
    private(set) var outputs: [Double]
    let featureCount: Int

    var count: Int { outputs.count }

    /// The observations that succeeded with a finite objective and encode in `encoding`.
    init(observations: [Observation], encoding: FeatureEncoding, direction: Direction) {
        featureCount = encoding.featureCount
        points = []
        features = []
        outputs = []
        let sign = direction == .maximize ? 1.0 : -1.0
        for observation in observations {
            guard let value = observation.objective, value.isFinite else { continue }
            let point = encoding.space.canonical(observation.point)
            guard let encoded = encoding.encode(point) else { continue }
            points.append(point)
            features += encoded
            outputs.append(sign * value)
        }
    }

    /// How many different points were observed.
    var distinctCount: Int { Set(points).count }

    /// Whether every output is the same, which leaves nothing to model.
    var isConstant: Bool { outputs.allSatisfy { $0 == outputs.first } }

    /// Features of observation `index`.
    func features(at index: Int) -> [Double] {
        Array(features[index * featureCount..<(index + 1) * featureCount])
    }

    /// At most `limit` observations: the best tenth and the most recent, in their original order.
    /// Conditioning costs O(n³), and beyond a few thousand points old, poor ones add little.
    func limited(to limit: Int) -> TrainingData {
        guard count > limit else { return self }
        let best = outputs.indices.sorted { outputs[$0] > outputs[$1] }.prefix(limit / 10)
        var kept = Set(best)
        for index in stride(from: count - 1, through: 0, by: -1) where kept.count < limit {
            kept.insert(index)
        }
        var result = self
        let order = kept.sorted()
        result.points = order.map { points[$0] }
        result.features = order.flatMap { features(at: $0) }
        result.outputs = order.map { outputs[$0] }
        return result
    }

    /// Indices of the `count` observations with the highest of `values` (one per observation).
    static func top(_ count: Int, of values: [Double]) -> [Int] {
        Array(values.indices.sorted { values[$0] > values[$1] }.prefix(count))
    }
}
