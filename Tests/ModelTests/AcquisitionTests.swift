import Foundation
import LabLoopModel
import Testing

@Suite struct AcquisitionTests {
    func phi(_ z: Double) -> Double { exp(-z * z / 2) / (2 * Double.pi).squareRoot() }
    func cdf(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }

    /// EI = (μ − f*)Φ(z) + σφ(z) with z = (μ − f*)/σ.
    @Test(arguments: [(1.0, 2.0, 0.5), (0.0, 1.0, 0.0), (-1.0, 0.5, 0.3), (3.0, 0.1, 1.0), (-2.0, 1.5, 2.0)])
    func expectedImprovementMatchesClosedForm(mean: Double, deviation: Double, incumbent: Double) {
        let z = (mean - incumbent) / deviation
        let expected = (mean - incumbent) * cdf(z) + deviation * phi(z)
        let value = GPStrategy.Acquisition.expectedImprovement.value(mean: mean, standardDeviation: deviation,
                                                                      incumbent: incumbent)
        #expect(abs(value - expected) < 1e-12 * max(1, expected))
        let logValue = GPStrategy.Acquisition.logExpectedImprovement(mean: mean, standardDeviation: deviation,
                                                                     incumbent: incumbent)
        #expect(abs(logValue - log(expected)) < 1e-9)
    }

    /// Far below the incumbent EI underflows, but log EI stays finite and matches the
    /// asymptotic series h(z) ≈ φ(z)/z² (1 − 3/z² + 15/z⁴).
    @Test(arguments: [-12.0, -40.0, -1e3])
    func logExpectedImprovementIsFiniteInTheTail(z: Double) {
        let value = GPStrategy.Acquisition.expectedImprovement.value(mean: z, standardDeviation: 1, incumbent: 0)
        #expect(value.isFinite && value >= 0)
        let logValue = GPStrategy.Acquisition.logExpectedImprovement(mean: z, standardDeviation: 1, incumbent: 0)
        #expect(logValue.isFinite)
        let asymptotic = -z * z / 2 - 0.5 * log(2 * Double.pi) - 2 * log(-z)
            + log(1 - 3 / (z * z) + 15 / pow(z, 4) - 105 / pow(z, 6))
        #expect(abs(logValue - asymptotic) < 1e-6 * max(1, abs(asymptotic)))
    }

    /// No uncertainty: EI is the plain improvement, never NaN.
    @Test func expectedImprovementWithoutUncertainty() {
        let ei = GPStrategy.Acquisition.expectedImprovement
        #expect(abs(ei.value(mean: 1.5, standardDeviation: 0, incumbent: 1) - 0.5) < 1e-9)
        #expect(ei.value(mean: 0.5, standardDeviation: 0, incumbent: 1) == 0)
        #expect(GPStrategy.Acquisition.logExpectedImprovement(mean: 0.5, standardDeviation: 0, incumbent: 1).isFinite)
    }

    @Test func upperConfidenceBoundIsMeanPlusScaledDeviation() {
        let ucb = GPStrategy.Acquisition.upperConfidenceBound(beta: 4)
        #expect(ucb.value(mean: 1, standardDeviation: 0.5, incumbent: 100) == 2)
        #expect(abs(GPStrategy.Acquisition.upperConfidenceBound().value(mean: 0, standardDeviation: 1, incumbent: 0)
                - 2.0.squareRoot()) < 1e-15)
        #expect(GPStrategy.Acquisition.upperConfidenceBound(beta: -1).value(mean: 3, standardDeviation: 1, incumbent: 0) == 3)
    }

    @Test func namesFollowTheAcquisition() {
        #expect(GPStrategy(acquisition: .expectedImprovement).name == "gp-ei")
        #expect(GPStrategy(acquisition: .upperConfidenceBound(beta: 1)).name == "gp-ucb")
    }
}
