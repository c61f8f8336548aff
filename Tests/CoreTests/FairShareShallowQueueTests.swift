import LabLoopCore
import Testing

/// The coordinator's shape: each campaign keeps only `parallel` experiments queued or running (it asks
/// its model for more as they finish), experiments are short, and time starts at zero.
@Suite("Fair share with shallow queues")
struct FairShareShallowQueueTests {
    @Test func weightedSharesWithShallowQueues() {
        var scheduler = FairShareScheduler(projectWeights: ["alpha": 1, "beta": 2])
        let instruments = (1...3).map { FreeInstrument(instrumentID: "i\($0)", kind: "k", operations: ["op"], freeSlots: 1) }
        var busy: [String: (experiment: String, project: String, ends: Double)] = [:]
        var queued: [QueuedExperiment] = []
        var active = ["alpha": 0, "beta": 0]
        var time = ["alpha": 0.0, "beta": 0.0]
        var counter: UInt64 = 0
        var now = 0.0
        func refill() {
            for project in ["alpha", "beta"] where active[project]! < 4 {
                for _ in active[project]!..<4 {
                    counter += 1
                    queued.append(QueuedExperiment(experimentID: "\(project)-\(counter)", campaignID: project,
                                                   instrumentKind: "k", operation: "op", order: counter, project: project))
                    active[project]! += 1
                }
            }
        }
        // Only alpha has work at first: its first experiments start with no duration known yet.
        for _ in 0..<4 {
            counter += 1
            queued.append(QueuedExperiment(experimentID: "alpha-\(counter)", campaignID: "alpha", instrumentKind: "k",
                                           operation: "op", order: counter, project: "alpha"))
        }
        active["alpha"] = 4
        func pass() {
            let free = instruments.filter { busy[$0.instrumentID] == nil }
            for (experimentID, instrumentID) in scheduler.assign(queue: queued, free: free, now: now) {
                let entry = queued.first { $0.experimentID == experimentID }!
                queued.removeAll { $0.experimentID == experimentID }
                busy[instrumentID] = (experimentID, entry.project, now + 0.06)
            }
        }
        pass()
        now = 0.01
        refill()  // beta joins while alpha's first experiments run
        for _ in 0..<2_000 {
            pass()
            guard let next = busy.min(by: { $0.value.ends < $1.value.ends }) else { break }
            now = next.value.ends
            busy[next.key] = nil
            scheduler.finished(experimentID: next.value.experiment, at: now)
            time[next.value.project]! += 0.06
            active[next.value.project]! -= 1
            // As in the coordinator: a pass runs on the result, before the replacement proposal arrives.
            pass()
            now += 0.002
            refill()
        }
        let share = time["beta"]! / (time["alpha"]! + time["beta"]!)
        #expect(abs(share - 2.0 / 3.0) <= 0.05, "beta's share \(share): \(time)")
    }
}
