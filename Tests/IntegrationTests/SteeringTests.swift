import Foundation
import GRDB
import LabLoopCore
import LabLoopPeer
import LabLoopProtocol
import Testing

@Suite("Steering campaigns and instruments", .serialized)
struct SteeringTests {
    /// Polls `labloop campaign status --json` until `predicate` holds for its JSON.
    func waitForStatus(_ id: String, _ lab: Lab, timeout: Duration = .seconds(60),
                       until predicate: ([String: Any]) -> Bool) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let result = try await labloop(["campaign", "status", id, "--json", "--data", lab.directory.path])
            if let object = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
               predicate(object) { return object }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw LabError("campaign \(id) did not reach the expected status")
    }

    static func count(_ status: [String: Any], _ state: String) -> Int {
        ((status["experiments"] as? [[String: Any]]) ?? []).first { $0["state"] as? String == state }?["count"] as? Int ?? 0
    }

    @Test("manual approval: nothing runs before approval, rejected candidates never run, decisions name who made them")
    func manualApproval() async throws {
        let lab = try Lab()
        try await withLabProcesses(lab) {
            try await lab.startCoordinator()
            try await lab.startReactor("reactor-a")
            try await lab.startModel()
            let data = ["--data", lab.directory.path]
            let file = try CampaignYAML.write(CampaignYAML.reactor(experiments: 6, parallel: 3, approval: "manual"), in: lab)
            let id = try await labloop(["campaign", "submit", file] + data).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            _ = try await waitForStatus(id, lab) { Self.count($0, "EXPERIMENT_STATE_AWAITING_APPROVAL") == 3 }
            // Proposals wait: give the dispatcher every chance to (wrongly) send something.
            try await Task.sleep(for: .milliseconds(700))
            let waiting = try await waitForStatus(id, lab) { _ in true }
            #expect(Self.count(waiting, "EXPERIMENT_STATE_DISPATCHED") + Self.count(waiting, "EXPERIMENT_STATE_RUNNING")
                    + Self.count(waiting, "EXPERIMENT_STATE_COMPLETED") == 0, "something ran before approval")

            let rows = try await labloop(["campaign", "export", id, "--format", "jsonl"] + data).stdout.split(separator: "\n")
            let pending = rows.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                .filter { $0["state"] as? String == "awaiting_approval" }.compactMap { $0["experiment_id"] as? String }
            #expect(pending.count == 3)
            let rejectedID = try #require(pending.first)
            let reject = try await labloop(["campaign", "reject", id, rejectedID, "--reason", "too hot"] + data + (try await lab.keyArguments("ada", role: .operator)))
            #expect(reject.status == 0, "\(reject.stderr)")
            #expect(reject.stdout.contains("rejected 1 experiment"))
            let refused = try await labloop(["campaign", "approve", id, rejectedID] + data + (try await lab.keyArguments("ada", role: .operator)))
            #expect(refused.status == 1, "approving a rejected experiment must be refused")

            // Keep approving until the budget is spent: each approval lets the model propose more.
            let deadline = ContinuousClock.now + .seconds(90)
            var final: [String: Any] = [:]
            while ContinuousClock.now < deadline {
                _ = try await labloop(["campaign", "approve", id, "--all"] + data + (try await lab.keyArguments("bob", role: .operator)))
                final = try await waitForStatus(id, lab) { _ in true }
                if final["state"] as? String == "CAMPAIGN_STATE_COMPLETED" { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(final["state"] as? String == "CAMPAIGN_STATE_COMPLETED", "\(final)")
            #expect(Self.count(final, "EXPERIMENT_STATE_COMPLETED") == 6, "the rejected candidate must not spend the budget")

            let invariants = try StoreInvariants(path: lab.databasePath)
            try invariants.checkHistories()
            let (rejectedPath, notApproved, approvals, audit) = try await invariants.db.read { db in
                (try String.fetchAll(db, sql: "SELECT to_state FROM experiment_transitions WHERE experiment_id = ? ORDER BY id",
                                     arguments: [rejectedID]),
                 // Every experiment that was dispatched was approved first, by a named person.
                 try Int.fetchOne(db, sql: """
                    SELECT COUNT(*) FROM experiment_transitions d WHERE d.to_state = 'dispatched' AND NOT EXISTS (
                        SELECT 1 FROM experiment_transitions a WHERE a.experiment_id = d.experiment_id
                        AND a.from_state = 'awaiting_approval' AND a.to_state = 'queued' AND a.reason LIKE 'approved by bob%')
                    """)!,
                 try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM experiment_transitions WHERE reason LIKE 'approved by bob%'")!,
                 try Row.fetchAll(db, sql: "SELECT principal, action, outcome FROM audit ORDER BY id").map {
                     "\($0["principal"] as String) \($0["action"] as String) \($0["outcome"] as String)"
                 })
            }
            #expect(rejectedPath == ["awaiting_approval", "rejected"], "the rejected experiment moved: \(rejectedPath)")
            #expect(notApproved == 0)
            #expect(approvals == 6)
            #expect(audit.contains("ada reject ok"))
            #expect(audit.contains { $0.hasPrefix("ada approve refused") })
            #expect(audit.contains("bob approve ok"))
            #expect(audit.contains("admin submit ok"))
        }
    }

    @Test("pause, resume, cancel, list, instruments list and drain")
    func pauseResumeCancelAndDrain() async throws {
        let lab = try Lab()
        try await withLabProcesses(lab) {
            try await lab.startCoordinator()
            try await lab.startReactor("reactor-a", capacity: 1, durationMs: 150)
            try await lab.startReactor("reactor-b", capacity: 1, durationMs: 150)
            try await lab.startModel()
            let data = ["--data", lab.directory.path]
            let file = try CampaignYAML.write(CampaignYAML.reactor(experiments: 200, parallel: 2), in: lab)
            let id = try await labloop(["campaign", "submit", file] + data).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            _ = try await waitForStatus(id, lab) { Self.count($0, "EXPERIMENT_STATE_COMPLETED") >= 2 }

            let drained = try await labloop(["instruments", "drain", "reactor-b"] + data)
            #expect(drained.status == 0, "\(drained.stderr)")
            #expect(drained.stdout.contains("draining"))
            let unknown = try await labloop(["instruments", "drain", "no-such"] + data)
            #expect(unknown.status == 1 && unknown.stderr.contains("unknown instrument no-such"))
            let listed = try await labloop(["instruments", "list", "--json"] + data)
            let instruments = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any])
            let entries = (instruments["instruments"] as? [[String: Any]]) ?? []
            #expect(entries.count == 2)
            #expect(entries.first { $0["instrumentId"] as? String == "reactor-b" }?["draining"] as? Bool == true)
            let table = try await labloop(["instruments", "list"] + data)
            #expect(table.stdout.contains("reactor-a") && table.stdout.contains("UTIL"))

            let paused = try await labloop(["campaign", "pause", id] + data)
            #expect(paused.status == 0 && paused.stdout.contains("paused"), "\(paused.stdout + paused.stderr)")
            // Let what was running finish; then nothing moves while paused.
            try await Task.sleep(for: .milliseconds(500))
            let before = try await waitForStatus(id, lab) { _ in true }
            try await Task.sleep(for: .milliseconds(600))
            let after = try await waitForStatus(id, lab) { _ in true }
            #expect(Self.count(before, "EXPERIMENT_STATE_COMPLETED") == Self.count(after, "EXPERIMENT_STATE_COMPLETED"),
                    "experiments completed while paused")
            let again = try await labloop(["campaign", "pause", id] + data)
            #expect(again.status == 1 && again.stderr.contains("not running"))

            #expect(try await labloop(["campaign", "resume", id] + data).status == 0)
            _ = try await waitForStatus(id, lab) {
                Self.count($0, "EXPERIMENT_STATE_COMPLETED") > Self.count(after, "EXPERIMENT_STATE_COMPLETED")
            }
            let list = try await labloop(["campaign", "list"] + data)
            #expect(list.stdout.contains(id) && list.stdout.contains("running"))

            let cancelled = try await labloop(["campaign", "cancel", id, "--abort"] + data)
            #expect(cancelled.status == 0 && cancelled.stdout.contains("cancelled"), "\(cancelled.stderr)")
            let watched = try await labloop(["campaign", "watch", id, "--json"] + data)
            #expect(watched.status == 3, "watch must exit 3 for a cancelled campaign")
            #expect(watched.stdout.contains("\"CAMPAIGN_STATE_CANCELLED\""), "\(watched.stdout)")

            let invariants = try StoreInvariants(path: lab.databasePath)
            try invariants.checkHistories(allowActive: true)
            let drainedRuns = try await invariants.db.read { db in
                try Int.fetchOne(db, sql: """
                    SELECT COUNT(*) FROM experiment_transitions t
                    WHERE t.to_state = 'dispatched' AND t.instrument_id = 'reactor-b'
                      AND t.at > (SELECT at FROM audit WHERE action = 'drain' LIMIT 1)
                    """)!
            }
            #expect(drainedRuns == 0, "a drained instrument received new work")
        }
    }
}
