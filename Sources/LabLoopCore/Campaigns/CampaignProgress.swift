/// The counters a campaign's decisions depend on: how many experiments exist in each state,
/// the best objective so far, and how long since it improved. Pure: fed by the campaign actor.
public struct CampaignProgress: Sendable, Hashable {
    public var counts: [ExperimentState: Int] = [:]
    public var best: Double?
    public var bestExperimentID: String?
    public var completedSinceImprovement = 0
    /// Candidates accepted so far (first attempts only; retries do not spend budget).
    public var candidatesAccepted = 0

    public init() {}

    public var active: Int {
        counts[.awaitingApproval, default: 0] + counts[.queued, default: 0]
            + counts[.dispatched, default: 0] + counts[.running, default: 0]
    }

    public var atInstruments: Int { counts[.dispatched, default: 0] + counts[.running, default: 0] }

    public mutating func move(from old: ExperimentState?, to new: ExperimentState) {
        if let old { counts[old, default: 0] -= 1 }
        counts[new, default: 0] += 1
    }

    /// Records a completed experiment's objective value.
    public mutating func record(objective value: Double, experimentID: String, objective: Objective) {
        if objective.isBetter(value, than: best) {
            best = value
            bestExperimentID = experimentID
            completedSinceImprovement = 0
        } else {
            completedSinceImprovement += 1
        }
    }

    /// How many new candidates the campaign should ask its model for now.
    public func candidatesWanted(spec: CampaignSpec) -> Int {
        let budgetLeft = spec.maxExperiments - candidatesAccepted
        let parallelLeft = spec.maxParallel - active
        return max(0, min(budgetLeft, parallelLeft))
    }

    /// Why the campaign should stop taking new candidates, or nil to go on.
    public func stopReason(spec: CampaignSpec, nowUnixMs: Int64) -> String? {
        if candidatesAccepted >= spec.maxExperiments { return "budget of \(spec.maxExperiments) experiments spent" }
        if spec.stopAtTarget, let best, spec.objective.reachesTarget(best) {
            return "target \(formatReal(spec.objective.target ?? best)) reached"
        }
        if spec.noImprovementWindow > 0, completedSinceImprovement >= spec.noImprovementWindow {
            return "no improvement in \(spec.noImprovementWindow) experiments"
        }
        if spec.deadlineUnixMs > 0, nowUnixMs >= spec.deadlineUnixMs { return "deadline passed" }
        return nil
    }
}
