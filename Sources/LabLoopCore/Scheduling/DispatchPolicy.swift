/// An experiment waiting for an instrument.
public struct QueuedExperiment: Sendable, Hashable {
    public var experimentID: String
    public var campaignID: String
    public var instrumentKind: String
    public var operation: String
    /// Order of arrival; lower goes first within a campaign.
    public var order: UInt64
    /// The project the campaign belongs to; `FairShareScheduler` shares instrument time across
    /// projects. `DispatchPolicy` ignores it.
    public var project: String
    /// Higher goes first within its project (usually the campaign's priority). `DispatchPolicy` ignores it.
    public var priority: Int
    /// The experiment's settings: an instrument runs it only if its hard limits cover them.
    public var point: Point

    public init(experimentID: String, campaignID: String, instrumentKind: String, operation: String, order: UInt64,
                project: String = "", priority: Int = 0, point: Point = Point()) {
        self.experimentID = experimentID
        self.campaignID = campaignID
        self.instrumentKind = instrumentKind
        self.operation = operation
        self.order = order
        self.project = project
        self.priority = priority
        self.point = point
    }
}

/// An instrument with room for more work.
public struct FreeInstrument: Sendable, Hashable {
    public var instrumentID: String
    public var kind: String
    public var operations: Set<String>
    public var freeSlots: Int
    /// Hard limits per operation (the safety envelope); an operation without limits accepts anything.
    public var limits: [String: ParameterLimits]

    public init(instrumentID: String, kind: String, operations: Set<String>, freeSlots: Int,
                limits: [String: ParameterLimits] = [:]) {
        self.instrumentID = instrumentID
        self.kind = kind
        self.operations = operations
        self.freeSlots = freeSlots
        self.limits = limits
    }

    public func canRun(_ experiment: QueuedExperiment) -> Bool {
        (experiment.instrumentKind.isEmpty || experiment.instrumentKind == kind)
            && operations.contains(experiment.operation)
            && (limits[experiment.operation]?.violations(of: experiment.point).isEmpty ?? true)
    }
}

/// Chooses which queued experiments go to which free instruments.
///
/// Campaigns take turns (round robin, starting after `lastServedCampaign`), each campaign's
/// experiments go in arrival order, and the policy is work-conserving: as long as some queued
/// experiment fits some free slot, a slot is filled.
public enum DispatchPolicy {
    /// `declined` maps an experiment to the instruments that refused it; it is not offered to them again.
    public static func assign(queue: [QueuedExperiment], free: [FreeInstrument],
                              lastServedCampaign: String? = nil,
                              declined: [String: Set<String>] = [:]) -> [(experimentID: String, instrumentID: String)] {
        var slots = free.filter { $0.freeSlots > 0 }.sorted { $0.instrumentID < $1.instrumentID }
        var byCampaign: [String: [QueuedExperiment]] = [:]
        for entry in queue { byCampaign[entry.campaignID, default: []].append(entry) }
        for key in byCampaign.keys { byCampaign[key]!.sort { $0.order < $1.order } }
        var campaigns = byCampaign.keys.sorted()
        if let last = lastServedCampaign, let index = campaigns.firstIndex(where: { $0 > last }) {
            campaigns = Array(campaigns[index...] + campaigns[..<index])
        }
        var result: [(experimentID: String, instrumentID: String)] = []
        var progressed = true
        while progressed, slots.contains(where: { $0.freeSlots > 0 }) {
            progressed = false
            for campaign in campaigns {
                guard var pending = byCampaign[campaign], !pending.isEmpty else { continue }
                // First experiment of this campaign that some free slot can run.
                for (position, entry) in pending.enumerated() {
                    guard let slot = slots.indices.first(where: { slots[$0].freeSlots > 0 && slots[$0].canRun(entry)
                        && !(declined[entry.experimentID]?.contains(slots[$0].instrumentID) ?? false) })
                    else { continue }
                    slots[slot].freeSlots -= 1
                    result.append((entry.experimentID, slots[slot].instrumentID))
                    pending.remove(at: position)
                    byCampaign[campaign] = pending
                    progressed = true
                    break
                }
            }
        }
        return result
    }
}
