import ArgumentParser
import InstrumentSupport
import LabLoopAgent
import Simulators

/// A simulated flow reactor agent: yield and selectivity as smooth functions of temperature,
/// residence time, concentration and catalyst, with measurement noise.
@main
struct FlowReactorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flow-reactor",
        abstract: "A simulated flow reactor that runs LabLoop experiments (operation \"react\").")

    @OptionGroup var agent: AgentOptions

    @Option(help: "Standard deviation of the yield measurement noise, in percentage points.")
    var noise: Double = 0.5

    func validate() throws {
        guard noise.isFinite, noise >= 0 else { throw ValidationError("--noise must be a non-negative number") }
    }

    func run() async throws {
        let model = FlowReactorModel(noise: noise)
        let instrument = SimulatedInstrument(options: agent) { point, rng in model.measure(at: point, rng: &rng) }
        let operation = OperationSpec(name: FlowReactorModel.operation, space: FlowReactorModel.space,
                                      measurements: FlowReactorModel.measurements, repeatable: false)
        try await runSimulatedAgent(options: agent, kind: FlowReactorModel.kind, operation: operation,
                                    instrument: instrument)
    }
}
