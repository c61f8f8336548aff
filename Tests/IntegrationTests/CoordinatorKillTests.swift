import Foundation
import GRDB
import LabLoopCore
import LabLoopFailpoints
import LabLoopPeer
import LabLoopProtocol
import Logging
import Testing
import ZeroMQ

/// The coordinator dies (`kill -9`, and at each failpoint) again and again during a running campaign
/// with four agents and a model server; each time `labloop serve` restarts on the same data directory.
@Suite("Coordinator killed and restarted", .serialized)
struct CoordinatorKillTests {
    /// One death of the coordinator: a SIGKILL at a random moment, or a failpoint.
    enum Death: CustomStringConvertible {
        case randomKill
        case failpoint(Failpoint)

        var description: String {
            switch self {
            case .randomKill: "SIGKILL"
            case .failpoint(let point): "failpoint \(point.rawValue)"
            }
        }
    }

    static let agents = ["reactor-1", "reactor-2", "reactor-3", "reactor-4"]
    /// Short enough to keep the test quick, long enough for four agents to say hello again.
    static let serveOptions = ["--recovery-grace-ms", "6000"]

    @Test("10 random kills and one at each failpoint: every acknowledged result is stored once; histories are legal")
    func killedRepeatedly() async throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["LABLOOP_KILL_SEED"] ?? "") ?? UInt64.random(in: 1...1_000_000)
        var random = SplitMix64(seed: seed)
        var deaths: [Death] = Array(repeating: .randomKill, count: 10)
        for (offset, point) in [Failpoint.resultInsertedBeforeCommit, .resultCommittedBeforeAck, .assignmentSending,
                                .catchUpSending].enumerated() {
            deaths.insert(.failpoint(point), at: 2 + offset * 3)
        }
        let lab = try Lab()
        // A budget the kills never reach; the operator ends the campaign afterwards (running work finishes).
        // Twice the slots in flight, so each agent also has an experiment dispatched ahead (held, unsent) as it dies.
        var spec = ClosedLoopTests.reactorCampaign(experiments: 1_000, parallel: 8)
        spec.seed = seed
        let started = ContinuousClock.now
        var campaignID = ""
        var killedAt: [Int] = []
        let final = try await withLabAllowingKills(lab, killed: { $0.hasPrefix("coordinator-") }) {
            try await lab.startCoordinator(name: "coordinator-0", extra: Self.serveOptions)
            for agent in Self.agents { try await lab.startReactor(agent, capacity: 1, durationMs: 150) }
            try await lab.startModel()
            campaignID = try await lab.submit(spec)
            for (index, death) in deaths.enumerated() {
                let name = "coordinator-\(index)"
                let coordinator = index == 0 ? lab.children.first { $0.name == name }! : try await restart(lab, name, death)
                switch death {
                case .randomKill:
                    // Wait for work to flow again (a result recorded since this start), then kill at a random moment.
                    let before = try await storedResults(lab)
                    try await waitUntil("a result after restart \(index)", timeout: .seconds(60)) {
                        try await storedResults(lab) > before
                    }
                    try await Task.sleep(for: .milliseconds(Int(random.next() % 800)))
                    coordinator.signal(SIGKILL)
                case .failpoint(let point):
                    if point == .catchUpSending { try await requestCatchUp(lab) }
                }
                let status = await coordinator.wait(timeout: .seconds(60))
                killedAt.append(try await storedResults(lab))
                #expect(status == SIGKILL, "\(name) (\(death)) should have died by SIGKILL, exited \(String(describing: status))")
                if case .failpoint(let point) = death {
                    #expect(lab.log(name).contains("failpoint \(point.rawValue) hit"), "\(name): the failpoint did not fire")
                }
            }
            try await lab.startCoordinator(name: "coordinator-final", extra: Self.serveOptions)
            try await waitUntil("results after the last restart", timeout: .seconds(60)) {
                try await storedResults(lab) > (killedAt.last ?? 0)
            }
            var cancel = Labloop_V1_CancelCampaign()
            cancel.campaignID = campaignID
            _ = try await lab.control(.cancel(cancel))
            do {
                try await waitUntil("every experiment finished", timeout: .seconds(60)) {
                    let summary = try await campaign(lab, campaignID)
                    return summary.experiments.allSatisfy { ExperimentState($0.state)?.isTerminal ?? false }
                }
            } catch {
                let invariants = try StoreInvariants(path: lab.databasePath)
                let stuck = try await invariants.db.read { db in
                    try String.fetchAll(db, sql: """
                        SELECT e.id || ': ' || GROUP_CONCAT(t.to_state || '@' || COALESCE(t.instrument_id, '-') || ' (' || t.reason || ')', ' → ')
                        FROM experiments e JOIN experiment_transitions t ON t.experiment_id = e.id
                        WHERE e.state IN ('awaiting_approval', 'queued', 'dispatched', 'running') GROUP BY e.id
                        """)
                }
                Issue.record("seed \(seed): experiments left unfinished: \(stuck)")
                throw error
            }
            try await waitUntil("every stored result acknowledged to its agent", timeout: .seconds(30)) {
                let stored = try await storedMessageIDs(lab)
                let acknowledged = Self.agents.reduce(into: Set<String>()) { $0.formUnion(acknowledgedResults(inLog: lab.log($1)).keys) }
                return stored.isSubset(of: acknowledged)
            }
            return try await campaign(lab, campaignID)
        }
        let elapsed = ContinuousClock.now - started
        #expect(CampaignState(final.state) == .cancelled)

        // Invariants 1 and 3 on the store.
        let invariants = try StoreInvariants(path: lab.databasePath)
        try invariants.checkContiguousSeq()
        let dispatched = try invariants.checkHistories()
        try invariants.checkResultsLinked()
        let (stored, repeatedMessages, repeatedExperiments, active, needsReview) = try await invariants.db.read { db in
            (Set(try String.fetchAll(db, sql: "SELECT message_id FROM results")),
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (SELECT message_id FROM results GROUP BY 1 HAVING COUNT(*) > 1)")!,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (SELECT experiment_id FROM results GROUP BY 1 HAVING COUNT(*) > 1)")!,
             try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM experiments WHERE state IN ('awaiting_approval', 'queued', 'dispatched', 'running')
                """)!,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM experiments WHERE state = 'needs_review'")!)
        }
        var acknowledged: [String: String] = [:]
        for agent in Self.agents { acknowledged.merge(acknowledgedResults(inLog: lab.log(agent))) { first, _ in first } }
        let lost = Set(acknowledged.keys).subtracting(stored)
        #expect(lost.isEmpty, "acknowledged results missing from the store (seed \(seed)): \(lost)")
        #expect(repeatedMessages == 0 && repeatedExperiments == 0, "a result was stored twice (seed \(seed))")
        #expect(active == 0, "\(active) experiments never reached a terminal state (seed \(seed))")
        #expect(acknowledged.count >= 20, "too few results acknowledged for the test to mean much: \(acknowledged.count)")
        // The result committed at `result-committed-before-ack` had no acknowledgement: its resend got DUPLICATE.
        #expect(acknowledged.values.contains { $0.hasSuffix("duplicate") }, "no resent result was acknowledged as a duplicate")

        // Invariant 2: no agent started an experiment twice.
        var starts: [String: Int] = [:]
        for agent in Self.agents {
            for line in lab.log(agent).split(separator: "\n") where line.hasSuffix("] running") {
                if let id = line.firstMatch(of: /experiment=(\S+)/)?.output.1 { starts[String(id), default: 0] += 1 }
            }
        }
        let twice = starts.filter { $0.value > 1 }.keys.sorted()
        #expect(twice.isEmpty, "experiments started twice (seed \(seed)): \(twice)")

        let duplicates = acknowledged.values.filter { $0.hasSuffix("duplicate") }.count
        print("""
            coordinator kill test (seed \(seed)): \(deaths.count) deaths survived (10 SIGKILL + 4 failpoints), \
            \(dispatched) experiments dispatched, \(acknowledged.count) results acknowledged \
            (\(duplicates) as duplicates of an earlier store), \(lost.count) lost, \(needsReview) needs_review, \
            results at each death \(killedAt), \(elapsed)
            """)
    }

    /// Starts the coordinator again; at a failpoint it dies by itself.
    private func restart(_ lab: Lab, _ name: String, _ death: Death) async throws -> ChildProcess {
        var environment: [String: String] = [:]
        if case .failpoint(let point) = death { environment[Failpoint.environmentVariable] = point.rawValue }
        return try await lab.startCoordinator(name: name, extra: Self.serveOptions, environment: environment)
    }

    /// Asks for every event since seq 0 on the catch-up socket (the model server may ask first).
    private func requestCatchUp(_ lab: Lab) async throws {
        let credentials = try await lab.credentials("kill-test-observer", role: .observer)
        var request = Labloop_V1_CatchUpRequest()
        request.afterSeq = 0
        let message = request
        _ = try? await withPeerLink(context: ZMQContext(), endpoint: lab.endpoints.catchUp, sender: "kill-test-observer",
                                    security: credentials?.curve, logger: lab.logger) { link in
            try await link.request(.catchUpRequest(message), timeout: .seconds(5))
        }
    }
}

/// Results in the store, read directly (the coordinator may be down).
func storedResults(_ lab: Lab) async throws -> Int {
    let invariants = try StoreInvariants(path: lab.databasePath)
    return try await invariants.db.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM results")! }
}

func storedMessageIDs(_ lab: Lab) async throws -> Set<String> {
    let invariants = try StoreInvariants(path: lab.databasePath)
    return try await invariants.db.read { db in Set(try String.fetchAll(db, sql: "SELECT message_id FROM results")) }
}

func campaign(_ lab: Lab, _ campaignID: String) async throws -> Labloop_V1_CampaignSummary {
    var get = Labloop_V1_GetCampaign()
    get.campaignID = campaignID
    return try await lab.control(.getCampaign(get)).campaign
}
