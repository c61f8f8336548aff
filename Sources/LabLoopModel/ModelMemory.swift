import LabLoopCore
import LabLoopProtocol

/// What the model server has learned from the event stream: every recorded result, by campaign.
actor ModelMemory {
    private(set) var lastSeq: UInt64 = 0
    private var results: [String: [(experimentID: String, point: Point, measurements: [String: Double], succeeded: Bool)]] = [:]
    private var waiters: [(seq: UInt64, continuation: CheckedContinuation<Void, Never>)] = []

    func apply(_ event: Labloop_V1_Event) {
        if case .resultRecorded(let recorded)? = event.kind, let point = try? Point(wire: recorded.parameters) {
            var measurements: [String: Double] = [:]
            for named in recorded.measurements {
                switch named.value.kind {
                case .real(let x)?: measurements[named.name] = x
                case .integer(let x)?: measurements[named.name] = Double(x)
                default: break
                }
            }
            results[event.campaignID, default: []].append(
                (recorded.experimentID, point, measurements, recorded.outcome == .succeeded))
        }
        lastSeq = max(lastSeq, event.seq)
        let ready = waiters.filter { $0.seq <= lastSeq }
        waiters.removeAll { $0.seq <= lastSeq }
        for waiter in ready { waiter.continuation.resume() }
    }

    /// Waits until events up to `seq` have been applied, or `timeout` passes.
    func caughtUp(to seq: UInt64, timeout: Duration) async -> Bool {
        if lastSeq >= seq { return true }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.wait(for: seq) }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
            self.releaseWaiters(for: seq)
        }
        return lastSeq >= seq
    }

    private func wait(for seq: UInt64) async {
        await withCheckedContinuation { continuation in
            if lastSeq >= seq { continuation.resume() } else { waiters.append((seq, continuation)) }
        }
    }

    private func releaseWaiters(for seq: UInt64) {
        let matching = waiters.filter { $0.seq == seq }
        waiters.removeAll { $0.seq == seq }
        for waiter in matching { waiter.continuation.resume() }
    }

    func observations(campaignID: String, objective: String) -> [Observation] {
        (results[campaignID] ?? []).map { entry in
            Observation(experimentID: entry.experimentID, point: entry.point,
                        objective: entry.succeeded ? entry.measurements[objective] : nil,
                        measurements: entry.measurements)
        }
    }
}
