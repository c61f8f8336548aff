/// One project's line in `FairShareScheduler.shares(now:)`: what it received against what it is entitled to.
public struct ProjectShare: Sendable, Hashable {
    public var project: String
    public var weight: Double
    /// It has queued work (as of the last `assign`) or running work.
    public var isActive: Bool
    /// `weight / (sum of the weights of the active projects)`; zero for an inactive project.
    public var entitlement: Double
    /// Its fraction of all the decayed instrument time; zero when nothing has run.
    public var received: Double
    /// Its decayed instrument time in seconds (instrument-seconds, each second weighted by
    /// `2^(-age / halfLife)`).
    public var usage: Double
    /// Its experiments running now.
    public var running: Int

    public init(project: String, weight: Double, isActive: Bool, entitlement: Double, received: Double,
                usage: Double, running: Int) {
        self.project = project
        self.weight = weight
        self.isActive = isActive
        self.entitlement = entitlement
        self.received = received
        self.usage = usage
        self.running = running
    }
}
