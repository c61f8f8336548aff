import Foundation
import LabLoopCore

extension AcquisitionOptimizer {
    /// Feasible, distinct candidates: three quarters from a shifted Sobol sequence over the
    /// space, the rest Gaussian perturbations of `anchors` (where EI usually peaks late in a
    /// campaign, and where a global design is too coarse to resolve it).
    mutating func makeCandidates(anchors: [[Double]]) -> (points: [Point], features: [Double]) {
        let space = encoding.space
        let dimension = space.designDimension
        let localCount = anchors.isEmpty ? 0 : candidateCount / 4
        let globalCount = candidateCount - localCount
        var seen = Set<Point>()
        var points: [Point] = []
        var features: [Double] = []
        func add(_ point: Point) {
            guard isFeasible(point), let encoded = encoding.encode(point), seen.insert(point).inserted else { return }
            points.append(point)
            features += encoded
        }
        // Spaces beyond the Sobol table's dimension fall back to uniform random points.
        let sobol = dimension > 0 ? try? SobolSequence(dimension: dimension, shiftSeed: rng.next()) : nil
        var attempts = 0
        while points.count < globalCount, attempts < 8 * globalCount, attempts <= SobolSequence.maximumIndex {
            let unit = sobol?.point(at: attempts) ?? (0..<dimension).map { _ in Double.random(in: 0..<1, using: &rng) }
            add(space.point(fromUnit: unit))
            attempts += 1
        }
        let spreads = [0.01, 0.05, 0.2]
        attempts = 0
        while points.count < globalCount + localCount, attempts < 8 * localCount {
            var perturbed = anchors[attempts % anchors.count]
            let spread = spreads[(attempts / anchors.count) % spreads.count]
            for index in encoding.numericFeatures {
                perturbed[index] = min(max(perturbed[index] + spread * gaussian(), 0), 1)
            }
            for slot in encoding.slots {
                guard case .categorical(let values) = slot.kind, values.count > 1,
                      Double.random(in: 0..<1, using: &rng) < 0.2 else { continue }
                for index in values.indices { perturbed[slot.offset + index] = 0 }
                perturbed[slot.offset + Int.random(in: values.indices, using: &rng)] = 1
            }
            add(encoding.decode(perturbed))
            attempts += 1
        }
        return (points, features)
    }

    /// A standard normal draw (Box–Muller).
    private mutating func gaussian() -> Double {
        let u = Double.random(in: Double.ulpOfOne..<1, using: &rng)
        let v = Double.random(in: 0..<1, using: &rng)
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }

    /// What the search maximises at `features`.
    func score(_ features: [Double], process: GaussianProcess) -> Double {
        let posterior = process.pointPosterior(at: features, withGradient: false)
        return acquisition.score(mean: posterior.mean, variance: posterior.variance, incumbent: incumbent).value
    }

    /// `start` improved by box L-BFGS over the numeric features, or nil when nothing admissible
    /// came of it. An infeasible optimum is pulled back towards the (feasible) start.
    func refine(_ start: Scored, process: GaussianProcess) -> Scored? {
        let free = encoding.numericFeatures
        guard !free.isEmpty else { return nil }
        var optimizer = BoxLBFGS(lower: Array(repeating: 0, count: free.count),
                                 upper: Array(repeating: 1, count: free.count))
        optimizer.maximumIterations = refinementIterations
        optimizer.firstStep = 0.05
        optimizer.gradientTolerance = 1e-7
        optimizer.relativeTolerance = 1e-8
        let result = optimizer.minimize(from: free.map { start.features[$0] }) { y in
            var x = start.features
            for (k, index) in free.enumerated() { x[index] = y[k] }
            let posterior = process.pointPosterior(at: x, withGradient: true)
            let s = acquisition.score(mean: posterior.mean, variance: posterior.variance, incumbent: incumbent)
            let gradient = free.map { -(s.dMean * posterior.meanGradient[$0] + s.dVariance * posterior.varianceGradient[$0]) }
            return (-s.value, gradient)
        }
        guard let result else { return nil }
        var target = start.features
        for (k, index) in free.enumerated() { target[index] = result.x[k] }
        var point = encoding.decode(target)
        if !isFeasible(point) { point = repair(from: start.features, towards: target) }
        guard let snapped = encoding.encode(point), isAdmissible(point, features: snapped) else { return nil }
        return Scored(point: point, features: snapped, score: score(snapped, process: process))
    }

    /// The feasible point furthest along the segment from feasible `start` to `target`
    /// (bisection: the set of feasible points along it need not be convex after decoding, but
    /// `start` end is always feasible, so whatever is returned is).
    private func repair(from start: [Double], towards target: [Double]) -> Point {
        var feasible = 0.0
        var infeasible = 1.0
        for _ in 0..<24 {
            let middle = (feasible + infeasible) / 2
            if isFeasible(encoding.decode(zip(start, target).map { $0 + middle * ($1 - $0) })) {
                feasible = middle
            } else {
                infeasible = middle
            }
        }
        return encoding.decode(zip(start, target).map { $0 + feasible * ($1 - $0) })
    }

    /// `best` improved by trying every value of each categorical parameter and the neighbouring
    /// steps of each integer one, a parameter at a time, keeping whatever scores higher.
    func polish(_ best: Scored, process: GaussianProcess) -> Scored {
        var best = best
        for slot in encoding.slots {
            var trials: [[Double]] = []
            switch slot.kind {
            case .categorical(let values):
                for value in values.indices {
                    var trial = best.features
                    for index in values.indices { trial[slot.offset + index] = index == value ? 1 : 0 }
                    trials.append(trial)
                }
            case .integer(_, _, let lastIndex) where lastIndex > 0:
                for direction in [-1.0, 1.0] {
                    var trial = best.features
                    trial[slot.offset] = min(max(trial[slot.offset] + direction / Double(lastIndex), 0), 1)
                    trials.append(trial)
                }
            default:
                continue
            }
            for trial in trials {
                let point = encoding.decode(trial)
                guard point != best.point, let snapped = encoding.encode(point),
                      isAdmissible(point, features: snapped) else { continue }
                let value = score(snapped, process: process)
                if value > best.score { best = Scored(point: point, features: snapped, score: value) }
            }
        }
        return best
    }
}
