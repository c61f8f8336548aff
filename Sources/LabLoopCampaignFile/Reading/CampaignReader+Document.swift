import LabLoopCore
import Yams

extension CampaignReader {
    /// Reads every section, then builds the document if nothing was wrong.
    mutating func document(_ root: Node) -> CampaignDocument? {
        guard let fields = fields(root, "", allowed: Keys.root, expected: "a mapping of campaign settings") else {
            return nil
        }
        let name = required("name", in: fields, hint: "add a name such as 'name: flow reactor yield'")
            .flatMap { nonEmptyText($0, "name") }
        let description = fields["description"].flatMap { text($0, "description") } ?? ""
        let owner = fields["owner"].flatMap { text($0, "owner") } ?? ""
        let project = fields["project"].flatMap { text($0, "project") } ?? ""

        let parameters = required("parameters", in: fields, hint: "list what the campaign varies under parameters")
            .flatMap { self.parameters($0) }
        let constraints = fields["constraints"].map { self.constraints($0, parameters: parameters) } ?? []

        let objective = required("objective", in: fields, hint: "say what to optimise, e.g. objective: {measurement: yield, goal: maximize}")
            .flatMap { self.objective($0) }
        let record = fields["record"].flatMap { self.record($0, objective: objective?.measurement) } ?? []
        let instrument = required("instrument", in: fields, hint: "name the operation to run, e.g. instrument: {operation: react}")
            .flatMap { self.instrument($0) }
        let budget = required("budget", in: fields, hint: "add budget: {experiments: 20, parallel: 2}")
            .flatMap { self.budget($0) }
        let strategy = required("strategy", in: fields, hint: "add strategy: {name: space-filling}")
            .flatMap { self.strategy($0) }
        let stop = fields["stop"].flatMap { self.stop($0, objective: objective) } ?? Stop()
        let retries = fields["retries"].flatMap { self.retries($0) } ?? Retries()
        let approval = fields["approval"].flatMap { self.approval($0) } ?? .auto
        let priority = fields["priority"].flatMap { self.count($0, "priority", in: -1_000...1_000) } ?? 0

        guard !hasProblems, let name, let parameters, let objective = objective?.objective, let instrument, let budget,
              let strategy else {
            return nil
        }
        var spec = CampaignSpec(
            name: name,
            space: ParameterSpace(parameters: parameters.definitions, constraints: constraints),
            objective: objective,
            operation: instrument.operation,
            maxExperiments: budget.experiments,
            maxParallel: budget.parallel,
            strategy: strategy.name)
        spec.description = description
        spec.owner = owner
        spec.project = project
        spec.extraMeasurements = record
        spec.instrumentKind = instrument.kind
        spec.deadlineUnixMs = budget.deadline
        spec.initialDesign = strategy.initialDesign
        spec.seed = strategy.seed
        spec.stopAtTarget = stop.targetReached
        spec.noImprovementWindow = stop.noImprovement
        spec.maxAttempts = retries.attempts
        spec.retryableFailures = retries.retryOn
        spec.approval = approval
        spec.priority = priority
        reportSpecProblems(spec, root: fields.position)
        return hasProblems ? nil : CampaignDocument(spec: spec, strategySettings: strategy.settings)
    }
}
