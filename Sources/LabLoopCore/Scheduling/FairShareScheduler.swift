/// Shares instrument time across projects by weight, then across each project's campaigns.
///
/// A pure state machine: it reads no clock and does no I/O; `now` is seconds on any clock that does
/// not go backwards (a time earlier than one already seen counts as the latest seen).
///
/// - Each pass (`assign`) starts, one free slot at a time, the experiment whose project has had the
///   least decayed instrument time per unit of weight; within the project, the highest priority,
///   then the campaign with the least time per unit of campaign weight; within the campaign, arrival
///   order. Running time is charged as it accrues, so long experiments cost more than short ones.
/// - It is work-conserving (a free slot never waits while an experiment it may run is queued), never
///   preempts, and never starves a project of positive weight.
/// - A project (or campaign) that becomes active is lifted to the least-served active one, so it
///   gets its share from then on, not a catch-up burst.
///
/// `Docs/scheduling.md` has the formulas and a worked example.
public struct FairShareScheduler: Sendable {
    public static let defaultHalfLife: Double = 600
    /// Weights below this (zero and negative ones included) count as this, so that every project is
    /// served eventually. A weight that is not a finite number counts as 1.
    public static let minimumWeight: Double = 0.001
    /// What a dispatch is expected to take before any experiment has finished.
    static let fallbackDuration: Double = 60
    /// How much each finished experiment moves a campaign's typical duration.
    static let durationSmoothing: Double = 0.25

    /// Seconds after which past instrument time counts half.
    public let halfLife: Double
    let decayRate: Double
    private(set) var projectWeights: [String: Double]
    private(set) var campaignWeights: [String: Double] = [:]
    var projects: [String: ProjectAccount] = [:]
    var campaigns: [String: CampaignAccount] = [:]
    /// Running experiments by experiment ID.
    var dispatches: [String: Dispatch] = [:]
    /// Smoothed duration of all finished experiments; the estimate for campaigns with no history.
    var typicalDuration: Double?
    /// The latest time seen.
    var clock = -Double.infinity

    /// - Parameters:
    ///   - projectWeights: project → weight; projects not listed weigh 1.
    ///   - halfLife: seconds; positive. `.infinity` keeps all history at full weight.
    public init(projectWeights: [String: Double] = [:], halfLife: Double = defaultHalfLife) {
        precondition(halfLife > 0, "FairShareScheduler: halfLife must be positive (use .infinity for no decay)")
        self.halfLife = halfLife
        decayRate = DecayedUsage.decayRate(halfLife: halfLife)
        self.projectWeights = projectWeights.mapValues(Self.sanitised)
    }

    public mutating func setWeight(_ weight: Double, for project: String) {
        projectWeights[project] = Self.sanitised(weight)
    }

    /// A campaign's weight within its project; campaigns not set weigh 1, so they share equally.
    public mutating func setCampaignWeight(_ weight: Double, for campaign: String) {
        campaignWeights[campaign] = Self.sanitised(weight)
    }

    public func weight(of project: String) -> Double {
        projectWeights[project] ?? 1
    }

    public func campaignWeight(of campaign: String) -> Double {
        campaignWeights[campaign] ?? 1
    }

    /// Chooses which queued experiments start on which free slots, and records each one as started
    /// at `now` (charging its project and campaign until `finished`).
    ///
    /// - Parameters:
    ///   - reservations: those active at `now` restrict their instrument to their project.
    ///   - declined: experiment → instruments that refused it; it is not offered to them again.
    public mutating func assign(queue: [QueuedExperiment], free: [FreeInstrument], now: Double,
                                reservations: [Reservation] = [],
                                declined: [String: Set<String>] = [:]) -> [(experimentID: String, instrumentID: String)] {
        let now = observe(now)
        refreshActivity(queue: queue, now: now)
        var slots = PlannedSlot.slots(free: free, holders: reservations.holders(at: now))
        return plan(queue: queue, slots: &slots, now: now, declined: declined).map {
            (queue[$0.experiment].experimentID, slots[$0.slot].instrument.instrumentID)
        }
    }

    /// Ends a dispatch: the instrument time stops being charged. Call it however the dispatch ends
    /// (result, failure, decline, lost instrument); unknown IDs are ignored.
    public mutating func finished(experimentID: String, at now: Double) {
        let now = observe(now)
        guard let dispatch = dispatches.removeValue(forKey: experimentID) else { return }
        projects[dispatch.project]?.usage.stop(at: now, decayRate: decayRate)
        let duration = now - dispatch.start
        typicalDuration = Self.smoothed(typicalDuration, with: duration)
        if var campaign = campaigns[dispatch.campaign] {
            campaign.usage.stop(at: now, decayRate: decayRate)
            campaign.typicalDuration = Self.smoothed(campaign.typicalDuration, with: duration)
            campaigns[dispatch.campaign] = campaign
        }
    }

    /// Drops what the scheduler remembers of a campaign (its usage and weight). Its running
    /// experiments still charge the project until they finish.
    public mutating func forget(campaign: String) {
        campaigns[campaign] = nil
        campaignWeights[campaign] = nil
    }

    /// `now`, clamped so that time never goes backwards, and remembered.
    mutating func observe(_ now: Double) -> Double {
        clock = max(clock, now)
        return clock
    }

    static func sanitised(_ weight: Double) -> Double {
        weight.isFinite ? max(weight, minimumWeight) : 1
    }

    static func smoothed(_ typical: Double?, with duration: Double) -> Double {
        guard let typical else { return duration }
        return typical + durationSmoothing * (duration - typical)
    }
}
