/// A limited-memory BFGS minimiser within box bounds (a projected L-BFGS).
///
/// Variables at a bound whose gradient pushes outwards are held there; the rest move along the
/// L-BFGS direction, and each trial point is projected back into the box and accepted on the
/// Armijo condition. Simpler than full L-BFGS-B (no generalised Cauchy point), which is plenty
/// for the smooth, low-dimensional problems here: hyperparameters and acquisition maxima.
struct BoxLBFGS: Sendable {
    /// A value and its gradient, or nil where the function cannot be evaluated (treated as +∞).
    typealias Objective = ([Double]) -> (value: Double, gradient: [Double])?

    var lower: [Double]
    var upper: [Double]
    var maximumIterations = 50
    /// How many correction pairs approximate the inverse Hessian.
    var memory = 6
    /// Stop when every component of the projected gradient is this small.
    var gradientTolerance = 1e-6
    /// Stop when an iteration improves the value by less than this fraction.
    var relativeTolerance = 1e-9
    /// The largest move of any coordinate on the first step, before curvature is known.
    var firstStep = 1.0

    struct Result {
        var x: [Double]
        var value: Double
        var evaluations: Int
    }

    /// The minimum found from `start`, or nil when the function cannot be evaluated there.
    func minimize(from start: [Double], _ objective: Objective) -> Result? {
        var x = project(start)
        guard var (value, gradient) = finite(objective(x)) else { return nil }
        var evaluations = 1
        var steps: [[Double]] = []
        var changes: [[Double]] = []
        for _ in 0..<maximumIterations {
            let projected = projectedGradient(x, gradient)
            guard projected.contains(where: { abs($0) > gradientTolerance }) else { break }
            // Curvature along held variables says nothing about the free ones: use the pairs
            // restricted to the free subspace.
            let free = projected.map { $0 != 0 }
            func restricted(_ vector: [Double]) -> [Double] { vector.indices.map { free[$0] ? vector[$0] : 0 } }
            var direction = Self.twoLoop(projected, steps: steps.map(restricted), changes: changes.map(restricted))
            if Self.dot(direction, projected) >= 0 {
                // Curvature pairs gone stale near a bound: restart from steepest descent.
                direction = projected.map { -$0 }
                steps.removeAll()
                changes.removeAll()
            }
            var length = 1.0
            if steps.isEmpty {
                let largest = direction.reduce(0) { max($0, abs($1)) }
                if largest > firstStep { length = firstStep / largest }
            }
            var accepted: (x: [Double], value: Double, gradient: [Double])?
            for _ in 0..<30 {
                let trial = project(zip(x, direction).map { $0 + length * $1 })
                evaluations += 1
                if let (trialValue, trialGradient) = finite(objective(trial)) {
                    let decrease = Self.dot(gradient, zip(trial, x).map { $0 - $1 })
                    if trialValue <= value + 1e-4 * decrease {
                        accepted = (trial, trialValue, trialGradient)
                        break
                    }
                }
                length *= 0.5
            }
            guard let accepted else { break }
            let step = zip(accepted.x, x).map { $0 - $1 }
            let change = zip(accepted.gradient, gradient).map { $0 - $1 }
            // Only pairs with positive curvature keep the approximation positive definite.
            if Self.dot(step, change) > 1e-12 * Self.dot(change, change) {
                steps.append(step)
                changes.append(change)
                if steps.count > memory {
                    steps.removeFirst()
                    changes.removeFirst()
                }
            }
            let improvement = value - accepted.value
            (x, value, gradient) = accepted
            if improvement <= relativeTolerance * max(1, abs(value)) { break }
        }
        return Result(x: x, value: value, evaluations: evaluations)
    }

    private func project(_ x: [Double]) -> [Double] {
        x.indices.map { min(max(x[$0], lower[$0]), upper[$0]) }
    }

    /// The gradient with components zeroed where a bound blocks descent.
    private func projectedGradient(_ x: [Double], _ gradient: [Double]) -> [Double] {
        gradient.indices.map { i in
            if x[i] <= lower[i], gradient[i] > 0 { return 0 }
            if x[i] >= upper[i], gradient[i] < 0 { return 0 }
            return gradient[i]
        }
    }

    private func finite(_ result: (value: Double, gradient: [Double])?) -> (Double, [Double])? {
        guard let result, result.value.isFinite, result.gradient.allSatisfy(\.isFinite) else { return nil }
        return (result.value, result.gradient)
    }

    /// −H·g by the two-loop recursion over the stored correction pairs.
    private static func twoLoop(_ gradient: [Double], steps: [[Double]], changes: [[Double]]) -> [Double] {
        var q = gradient
        var alphas = [Double](repeating: 0, count: steps.count)
        for k in stride(from: steps.count - 1, through: 0, by: -1) {
            let curvature = dot(changes[k], steps[k])
            guard curvature > 0 else { continue }
            let rho = 1 / curvature
            alphas[k] = rho * dot(steps[k], q)
            for i in q.indices { q[i] -= alphas[k] * changes[k][i] }
        }
        if let lastStep = steps.last, let lastChange = changes.last, dot(lastStep, lastChange) > 0 {
            let gamma = dot(lastStep, lastChange) / dot(lastChange, lastChange)
            for i in q.indices { q[i] *= gamma }
        }
        for k in steps.indices {
            let curvature = dot(changes[k], steps[k])
            guard curvature > 0 else { continue }
            let rho = 1 / curvature
            let beta = rho * dot(changes[k], q)
            for i in q.indices { q[i] += steps[k][i] * (alphas[k] - beta) }
        }
        return q.map { -$0 }
    }

    private static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var sum = 0.0
        for i in a.indices { sum += a[i] * b[i] }
        return sum
    }
}
