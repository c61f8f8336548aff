import Foundation
import LabLoopCore
import LabLoopModel
import Testing

@Suite struct HyperparameterFitTests {
    let inputs: [[Double]] = (0..<30).map { [Double($0) / 29] }

    @Test func wigglyFunctionGetsAShortLengthScale() async throws {
        let wiggly = try await GaussianProcess.fit(inputs: inputs, outputs: inputs.map { sin(6 * Double.pi * $0[0]) })
        let flat = try await GaussianProcess.fit(inputs: inputs, outputs: inputs.map { 2 + 0.3 * $0[0] })
        let short = try #require(wiggly.hyperparameters.lengthScales.first)
        let long = try #require(flat.hyperparameters.lengthScales.first)
        #expect(short < 0.35, "sin(6πx) turns every sixth of the interval")
        #expect(long > 2, "a straight line needs no short-range variation")
        #expect(long > 8 * short)
        // Both are smooth and noiseless: the noise goes to (nearly) its floor.
        #expect(wiggly.hyperparameters.noiseVariance < 1e-3)
        // The fit stays inside the documented bounds.
        for process in [wiggly, flat] {
            let fitted = process.hyperparameters
            #expect(fitted.lengthScales.allSatisfy { GPHyperparameters.lengthScaleRange.contains($0) })
            #expect(GPHyperparameters.noiseVarianceRange.contains(fitted.noiseVariance))
            #expect(GPHyperparameters.signalVarianceRange.contains(fitted.signalVariance))
        }
    }

    /// A smooth function under noise of variance 0.09: the noise is fitted as noise (roughly
    /// its true size) rather than interpolated with a tiny length scale.
    @Test(arguments: [UInt64(1), 2, 3])
    func noiseIsFittedFromData(seed: UInt64) async throws {
        var rng = SplitMix64(seed: seed)
        let inputs: [[Double]] = (0..<40).map { _ in [Double.random(in: 0..<1, using: &rng)] }
        let outputs = inputs.map { x -> Double in
            let u = Double.random(in: Double.ulpOfOne..<1, using: &rng), v = Double.random(in: 0..<1, using: &rng)
            return sin(2 * Double.pi * x[0]) + 0.3 * (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
        }
        let process = try await GaussianProcess.fit(inputs: inputs, outputs: outputs)
        let noise = process.hyperparameters.noiseVariance * process.outputScale * process.outputScale
        #expect(noise > 0.03 && noise < 0.3, "fitted noise variance \(noise), true 0.09")
        #expect((process.hyperparameters.lengthScales.first ?? 0) > 0.1)
    }

    /// A warm start at the optimum stays there.
    @Test func warmStartIsKept() async throws {
        let outputs = inputs.map { sin(4 * Double.pi * $0[0]) }
        let first = try await GaussianProcess.fit(inputs: inputs, outputs: outputs)
        let second = try await GaussianProcess.fit(inputs: inputs, outputs: outputs, warmStart: first.hyperparameters,
                                                   options: GPFitOptions(screenedStarts: 0, optimizedStarts: 1))
        let before = try #require(first.hyperparameters.lengthScales.first)
        let after = try #require(second.hyperparameters.lengthScales.first)
        #expect(abs(log(after / before)) < 0.05)
    }

    /// More points than the fit limit: fitted on a subset, conditioned on all.
    @Test func largeDataFitsOnASubsetAndConditionsOnAll() async throws {
        let many = (0..<120).map { [Double($0) / 119] }
        let outputs = many.map { sin(4 * Double.pi * $0[0]) }
        let process = try await GaussianProcess.fit(inputs: many, outputs: outputs,
                                                    options: GPFitOptions(maximumFitPoints: 40))
        #expect(process.count == 120)
        for (prediction, output) in zip(process.posterior(at: many), outputs) { #expect(abs(prediction.mean - output) < 0.02) }
    }
}
