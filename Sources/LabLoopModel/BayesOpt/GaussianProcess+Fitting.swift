import LabLoopCore

/// How `GaussianProcess.fit` chooses hyperparameters.
public struct GPFitOptions: Sendable, Hashable {
    /// The most points the hyperparameters are fitted on; the process then conditions on all of
    /// them. Fitting costs O(n³) per likelihood evaluation, and a few hundred points pin the
    /// hyperparameters down as well as thousands.
    public var maximumFitPoints: Int
    /// Random starting points tried (by likelihood only) besides the default one.
    public var screenedStarts: Int
    /// How many of the best screened starts are optimised, besides the warm start.
    public var optimizedStarts: Int
    /// L-BFGS iterations per optimised start.
    public var maximumIterations: Int
    /// Seeds the random starting points.
    public var seed: UInt64

    public init(maximumFitPoints: Int = 250, screenedStarts: Int = 8, optimizedStarts: Int = 2,
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
    /// priors, in log space within `GPHyperparameters`' ranges, by L-BFGS from several starts:
    /// `warmStart` (typically the previous fit) and the most likely of a few random draws.
    /// With more than `options.maximumFitPoints` points, fits on the best fifth of them by
    /// output plus the most recent (the last in `outputs`), which is where the search is.
    public static func fit(inputs: [[Double]], outputs: [Double], warmStart: GPHyperparameters? = nil,
                           options: GPFitOptions = GPFitOptions()) throws(GaussianProcessError) -> GaussianProcess {
        guard let dimension = inputs.first?.count else { throw GaussianProcessError(code: .noData, operation: "fit") }
        guard inputs.count == outputs.count, inputs.allSatisfy({ $0.count == dimension }) else {
            throw GaussianProcessError(code: .wrongShape, operation: "fit")
        }
        return try fit(flatInputs: inputs.flatMap { $0 }, outputs: outputs, dimension: dimension,
                       warmStart: warmStart, options: options, reserving: 0)
    }

    static func fit(flatInputs: [Double], outputs: [Double], dimension: Int, warmStart: GPHyperparameters?,
                    options: GPFitOptions, reserving extra: Int) throws(GaussianProcessError) -> GaussianProcess {
        guard !outputs.isEmpty else { throw GaussianProcessError(code: .noData, operation: "fit") }
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
        let hyperparameters = try fitHyperparameters(problem, warmStart: warm, options: options)
        return try GaussianProcess(flatInputs: flatInputs, outputs: outputs, hyperparameters: hyperparameters,
                                   standardizing: true, reserving: extra)
    }

    /// Indices of the points to fit on: all of them, or the best fifth and the most recent.
    static func fitSubset(outputs: [Double], limit: Int) -> [Int] {
        let n = outputs.count
        guard n > limit, limit > 0 else { return Array(0..<n) }
        let bestCount = limit / 5
        let best = outputs.indices.sorted { outputs[$0] > outputs[$1] }.prefix(bestCount)
        var chosen = Set(best)
        for index in stride(from: n - 1, through: 0, by: -1) where chosen.count < limit {
            chosen.insert(index)
        }
        return chosen.sorted()
    }

    /// The maximum a posteriori log hyperparameters, or the error from the last failed attempt.
    private static func fitHyperparameters(_ problem: LikelihoodProblem, warmStart: GPHyperparameters?,
                                           options: GPFitOptions) throws(GaussianProcessError) -> GPHyperparameters {
        let dimension = problem.dimension
        let bounds = GPHyperparameters.logBounds(dimension: dimension)
        var lastError = GaussianProcessError(code: .notFinite, operation: "fit")
        // Negative log posterior: minimised, and nil (+∞) where the kernel matrix will not factorise.
        func objective(_ theta: [Double], gradient: Bool) -> (value: Double, gradient: [Double])? {
            do {
                let (value, likelihoodGradient) = try problem.evaluate(theta, withGradient: gradient)
                let prior = HyperparameterPrior.logDensity(theta)
                let total = -(value + prior.value)
                guard gradient else { return (total, []) }
                return (total, zip(likelihoodGradient, prior.gradient).map { -($0 + $1) })
            } catch {
                lastError = error
                return nil
            }
        }

        var rng = SplitMix64(seed: options.seed ^ 0x6A09_E667_F3BC_C908)
        var screened: [(theta: [Double], value: Double)] = []
        let initial = GPHyperparameters.initial(dimension: dimension).clamped().logVector
        for draw in 0...max(options.screenedStarts, 0) {
            let theta = draw == 0 ? initial : (0..<(dimension + 2)).map { index in
                Double.random(in: bounds.lower[index]...bounds.upper[index], using: &rng)
            }
            if let value = objective(theta, gradient: false)?.value { screened.append((theta, value)) }
        }
        screened.sort { $0.value < $1.value }
        var starts = screened.prefix(max(options.optimizedStarts, 1)).map(\.theta)
        if let warmStart { starts.insert(warmStart.logVector, at: 0) }

        var optimizer = BoxLBFGS(lower: bounds.lower, upper: bounds.upper)
        optimizer.maximumIterations = options.maximumIterations
        optimizer.gradientTolerance = 1e-4
        optimizer.firstStep = 1
        var best: BoxLBFGS.Result?
        for start in starts {
            guard let result = optimizer.minimize(from: start, { objective($0, gradient: true) }) else { continue }
            if result.value < best?.value ?? .infinity { best = result }
        }
        guard let best else { throw lastError }
        return GPHyperparameters(logVector: best.x)
    }
}
