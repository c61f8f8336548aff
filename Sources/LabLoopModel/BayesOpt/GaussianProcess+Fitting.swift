import LabLoopCore

/// How `GaussianProcess.fit` chooses hyperparameters.
public struct GPFitOptions: Sendable, Hashable {
    /// The most points the hyperparameters are fitted on; the process then conditions on all of
    /// them. Fitting costs O(n³) per likelihood evaluation, and a few hundred points pin the
    /// hyperparameters down as well as thousands.
    public var maximumFitPoints: Int
    /// Random starting points tried (by likelihood only) besides the default one.
    public var screenedStarts: Int
    /// How many starts are optimised: the best screened ones, or the warm start and the best
    /// screened ones (with 100 fit points or more, only those that already beat the warm start).
    public var optimizedStarts: Int
    /// L-BFGS iterations per optimised start.
    public var maximumIterations: Int
    /// Seeds the random starting points.
    public var seed: UInt64

    /// The defaults suit `GPStrategy`: a few hundred fit points, two optimised starts.
    public init(maximumFitPoints: Int = 200, screenedStarts: Int = 8, optimizedStarts: Int = 2,
                maximumIterations: Int = 60, seed: UInt64 = 0) {
        self.maximumFitPoints = maximumFitPoints
        self.screenedStarts = screenedStarts
        self.optimizedStarts = optimizedStarts
        self.maximumIterations = maximumIterations
        self.seed = seed
    }
}

extension GaussianProcess {
    /// Fits the hyperparameters to `inputs` and `outputs` and conditions on all the points.
    ///
    /// Maximises the log marginal likelihood of the standardised outputs plus weak log-normal
    /// priors, in log space within `GPHyperparameters`' ranges, by L-BFGS from several starts
    /// run concurrently: the most likely of a few random draws, with `warmStart` (typically the
    /// previous fit) in place of one of them when given. With more than `options.maximumFitPoints` points, fits on the best fifth
    /// of them by output plus the most recent (the last in `outputs`), which is where the search is.
    public static func fit(inputs: [[Double]], outputs: [Double], warmStart: GPHyperparameters? = nil,
                           options: GPFitOptions = GPFitOptions()) async throws(GaussianProcessError) -> GaussianProcess {
        guard let dimension = inputs.first?.count else { throw GaussianProcessError(code: .noData, operation: "fit") }
        guard inputs.count == outputs.count, inputs.allSatisfy({ $0.count == dimension }) else {
            throw GaussianProcessError(code: .wrongShape, operation: "fit")
        }
        return try await fit(flatInputs: inputs.flatMap { $0 }, outputs: outputs, dimension: dimension,
                             warmStart: warmStart, options: options, reserving: 0)
    }

    static func fit(flatInputs: [Double], outputs: [Double], dimension: Int, warmStart: GPHyperparameters?,
                    options: GPFitOptions, reserving extra: Int) async throws(GaussianProcessError) -> GaussianProcess {
        guard !outputs.isEmpty else { throw GaussianProcessError(code: .noData, operation: "fit") }
        guard flatInputs.count == outputs.count * dimension else {
            throw GaussianProcessError(code: .wrongShape, operation: "fit")
        }
        guard flatInputs.allSatisfy(\.isFinite), outputs.allSatisfy(\.isFinite) else {
            throw GaussianProcessError(code: .notFinite, operation: "fit")
        }
        let (offset, scale) = standardization(of: outputs)
        let subset = fitSubset(outputs: outputs, limit: options.maximumFitPoints)
        var subsetInputs: [Double] = []
        subsetInputs.reserveCapacity(subset.count * dimension)
        for index in subset { subsetInputs += flatInputs[index * dimension..<(index + 1) * dimension] }
        let problem = LikelihoodProblem(inputs: subsetInputs, outputs: subset.map { (outputs[$0] - offset) / scale },
                                        dimension: dimension)
        let warm = warmStart.flatMap { $0.dimension == dimension ? $0.clamped() : nil }
        let hyperparameters = try await fitHyperparameters(problem, warmStart: warm, options: options)
        return try GaussianProcess(flatInputs: flatInputs, outputs: outputs, hyperparameters: hyperparameters,
                                   standardizing: true, reserving: extra)
    }

    /// Indices of the points to fit on: all of them, or the best fifth and the most recent.
    static func fitSubset(outputs: [Double], limit: Int) -> [Int] {
        let n = outputs.count
        guard n > limit, limit > 0 else { return Array(0..<n) }
        let best = outputs.indices.sorted { outputs[$0] > outputs[$1] }.prefix(limit / 5)
        var chosen = Set(best)
        for index in stride(from: n - 1, through: 0, by: -1) where chosen.count < limit {
            chosen.insert(index)
        }
        return chosen.sorted()
    }

    /// The maximum a posteriori hyperparameters, or the error from a failed attempt.
    private static func fitHyperparameters(_ problem: LikelihoodProblem, warmStart: GPHyperparameters?,
                                           options: GPFitOptions) async throws(GaussianProcessError) -> GPHyperparameters {
        let dimension = problem.dimension
        let bounds = GPHyperparameters.logBounds(dimension: dimension)
        // Screen random draws by likelihood alone (one factorisation each) and optimise the best.
        var rng = SplitMix64(seed: options.seed ^ 0x6A09_E667_F3BC_C908)
        var screened: [(theta: [Double], value: Double)] = []
        var lastError = GaussianProcessError(code: .notFinite, operation: "fit")
        let initial = GPHyperparameters.initial(dimension: dimension).clamped().logVector
        for draw in 0...max(options.screenedStarts, 0) {
            let theta = draw == 0 ? initial : (0..<(dimension + 2)).map { index in
                Double.random(in: bounds.lower[index]...bounds.upper[index], using: &rng)
            }
            switch negativeLogPosterior(problem, theta, withGradient: false) {
            case .success(let value): screened.append((theta, value.value))
            case .failure(let error): lastError = error
            }
        }
        screened.sort { $0.value < $1.value }
        var starts = screened.prefix(max(options.optimizedStarts, 1)).map(\.theta)
        if let warmStart, case .success(let warm) = negativeLogPosterior(problem, warmStart.logVector, withGradient: false) {
            // Beside the previous fit, small problems can afford a fresh start, which keeps a
            // stale likelihood mode from persisting; large ones only re-optimise a draw that
            // already beats the previous fit (the likelihood has moved since).
            let fresh = problem.count < 100 ? screened : screened.filter { $0.value < warm.value }
            starts = [warmStart.logVector] + fresh.prefix(max(options.optimizedStarts - 1, 0)).map(\.theta)
        }

        var optimizer = BoxLBFGS(lower: bounds.lower, upper: bounds.upper)
        optimizer.maximumIterations = options.maximumIterations
        optimizer.gradientTolerance = 1e-3
        // Likelihood differences of a hundredth of a nat do not change the model.
        optimizer.relativeTolerance = 1e-5
        // Starts are independent and each costs many O(n³) evaluations: run them side by side.
        let results = await withTaskGroup(of: (index: Int, result: BoxLBFGS.Result?).self) { group in
            for (index, start) in starts.enumerated() {
                group.addTask { [optimizer] in
                    let result = optimizer.minimize(from: start) { theta in
                        try? negativeLogPosterior(problem, theta, withGradient: true).get()
                    }
                    return (index, result)
                }
            }
            var results: [(index: Int, result: BoxLBFGS.Result?)] = []
            for await result in group { results.append(result) }
            // Completion order varies; ties must not, so rank by start order too.
            return results.sorted { $0.index < $1.index }.compactMap(\.result)
        }
        guard let best = results.min(by: { $0.value < $1.value }) else { throw lastError }
        return GPHyperparameters(logVector: best.x)
    }

    /// −(log marginal likelihood + log prior) at log hyperparameters `theta`: what the fit minimises.
    private static func negativeLogPosterior(_ problem: LikelihoodProblem, _ theta: [Double], withGradient: Bool)
        -> Result<(value: Double, gradient: [Double]), GaussianProcessError> {
        do {
            let (value, likelihoodGradient) = try problem.evaluate(theta, withGradient: withGradient)
            let prior = HyperparameterPrior.logDensity(theta)
            let total = -(value + prior.value)
            guard withGradient else { return .success((total, [])) }
            return .success((total, zip(likelihoodGradient, prior.gradient).map { -($0 + $1) }))
        } catch {
            return .failure(error)
        }
    }
}
