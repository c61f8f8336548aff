import LabLoopCore
import Testing

@Suite("Parameter limits (the safety envelope)")
struct ParameterLimitsTests {
    let reactor = ParameterLimits([
        "temperature": .init(low: 20, high: 90, unit: "°C"),
        "catalyst": .init(categories: ["Pd", "Pt"]),
    ])

    @Test func pointsInsideAndOutside() {
        let inside = Point([("temperature", .real(90)), ("catalyst", .category("Pd")), ("other", .real(1e9))])
        #expect(reactor.violations(of: inside).isEmpty)
        let hot = Point([("temperature", .real(120)), ("catalyst", .category("Ni"))])
        #expect(reactor.violations(of: hot) == ["catalyst = Ni is not one of Pd, Pt", "temperature = 120 is above 20–90 °C"])
        #expect(reactor.violations(of: Point([("temperature", .integer(10))])) == ["temperature = 10 is below 20–90 °C"])
    }

    @Test func labLimitsNarrowAnInstrumentsLimits() {
        let lab = ParameterLimits(["temperature": .init(high: 80), "catalyst": .init(categories: ["Pt", "Ni"])])
        let merged = reactor.intersected(with: lab)
        #expect(merged.limits["temperature"]?.low == 20)
        #expect(merged.limits["temperature"]?.high == 80)
        #expect(merged.limits["catalyst"]?.categories == ["Pt"])
    }

    @Test func parsing() {
        #expect(ParameterLimits.Limit(parsing: "30..90") == .init(low: 30, high: 90))
        #expect(ParameterLimits.Limit(parsing: "..90") == .init(high: 90))
        #expect(ParameterLimits.Limit(parsing: "Pd, Pt") == .init(categories: ["Pd", "Pt"]))
        #expect(ParameterLimits.Limit(parsing: "90..30") == nil)
        #expect(ParameterLimits.Limit(parsing: "a..b") == nil)
        #expect(ParameterLimits.Limit(parsing: "..") == nil)
    }

    @Test func spacesThatCanNeverBeServed() {
        let hot = ParameterSpace(parameters: [.init(name: "temperature", domain: .continuous(low: 100, high: 150, unit: "°C", scale: .linear))])
        #expect(reactor.excludes(hot) == "temperature from 100 is above 20–90 °C")
        let overlapping = ParameterSpace(parameters: [.init(name: "temperature", domain: .continuous(low: 30, high: 150, unit: "°C", scale: .linear))])
        #expect(reactor.excludes(overlapping) == nil)
        let nickel = ParameterSpace(parameters: [.init(name: "catalyst", domain: .categorical(["Ni", "Cu"]))])
        #expect(reactor.excludes(nickel) == "no catalyst value is among Pd, Pt")
    }

    @Test func instrumentsOnlyRunWhatTheirLimitsCover() {
        let free = FreeInstrument(instrumentID: "r1", kind: "flow-reactor", operations: ["react"], freeSlots: 1,
                                  limits: ["react": reactor])
        let cool = QueuedExperiment(experimentID: "e1", campaignID: "c", instrumentKind: "flow-reactor", operation: "react",
                                    order: 0, point: Point([("temperature", .real(50)), ("catalyst", .category("Pt"))]))
        var hot = cool
        hot.experimentID = "e2"
        hot.point = Point([("temperature", .real(95)), ("catalyst", .category("Pt"))])
        #expect(free.canRun(cool))
        #expect(!free.canRun(hot))
        #expect(DispatchPolicy.assign(queue: [hot, cool], free: [free]).map(\.experimentID) == ["e1"])
    }
}
