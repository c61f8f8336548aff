import Foundation
import LabLoopModel
import Testing

@Suite struct GaussianProcessTests {
    /// Matérn-5/2 correlation at scaled distance r.
    func matern(_ r: Double) -> Double {
        let s = 5.0.squareRoot() * r
        return (1 + s + s * s / 3) * exp(-s)
    }

    let hyper = GPHyperparameters(lengthScales: [0.2], signalVariance: 1.5, noiseVariance: 0.1)

    /// One observation: mean = k·y/(σ²_f + σ²_n), variance = σ²_f − k²/(σ²_f + σ²_n).
    @Test func onePointPosteriorMatchesClosedForm() throws {
        let process = try GaussianProcess(inputs: [[0.3]], outputs: [2.0], hyperparameters: hyper,
                                          standardizingOutputs: false)
        let total = 1.5 + 0.1
        let atPoint = try #require(process.posterior(at: [[0.3]]).first)
        #expect(abs(atPoint.mean - 1.5 * 2 / total) < 1e-12)
        // At the training point the latent variance is the noise-adjusted σ²_f·σ²_n/(σ²_f + σ²_n).
        #expect(abs(atPoint.variance - 1.5 * 0.1 / total) < 1e-12)
        let k = 1.5 * matern(0.2 / 0.2)
        let away = try #require(process.posterior(at: [[0.5]]).first)
        #expect(abs(away.mean - k * 2 / total) < 1e-12)
        #expect(abs(away.variance - (1.5 - k * k / total)) < 1e-12)
        // Far away the prior comes back: mean 0, variance σ²_f.
        let far = try #require(process.posterior(at: [[50]]).first)
        #expect(abs(far.mean) < 1e-12)
        #expect(abs(far.variance - 1.5) < 1e-12)
    }

    /// Two observations in two dimensions, against the 2×2 inverse written out.
    @Test func twoPointPosteriorMatchesClosedForm() throws {
        let hyper = GPHyperparameters(lengthScales: [0.5, 0.25], signalVariance: 2, noiseVariance: 0.05)
        let inputs: [[Double]] = [[0.1, 0.2], [0.4, 0.3]]
        let outputs = [1.0, -0.5]
        let process = try GaussianProcess(inputs: inputs, outputs: outputs, hyperparameters: hyper,
                                          standardizingOutputs: false)
        func kernel(_ a: [Double], _ b: [Double]) -> Double {
            let r = (pow((a[0] - b[0]) / 0.5, 2) + pow((a[1] - b[1]) / 0.25, 2)).squareRoot()
            return 2 * matern(r)
        }
        let k12 = kernel(inputs[0], inputs[1])
        let a = 2 + 0.05, determinant = a * a - k12 * k12
        let inverse = [[a / determinant, -k12 / determinant], [-k12 / determinant, a / determinant]]
        let query = [0.25, 0.1]
        let k = inputs.map { kernel($0, query) }
        let weights = (0..<2).map { i in (0..<2).reduce(0.0) { $0 + inverse[i][$1] * k[$1] } }
        let mean = weights[0] * outputs[0] + weights[1] * outputs[1]
        let variance = 2 - (weights[0] * k[0] + weights[1] * k[1])
        let prediction = try #require(process.posterior(at: [query]).first)
        #expect(abs(prediction.mean - mean) < 1e-12)
        #expect(abs(prediction.variance - variance) < 1e-12)
    }

    /// With little noise the mean interpolates the data and the variance collapses there; with
    /// standardisation the answers come back in the outputs' units.
    @Test func meanInterpolatesWithLittleNoise() throws {
        let hyper = GPHyperparameters(lengthScales: [0.3], signalVariance: 1, noiseVariance: 1e-6)
        let inputs: [[Double]] = [[0], [0.25], [0.5], [0.75], [1]]
        let outputs = [100.0, 140, 90, 120, 110]
        let process = try GaussianProcess(inputs: inputs, outputs: outputs, hyperparameters: hyper)
        for (prediction, output) in zip(process.posterior(at: inputs), outputs) {
            #expect(abs(prediction.mean - output) < 1e-2)
            #expect(prediction.variance >= 0)
            #expect(prediction.standardDeviation < 0.05)
        }
        let between = try #require(process.posterior(at: [[0.375]]).first)
        #expect(between.standardDeviation > 1)
    }

    @Test func constantOutputsModelAsConstant() throws {
        let process = try GaussianProcess(inputs: [[0.1], [0.6], [0.9]], outputs: [3, 3, 3],
                                          hyperparameters: GPHyperparameters.initial(dimension: 1))
        #expect(process.outputScale == 1)
        for prediction in process.posterior(at: [[0], [0.5], [1]]) {
            #expect(abs(prediction.mean - 3) < 1e-12)
            #expect(prediction.variance.isFinite && prediction.variance >= 0)
        }
    }

    @Test func rejectsMismatchedOrNonFiniteData() {
        #expect(throws: GaussianProcessError.self) {
            try GaussianProcess(inputs: [[0.1, 0.2]], outputs: [1], hyperparameters: hyper)
        }
        #expect(throws: GaussianProcessError.self) {
            try GaussianProcess(inputs: [[0.1]], outputs: [.nan], hyperparameters: hyper)
        }
        #expect(throws: GaussianProcessError.self) {
            try GaussianProcess(inputs: [], outputs: [], hyperparameters: hyper)
        }
    }

    /// One point: log N(y; 0, σ²_f + σ²_n).
    @Test func logMarginalLikelihoodOfOnePoint() throws {
        let (value, _) = try GaussianProcess.logMarginalLikelihood(inputs: [[0.3]], outputs: [2], hyperparameters: hyper)
        let variance = 1.6
        #expect(abs(value - (-0.5 * 4 / variance - 0.5 * log(2 * Double.pi * variance))) < 1e-12)
    }

    /// The analytic gradient agrees with central differences in every log hyperparameter.
    @Test func logMarginalLikelihoodGradientMatchesFiniteDifferences() throws {
        var state: UInt64 = 12345
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        let inputs = (0..<12).map { _ in [uniform(), uniform(), uniform()] }
        let outputs = inputs.map { sin(6 * $0[0]) + $0[1] * $0[1] - 0.5 * $0[2] + 0.05 * uniform() }
        let hyper = GPHyperparameters(lengthScales: [0.3, 0.7, 1.5], signalVariance: 0.8, noiseVariance: 0.02)
        let (_, gradient) = try GaussianProcess.logMarginalLikelihood(inputs: inputs, outputs: outputs,
                                                                      hyperparameters: hyper)
        let theta = hyper.logVector
        #expect(gradient.count == theta.count)
        let h = 1e-5
        for index in theta.indices {
            var plus = theta, minus = theta
            plus[index] += h
            minus[index] -= h
            let up = try GaussianProcess.logMarginalLikelihood(
                inputs: inputs, outputs: outputs, hyperparameters: GPHyperparameters(logVector: plus)).value
            let down = try GaussianProcess.logMarginalLikelihood(
                inputs: inputs, outputs: outputs, hyperparameters: GPHyperparameters(logVector: minus)).value
            let numeric = (up - down) / (2 * h)
            #expect(abs(numeric - gradient[index]) < 1e-5 * max(1, abs(numeric)), "θ[\(index)]")
        }
    }
}
