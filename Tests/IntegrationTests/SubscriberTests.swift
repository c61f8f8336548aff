import Foundation
import GRDB
import LabLoopCore
import LabLoopPeer
import LabLoopProtocol
import Testing

@Suite("Stalled subscribers", .serialized)
struct SubscriberTests {
    /// The seqs `labloop campaign events` printed, in order.
    static func printedSeqs(_ log: String) -> [Int] {
        log.split(separator: "\n").compactMap { line in
            guard let space = line.firstIndex(of: " "), let seq = Int(line[..<space]) else { return nil }
            return seq
        }
    }

    static func median(_ values: [Duration]) -> Duration { values.sorted()[values.count / 2] }

    @Test("a subscriber stopped with SIGSTOP converges to the store by gap fill; the coordinator does not slow down")
    func stoppedSubscriber() async throws {
        let lab = try Lab()
        let experiments = 240
        var baseline: [Duration] = []
        var stalled: [Duration] = []
        try await withLabProcesses(lab) {
            // Tiny queues and kernel buffers on the event stream, so a stalled subscriber overflows them within
            // seconds (the defaults hold 100,000 events) and the coordinator's PUB must drop for it.
            try await lab.startCoordinator(extra: ["--events-queue", "20", "--events-socket-buffer", "4096"])
            try await lab.startReactor("reactor-a", capacity: 4, durationMs: 30)
            try await lab.startReactor("reactor-b", capacity: 4, durationMs: 30)
            try await lab.startReactor("reactor-c", capacity: 4, durationMs: 30)
            try await lab.startModel()
            let campaignID = try await lab.submit(ClosedLoopTests.reactorCampaign(experiments: experiments, parallel: 12))
            let subscriber = try lab.start("events", "labloop", [
                "campaign", "events", campaignID, "--data", lab.dataDirectory.path, "--receive-queue", "20", "--socket-buffer", "4096",
            ])
            var get = Labloop_V1_GetCampaign()
            get.campaignID = campaignID
            func roundTrip() async throws -> (Duration, Int) {
                let start = ContinuousClock.now
                let summary = try await lab.control(.getCampaign(get)).campaign
                return (ContinuousClock.now - start, Int(summary.experiments.first { $0.state == .completed }?.count ?? 0))
            }
            let deadline = ContinuousClock.now + .seconds(30)
            while Self.printedSeqs(lab.log("events")).count < 3, ContinuousClock.now < deadline {
                baseline.append(try await roundTrip().0)
                try await Task.sleep(for: .milliseconds(50))
            }
            let completedBefore = try await roundTrip().1
            let coordinatorPID = lab.children[0].pid
            let memoryBefore = residentMiB(coordinatorPID) ?? 0
            var memoryPeak = memoryBefore
            kill(subscriber.pid, SIGSTOP)
            let printedAtStop = Self.printedSeqs(lab.log("events")).count
            // Stopped until 120 experiments (over 700 events, about 70 kB) went by: far more than the
            // queues and socket buffers between the coordinator and the subscriber hold (about 35 kB),
            // however fast the campaign runs on this machine.
            let stallStart = ContinuousClock.now
            var completedDuring = completedBefore
            while ContinuousClock.now - stallStart < .seconds(2)
                    || (completedDuring - completedBefore < 120 && ContinuousClock.now - stallStart < .seconds(60)) {
                let (duration, completed) = try await roundTrip()
                stalled.append(duration)
                completedDuring = completed
                memoryPeak = max(memoryPeak, residentMiB(coordinatorPID) ?? 0)
                try await Task.sleep(for: .milliseconds(100))
            }
            let stalledFor = ContinuousClock.now - stallStart
            kill(subscriber.pid, SIGCONT)
            #expect(completedDuring > completedBefore, "the campaign made no progress while a subscriber was stopped")
            let summary = try await lab.waitUntilFinished(campaignID, timeout: .seconds(120))
            #expect(CampaignState(summary.state) == .completed)
            let exit = await subscriber.wait(timeout: .seconds(30))
            #expect(exit == 0, "the subscriber did not finish: \(lab.log("events").suffix(2000))")
            let log = lab.log("events")
            let printed = Self.printedSeqs(log)
            let stored = try await StoreInvariants(path: lab.databasePath).db.read { db in
                try Int.fetchAll(db, sql: "SELECT seq FROM events WHERE campaign_id = ? ORDER BY seq", arguments: [campaignID])
            }
            #expect(printed == stored, "the subscriber's view (\(printed.count) events) differs from the store (\(stored.count))")
            let gaps = log.components(separatedBy: "filled a gap").count - 1
            print("subscriber: stopped for \(stalledFor) after \(printedAtStop) events; \(stored.count) events in the store, "
                  + "\(printed.count) printed, \(gaps) gaps filled from catch-up; experiments completed during the stop: "
                  + "\(completedDuring - completedBefore); control round trip median \(Self.median(baseline)) before, "
                  + "median \(Self.median(stalled)) / max \(stalled.max() ?? .zero) during the stop (\(stalled.count) samples); "
                  + "coordinator memory \(Int(memoryBefore)) MiB before, peak \(Int(memoryPeak)) MiB during the stop")
            #expect(memoryPeak - memoryBefore < 200, "the coordinator's memory grew by \(memoryPeak - memoryBefore) MiB for a stalled subscriber")
            #expect(gaps >= 1, "the stream never dropped for the stopped subscriber, so gap fill was not exercised")
            // Generous: a stalled subscriber must not make the coordinator wait on it at all.
            #expect((stalled.max() ?? .zero) < .seconds(3), "control round trips grew while a subscriber was stopped")
        }
        let invariants = try StoreInvariants(path: lab.databasePath)
        try invariants.checkContiguousSeq()
        #expect(try invariants.checkHistories() == experiments)
        try invariants.checkResultsLinked()
    }
}
