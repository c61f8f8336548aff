import Foundation
import LabLoopCore
import Simulators
import Testing

@Suite struct FlowReactorModelTests {
    let model = FlowReactorModel(noise: 0)

    func point(_ temperature: Double, _ time: Double, _ concentration: Double, _ catalyst: String) -> Point {
        Point([("temperature", .real(temperature)), ("residence_time", .real(time)),
               ("concentration", .real(concentration)), ("catalyst", .category(catalyst))])
    }

    @Test func spaceIsValidAndAsDocumented() {
        let space = FlowReactorModel.space
        #expect(space.parameters.map(\.name) == ["temperature", "residence_time", "concentration", "catalyst"])
        #expect(space.parameter(named: "residence_time")?.domain == .continuous(low: 0.5, high: 30, unit: "min", scale: .log))
        #expect(space.parameter(named: "catalyst")?.domain == .categorical(["Pd", "Pt", "Ni", "Cu"]))
        #expect(Fixtures.spec(space: space).problems().isEmpty)
        #expect(FlowReactorModel.kind == "flow-reactor")
        #expect(FlowReactorModel.operation == "react")
        #expect(FlowReactorModel.objective.direction == .maximize)
    }

    @Test func knownOptimumIsInsideTheBoxAndBelowHundred() {
        let (optimum, best) = FlowReactorModel.knownOptimum
        #expect(FlowReactorModel.space.violations(of: optimum).isEmpty)
        #expect(best == model.yield(at: optimum))
        #expect(best > 80 && best < 100)
        // Strictly inside every continuous range, so finding it is a real optimisation.
        let temperature = optimum["temperature"]?.numeric ?? 0
        let time = optimum["residence_time"]?.numeric ?? 0
        let concentration = optimum["concentration"]?.numeric ?? 0
        #expect(temperature > 40 && temperature < 140)
        #expect(time > 1 && time < 20)
        #expect(concentration > 0.2 && concentration < 1.8)
    }

    /// A fine grid over the whole box (temperature every 1 °C, 80 log-spaced residence times,
    /// concentration every 0.02 mol/L, every catalyst) finds nothing better than the optimum.
    @Test func noGridPointBeatsTheKnownOptimum() {
        let best = FlowReactorModel.knownOptimum.yield
        let times = (0..<80).map { 0.5 * pow(60, Double($0) / 79) }
        var gridBest = -Double.infinity
        for catalyst in FlowReactorModel.Catalyst.allCases {
            for temperature in stride(from: 30.0, through: 150, by: 1) {
                for time in times {
                    for concentration in stride(from: 0.1, through: 2.0001, by: 0.02) {
                        gridBest = max(gridBest, model.yield(temperature: temperature, residenceTime: time,
                                                             concentration: concentration, catalyst: catalyst))
                    }
                }
            }
        }
        #expect(gridBest <= best + 1e-9)
        #expect(gridBest > best - 0.5, "the grid should come close to the optimum")
    }

    @Test func behavesLikeAReactor() {
        let (optimum, best) = FlowReactorModel.knownOptimum
        // Too cold converts little; too hot and too long degrades the product.
        #expect(model.yield(at: point(30, 3.9, 0.8, "Pd")) < 30)
        #expect(model.yield(at: point(150, 30, 0.8, "Pd")) < 5)
        // Catalyst activity ranks Pd > Pt > Ni > Cu at the optimum conditions.
        let yields = FlowReactorModel.Catalyst.allCases.map { catalyst in
            var changed = optimum
            changed["catalyst"] = .category(catalyst.rawValue)
            return model.yield(at: changed)
        }
        #expect(yields == yields.sorted(by: >))
        #expect(yields[0] == best)
        // Selectivity is a percentage and falls as the product degrades.
        let fresh = model.selectivity(temperature: 85, residenceTime: 1, concentration: 0.8, catalyst: .pd)
        let cooked = model.selectivity(temperature: 140, residenceTime: 30, concentration: 0.8, catalyst: .pd)
        #expect(fresh > cooked && fresh <= 100 && cooked >= 0)
    }

    @Test func noiseHasTheConfiguredSpread() {
        let noisy = FlowReactorModel(noise: 2)
        let (optimum, best) = FlowReactorModel.knownOptimum
        var rng = SplitMix64(seed: 31)
        let readings = (0..<4_000).compactMap { _ in noisy.measure(at: optimum, rng: &rng)["yield"] }
        let mean = readings.reduce(0, +) / Double(readings.count)
        let sd = (readings.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(readings.count - 1)).squareRoot()
        #expect(abs(mean - best) < 0.15) // standard error ≈ 0.03
        #expect(abs(sd - 2) < 0.15) // standard error of the sd ≈ 0.02
    }

    @Test func measurementsAreReproducibleAndExactWithoutNoise() {
        let (optimum, best) = FlowReactorModel.knownOptimum
        var rng = SplitMix64(seed: 1)
        let exact = model.measure(at: optimum, rng: &rng)
        #expect(Set(exact.keys) == Set(FlowReactorModel.measurements))
        #expect(exact["yield"] == best)
        let noisy = FlowReactorModel(noise: 5)
        var first = SplitMix64(seed: 2)
        var second = SplitMix64(seed: 2)
        #expect(noisy.measure(at: optimum, rng: &first) == noisy.measure(at: optimum, rng: &second))
        // Readings stay percentages even when noise would push them past the limits.
        var rng2 = SplitMix64(seed: 3)
        let extreme = FlowReactorModel(noise: 50)
        for _ in 0..<200 {
            let reading = extreme.measure(at: optimum, rng: &rng2)
            #expect(reading.values.allSatisfy { (0...100).contains($0) })
        }
    }

    @Test func incompletePointGivesNaN() {
        var broken = FlowReactorModel.knownOptimum.point
        broken["catalyst"] = .category("Au")
        #expect(model.yield(at: broken).isNaN)
        var rng = SplitMix64(seed: 0)
        #expect(model.measure(at: broken, rng: &rng)["yield"]?.isNaN == true)
    }
}
