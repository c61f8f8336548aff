import Foundation
import LabLoopProtocol

/// The agent's mutable state: registration, running jobs, and results awaiting acknowledgement.
actor AgentSession {
    struct Pending {
        var experimentID: String
        var frame: Data
        var lastSent: ContinuousClock.Instant?
    }

    let clock = ContinuousClock()
    var registered = false
    var lastHello: ContinuousClock.Instant?
    var lastHeard: ContinuousClock.Instant
    var lastHeartbeat: ContinuousClock.Instant
    var heartbeatInterval = Duration.seconds(1)
    var livenessTimeout = Duration.seconds(5)
    var jobs: [String: Task<Void, Never>] = [:]
    var unacked: [String: Pending] = [:]

    init(recovered: [Outbox.Entry]) {
        lastHeard = clock.now
        lastHeartbeat = clock.now
        for entry in recovered { unacked[entry.messageID] = Pending(experimentID: entry.experimentID, frame: entry.frame) }
    }

    /// Experiments accepted whose result is not yet acknowledged: what a hello reports in flight.
    var inFlight: [String] { Array(Set(jobs.keys).union(unacked.values.map(\.experimentID))).sorted() }

    func heard() { lastHeard = clock.now }

    func welcomed(_ welcome: Labloop_V1_AgentWelcome) -> [String] {
        registered = true
        lastHeard = clock.now
        heartbeatInterval = .milliseconds(Int(max(100, welcome.heartbeatIntervalMs)))
        livenessTimeout = .milliseconds(Int(max(1_000, welcome.livenessTimeoutMs)))
        for id in welcome.cancel { jobs[id]?.cancel() }
        let unwanted = unacked.filter { welcome.cancel.contains($0.value.experimentID) }.map(\.key)
        for key in unwanted { unacked[key] = nil }
        // Resend everything unacknowledged now that the coordinator knows us again.
        for key in unacked.keys { unacked[key]?.lastSent = nil }
        return unwanted
    }

    func lostRegistration() { registered = false }

    func shouldHello(every interval: Duration) -> Bool {
        guard !registered else { return false }
        if let last = lastHello, clock.now - last < interval { return false }
        lastHello = clock.now
        return true
    }

    func heartbeatDue() -> Bool {
        guard registered, clock.now - lastHeartbeat >= heartbeatInterval else { return false }
        lastHeartbeat = clock.now
        return true
    }

    /// The coordinator has been silent past the liveness limit: assume it restarted.
    func coordinatorSilent() -> Bool { registered && clock.now - lastHeard > livenessTimeout }

    func resendDue(after interval: Duration) -> [Data] {
        guard registered else { return [] }
        let now = clock.now
        var frames: [Data] = []
        for (key, pending) in unacked where pending.lastSent.map({ now - $0 >= interval }) ?? true {
            unacked[key]?.lastSent = now
            frames.append(pending.frame)
        }
        return frames
    }

    func isRunning(_ experimentID: String) -> Bool { jobs[experimentID] != nil }
    func hasResult(for experimentID: String) -> Bool { unacked.values.contains { $0.experimentID == experimentID } }
    var runningCount: Int { jobs.count }

    func started(_ experimentID: String, _ task: Task<Void, Never>) { jobs[experimentID] = task }
    func cancel(_ experimentID: String) { jobs[experimentID]?.cancel() }

    func finished(_ experimentID: String, messageID: String, frame: Data) {
        jobs[experimentID] = nil
        unacked[messageID] = Pending(experimentID: experimentID, frame: frame, lastSent: clock.now)
    }

    func acknowledged(_ messageID: String) -> Bool { unacked.removeValue(forKey: messageID) != nil }

    func stopAll() -> [Task<Void, Never>] {
        let all = Array(jobs.values)
        all.forEach { $0.cancel() }
        return all
    }
}
