import ArgumentParser
import InstrumentSupport
import LabLoopAgent
import Simulators

/// An instrument that evaluates a standard optimisation test function with a known optimum.
@main
struct BenchmarkFunctionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "benchmark-functions",
        abstract: "A LabLoop instrument that evaluates branin, hartmann6 or rosenbrock2 (operation \"evaluate\").")

    @OptionGroup var agent: AgentOptions

    @Option(help: "The test function: branin, hartmann6 or rosenbrock2.")
    var function: String = "branin"

    func validate() throws {
        guard BenchmarkFunction(name: function) != nil else {
            throw ValidationError("unknown function '\(function)'; choose branin, hartmann6 or rosenbrock2")
        }
    }

    func run() async throws {
        guard let benchmark = BenchmarkFunction(name: function) else { return }
        let instrument = SimulatedInstrument(options: agent) { point, _ in
            [BenchmarkFunction.measurement: benchmark.value(at: point)]
        }
        let operation = OperationSpec(name: BenchmarkFunction.operation, space: benchmark.space,
                                      measurements: [BenchmarkFunction.measurement], repeatable: true)
        try await runSimulatedAgent(options: agent, kind: BenchmarkFunction.kind, operation: operation,
                                    instrument: instrument)
    }
}
