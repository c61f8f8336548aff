import Foundation
import LabLoopCore
import LabLoopProtocol
import LabLoopStore
import Logging

/// Owns one campaign: its experiments, its requests to the model, and its stop rules.
actor CampaignActor {
    let id: String
    let spec: CampaignSpec
    let wireSpec: Labloop_V1_CampaignSpec
    let deps: CoordinatorDeps
    let logger: Logger
    var state: CampaignState
    var stateReason: String
    let submittedAt: Int64
    /// When it completed or was cancelled (unix ms); 0 while active.
    var finishedAt: Int64 = 0
    var experiments: [String: ExperimentRecord] = [:]
    /// A finished campaign a restart left in the store: none of its experiments can change any more, so
    /// they are read only when one is needed (`unshelve()`), and its summary counts come from the store.
    var shelved = false
    /// A shelved campaign's counts and best experiment, read from the store on the first summary.
    var shelvedTally: CampaignTally?
    /// The read of a shelved campaign's experiments in progress, shared by whoever needs them meanwhile.
    var unshelving: Task<[StoredExperiment], any Error>?
    var order: [String] = []
    /// Ids of the experiments not in a terminal state: what the hot paths scan instead of every experiment.
    var active: Set<String> = []
    /// Active experiments' `PendingPoint`s, encoded for the proposal requests that list them.
    var encodedPendingPoints: [String: Data] = [:]
    var progress = CampaignProgress()
    var nextExperimentNumber = 1
    /// The proposal request in flight: its id, the model it went to, and when.
    var outstanding: (requestID: String, modelID: String, count: Int, sentAt: ContinuousClock.Instant)?
    /// Proposals for the outstanding request are being committed: it stays outstanding until the
    /// accepted candidates are counted, so no second request is sized from stale counts.
    var answering = false
    /// Candidates rejected since this coordinator started, told to models so sequence designs advance.
    var rejectedCandidates = 0
    var waitingForModel = false
    /// After a proposal that yielded nothing, wait before asking again (a broken model must not spin us).
    var quietUntil: ContinuousClock.Instant?
    var finishing = false
    /// Assignments sent again since this coordinator started (for tests and the log).
    var resentAssignments = 0
    /// Result handlers waiting for an experiment's pending change (e.g. its acceptance) to commit.
    var settleWaiters: [String: [CheckedContinuation<Void, Never>]] = [:]
    let clock = ContinuousClock()

    init(id: String, spec: CampaignSpec, wireSpec: Labloop_V1_CampaignSpec, state: CampaignState,
         stateReason: String, submittedAt: Int64, deps: CoordinatorDeps) {
        self.id = id
        self.spec = spec
        self.wireSpec = wireSpec
        self.state = state
        self.stateReason = stateReason
        self.submittedAt = submittedAt
        self.deps = deps
        var logger = deps.logger
        logger[metadataKey: "campaign"] = "\(id)"
        self.logger = logger
    }

    func newExperimentID() -> String {
        defer { nextExperimentNumber += 1 }
        return "\(id)-\(String(format: "%04d", nextExperimentNumber))"
    }

    // MARK: Lifecycle

    /// Decides what to do next: ask for proposals, or finish when a stop rule holds and nothing is active.
    func evaluate() async {
        guard state == .running, !finishing else { return }
        let nowMs = Int64(Date().timeIntervalSince1970 * 1000)
        if let reason = progress.stopReason(spec: spec, nowUnixMs: nowMs) {
            if !reason.hasPrefix("budget") { await cancelWaiting(reason: "campaign stopping: \(reason)") }
            if progress.active == 0 { await finish(.completed, reason: reason) }
            return
        }
        if let quietUntil, clock.now < quietUntil { return }
        // A wide campaign asks in batches: each request lists every pending point, so one request per
        // finished experiment would cost the coordinator and the model O(max_parallel) each time.
        let wanted = progress.candidatesWanted(spec: spec)
        let batch = min(max(1, spec.maxParallel / 16), spec.maxExperiments - progress.candidatesAccepted)
        if wanted > 0, wanted >= batch, outstanding == nil { await requestProposals(count: wanted) }
    }

    func finish(_ final: CampaignState, reason: String) async {
        guard !state.isTerminal, !finishing else { return }
        finishing = true
        defer { finishing = false }
        do {
            try await moveCampaign(to: final, reason: reason)
            await deps.dispatcher.forget(campaignID: id)
            logger.info("campaign \(final.rawValue)", metadata: ["reason": "\(reason)"])
        } catch {
            logger.error("could not record campaign end", metadata: ["error": "\(error.reason)"])
        }
    }

    func pause() async throws(WireError) {
        guard state == .running else { throw WireError(.invalidState, "campaign \(id) is \(state.rawValue), not running") }
        try await moveCampaign(to: .paused, reason: "paused by operator")
        await deps.dispatcher.hold(campaignID: id)
        await withdrawHeld(to: .queued, reason: "campaign paused")
    }

    func resume() async throws(WireError) {
        guard state == .paused else { throw WireError(.invalidState, "campaign \(id) is \(state.rawValue), not paused") }
        try await moveCampaign(to: .running, reason: "resumed by operator")
        await deps.dispatcher.release(campaignID: id)
        await evaluate()
        await deps.dispatcher.kick()
    }

    func cancel(abortRunning: Bool) async throws(WireError) {
        guard !state.isTerminal else { throw WireError(.invalidState, "campaign \(id) is already \(state.rawValue)") }
        await cancelWaiting(reason: "campaign cancelled")
        try await moveCampaign(to: .cancelled, reason: abortRunning ? "cancelled; running experiments aborted" : "cancelled")
        await deps.dispatcher.forget(campaignID: id)
        // Proposals committed while the move was awaited are waiting too.
        await cancelWaiting(reason: "campaign cancelled")
        if abortRunning {
            for record in activeRecords where record.state.isAtInstrument {
                guard let instrument = record.instrumentID,
                      let routing = await deps.registry.routingID(of: instrument) else { continue }
                var cancel = Labloop_V1_Cancel()
                cancel.experimentID = record.id
                cancel.reason = "campaign cancelled by operator"
                deps.gateway.send(.cancel(cancel), to: routing, on: .agent)
            }
        }
    }

    private func moveCampaign(to next: CampaignState, reason: String) async throws(WireError) {
        let (id, from) = (self.id, state)
        let at: Int64
        do {
            at = try await deps.store.write { tx in
                try tx.moveCampaign(id: id, from: from, to: next, reason: reason)
                return tx.now  // the stored time, so a restart reports the same
            }
        } catch {
            throw WireError(.unavailable, "could not record the change: \(error)")
        }
        state = next
        stateReason = reason
        if next.isTerminal { finishedAt = at }
    }

    static func nowUnixMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// Cancels every experiment that has not reached an instrument, including those held ahead.
    func cancelWaiting(reason: String) async {
        await withdrawHeld(to: .cancelled, reason: reason)
        let waiting = activeRecords.filter { ($0.state == .queued || $0.state == .awaitingApproval) && !$0.busy }
        guard !waiting.isEmpty else { return }
        let moves = waiting.map { ($0.id, $0.state) }
        for (experimentID, _) in moves { experiments[experimentID]?.busy = true }
        await deps.dispatcher.remove(experimentIDs: moves.map(\.0))
        let id = self.id
        do {
            try await deps.store.write { tx in
                for (experimentID, from) in moves {
                    try tx.moveExperiment(campaignID: id, experimentID: experimentID, from: from, to: .cancelled,
                                          instrumentID: nil, reason: reason)
                }
            }
            for (experimentID, from) in moves { setState(experimentID, from: from, to: .cancelled) }
        } catch {
            logger.error("could not cancel waiting experiments", metadata: ["error": "\(error)"])
        }
        for (experimentID, _) in moves { experiments[experimentID]?.busy = false }
    }

    /// The experiments not in a terminal state.
    var activeRecords: [ExperimentRecord] { active.compactMap { experiments[$0] } }

    /// Applies a committed state change to memory and the counters.
    func setState(_ experimentID: String, from: ExperimentState?, to: ExperimentState) {
        experiments[experimentID]?.state = to
        if to.isTerminal {
            active.remove(experimentID)
            encodedPendingPoints[experimentID] = nil
        } else {
            active.insert(experimentID)
        }
        progress.move(from: from, to: to)
    }

    // MARK: Reading

    func summary() async throws(WireError) -> Labloop_V1_CampaignSummary {
        let tally = shelved ? try await tallyFromStore() : nil
        var summary = Labloop_V1_CampaignSummary()
        summary.campaignID = id
        summary.name = spec.name
        summary.project = spec.project
        summary.state = state.wire
        summary.stateReason = stateReason
        summary.submittedUnixMs = submittedAt
        summary.maxExperiments = UInt32(clamping: spec.maxExperiments)
        summary.finishedUnixMs = finishedAt
        summary.nowUnixMs = Self.nowUnixMs()
        summary.objective = spec.objective.measurement
        summary.direction = spec.objective.direction == .maximize ? .maximize : .minimize
        summary.instrumentsInUse = Set(activeRecords.filter(\.state.isAtInstrument).compactMap(\.instrumentID)).sorted()
        let counts = tally?.counts ?? progress.counts
        summary.experiments = ExperimentState.allCases.compactMap { experimentState in
            guard let count = counts[experimentState], count > 0 else { return nil }
            var entry = Labloop_V1_ExperimentCount()
            entry.state = experimentState.wire
            entry.count = UInt32(count)
            return entry
        }
        if let tally {
            if let best = tally.best {
                summary.bestObjective = best.objective
                summary.bestExperimentID = best.experimentID
                summary.bestParameters = best.parameters
            }
        } else if let best = progress.best, let bestID = progress.bestExperimentID {
            summary.bestObjective = best
            summary.bestExperimentID = bestID
            summary.bestParameters = experiments[bestID]?.parameters ?? []
        }
        return summary
    }
}
