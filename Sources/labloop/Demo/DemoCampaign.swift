import LabLoopCore
import LabLoopProtocol
import Simulators

/// The campaign the demo submits: maximise the simulated flow reactor's yield.
enum DemoCampaign {
    static func spec(experiments: Int, parallel: Int, strategy: String) -> CampaignSpec {
        var spec = CampaignSpec(
            name: "demo: flow reactor yield", space: FlowReactorModel.space, objective: FlowReactorModel.objective,
            operation: FlowReactorModel.operation, maxExperiments: experiments, maxParallel: parallel,
            strategy: strategy)
        spec.description = "Find the temperature, residence time, concentration and catalyst that maximise yield."
        spec.project = "demo"
        spec.owner = "demo"
        spec.instrumentKind = FlowReactorModel.kind
        spec.extraMeasurements = ["selectivity"]
        spec.seed = 7
        spec.initialDesign = 8
        spec.maxAttempts = 2
        spec.retryableFailures = ["transient"]
        return spec
    }
}
