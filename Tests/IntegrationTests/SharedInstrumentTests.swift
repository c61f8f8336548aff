import Foundation
import GRDB
import LabLoopCore
import LabLoopPeer
import LabLoopProtocol
import SwiftProtobuf
import Testing
import ZeroMQ

@Suite("Shared instruments: fair share and the safety envelope", .serialized)
struct SharedInstrumentTests {
    static func campaign(project: String, experiments: Int, parallel: Int, strategy: String = "space-filling") -> CampaignSpec {
        var spec = ClosedLoopTests.reactorCampaign(experiments: experiments, parallel: parallel)
        spec.project = project
        spec.name = "\(project) campaign"
        spec.strategy = strategy
        return spec
    }

    // Each campaign keeps a backlog (parallel 12 on 3 instruments), so the shares measure the scheduler,
    // not how fast the model answers.
    @Test("two projects weighted 1:2 on three shared instruments both progress, with instrument-time shares within ±10 %")
    func weightedShares() async throws {
        let lab = try Lab()
        try await withLabProcesses(lab) {
            try await lab.startCoordinator(extra: ["--project-weight", "alpha=1", "--project-weight", "beta=2"])
            for index in 1...3 { try await lab.startReactor("shared-\(index)", capacity: 1, durationMs: 60) }
            try await lab.startModel()
            let alpha = try await lab.submit(Self.campaign(project: "alpha", experiments: 1_000, parallel: 12))
            let beta = try await lab.submit(Self.campaign(project: "beta", experiments: 1_000, parallel: 12))
            try await Task.sleep(for: .seconds(8))
            // Visibility: the shares against entitlements, and why the backlog waits.
            let status = try await labloop(["status", "--json", "--data", lab.directory.path])
            let object = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
            let schedule = object?["schedule"] as? [String: Any]
            let projects = (schedule?["projects"] as? [[String: Any]]) ?? []
            #expect(Set(projects.compactMap { $0["project"] as? String }) == ["alpha", "beta"], "\(status.stdout)")
            let betaEntitlement = projects.first { $0["project"] as? String == "beta" }?["entitlement"] as? Double
            #expect(betaEntitlement.map { abs($0 - 2.0 / 3.0) < 0.01 } == true, "\(projects)")
            let waiting = (schedule?["waiting"] as? [[String: Any]]) ?? []
            #expect(!waiting.isEmpty && waiting.allSatisfy { !(($0["reason"] as? String) ?? "").isEmpty }, "\(waiting)")
            let table = try await labloop(["status", "--data", lab.directory.path])
            #expect(table.stdout.contains("ENTITLED") && table.stdout.contains("alpha") && table.stdout.contains("WAITING"))
            for id in [alpha, beta] {
                var cancel = Labloop_V1_CancelCampaign()
                cancel.campaignID = id
                _ = try await lab.control(.cancel(cancel))
            }
        }
        let invariants = try StoreInvariants(path: lab.databasePath)
        try invariants.checkHistories(allowActive: true)
        // Instrument time per project: from dispatch to the terminal state of each experiment.
        let busy = try await invariants.db.read { db in
            try Row.fetchAll(db, sql: """
                SELECT c.project AS project, SUM(t.at - d.at) AS ms, COUNT(*) AS n
                FROM experiment_transitions d
                JOIN experiment_transitions t ON t.experiment_id = d.experiment_id AND t.to_state IN ('completed', 'failed')
                JOIN experiments e ON e.id = d.experiment_id
                JOIN campaigns c ON c.id = e.campaign_id
                WHERE d.to_state = 'dispatched'
                GROUP BY c.project
                """).reduce(into: [String: (Double, Int)]()) { $0[$1["project"]] = (Double($1["ms"] as Int), $1["n"] as Int) }
        }
        let alphaTime = busy["alpha"]?.0 ?? 0, betaTime = busy["beta"]?.0 ?? 0
        #expect((busy["alpha"]?.1 ?? 0) >= 20 && (busy["beta"]?.1 ?? 0) >= 20, "both campaigns must progress: \(busy)")
        let betaShare = betaTime / max(1, alphaTime + betaTime)
        #expect(abs(betaShare - 2.0 / 3.0) <= 0.10, "beta's share \(betaShare) should be 2/3 ± 0.10: \(busy)")
    }

    /// A model server that ignores the envelope on purpose: of every three candidates one is fine,
    /// one is too hot for the instruments (and one too concentrated for the lab), one is outside the space.
    static func runRogueModel(_ lab: Lab) async throws {
        let rogue = try await lab.credentials("rogue", role: .model)
        try await withPeerLink(context: ZMQContext(), endpoint: lab.endpoints.models, sender: "rogue",
                               security: rogue?.curve, logger: lab.logger) { link in
            var hello = Labloop_V1_ModelHello()
            hello.modelID = "rogue"
            hello.modelVersion = "rogue-1"
            hello.strategies = ["rogue"]
            _ = try await link.request(.modelHello(hello), timeout: .seconds(10))
            var made = 0
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    while !Task.isCancelled {
                        link.send(.heartbeat(.init()))
                        try? await Task.sleep(for: .milliseconds(500))
                    }
                }
                for await envelope in link.messages {
                    guard case .proposalRequest(let request)? = envelope.body else { continue }
                    var proposals = Labloop_V1_Proposals()
                    proposals.requestID = request.requestID
                    proposals.campaignID = request.campaignID
                    proposals.modelID = "rogue"
                    proposals.modelVersion = "rogue-1"
                    for _ in 0..<max(3, Int(request.count)) {
                        made += 1
                        let fine = 40 + Double(made) * 0.01
                        let (temperature, concentration): (Double, Double) = switch made % 4 {
                        case 0: (fine, 0.5)             // inside everything
                        case 1: (120 + Double(made) * 0.01, 0.5)  // inside the space, above the instruments' 90 °C
                        case 2: (fine, 1.9)             // inside the space and instruments, above the lab's 1.5 mol/L
                        default: (200, 0.5)             // outside the campaign's space
                        }
                        var candidate = Labloop_V1_Candidate()
                        candidate.candidateID = "r\(made)"
                        candidate.parameters = [
                            .init(name: "temperature", real: temperature), .init(name: "residence_time", real: 5),
                            .init(name: "concentration", real: concentration),
                            .with { $0.name = "catalyst"; $0.value.category = "Pd" },
                        ]
                        proposals.candidates.append(candidate)
                    }
                    link.send(.proposals(proposals), correlationID: envelope.messageID)
                }
                group.cancelAll()
            }
        }
    }

    @Test("nothing outside the space, an instrument's limits or the lab's limits reaches an agent; rejections are stored")
    func safetyEnvelope() async throws {
        let lab = try Lab()
        try await withLabProcesses(lab) {
            try await lab.startCoordinator(extra: ["--limit", "flow-reactor:concentration=..1.5"])
            try await lab.startReactor("cool-1", extra: ["--limit", "temperature=30..90"])
            try await lab.startReactor("cool-2", extra: ["--limit", "temperature=30..90"])
            try await Task.sleep(for: .milliseconds(800))  // let both register, so their limits are known
            // A space that can never be served is refused at submit time.
            var impossible = Self.campaign(project: "hot", experiments: 5, parallel: 2, strategy: "rogue")
            impossible.space.parameters[0].domain = .continuous(low: 100, high: 150, unit: "°C", scale: .linear)
            await #expect(throws: PeerError.self) { _ = try await lab.submit(impossible) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await Self.runRogueModel(lab) }
                let id = try await lab.submit(Self.campaign(project: "safe", experiments: 8, parallel: 2, strategy: "rogue"))
                let summary = try await lab.waitUntilFinished(id, timeout: .seconds(120))
                #expect(CampaignState(summary.state) == .completed)
                group.cancelAll()
            }
        }
        let invariants = try StoreInvariants(path: lab.databasePath)
        try invariants.checkHistories()
        let (space, instrument, labWide, dispatched, refusedSubmit) = try await invariants.db.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM rejected_candidates WHERE reason LIKE '%temperature%outside%'")!,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM rejected_candidates WHERE reason LIKE 'no instrument can run it: temperature%above 30–90%'")!,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM rejected_candidates WHERE reason LIKE 'outside the lab-wide limits for flow-reactor: concentration%'")!,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM experiment_transitions WHERE to_state = 'dispatched'")!,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit WHERE action = 'submit' AND outcome LIKE 'refused: no instrument can serve%'")!)
        }
        #expect(space > 0 && instrument > 0 && labWide > 0,
                "each kind of violation must be rejected and recorded: space \(space), instrument \(instrument), lab \(labWide)")
        #expect(refusedSubmit == 1)
        #expect(dispatched >= 8)
        // The agents' own logs: every experiment they ran was inside all three envelopes.
        var ran = 0
        for agent in ["cool-1", "cool-2"] {
            for line in lab.log(agent).split(separator: "\n") where line.contains(" running") {
                ran += 1
                let temperature = Self.value(of: "temperature", in: line)
                let concentration = Self.value(of: "concentration", in: line)
                #expect(temperature.map { $0 >= 30 && $0 <= 90 } == true, "\(agent) ran \(line)")
                #expect(concentration.map { $0 <= 1.5 } == true, "\(agent) ran \(line)")
            }
        }
        #expect(ran >= 8, "the agents logged \(ran) runs")
    }

    @Test("a reserved instrument runs only its project's work during the window, and idles otherwise")
    func reservations() async throws {
        let lab = try Lab()
        let formatter = ISO8601DateFormatter()
        let window = "\(formatter.string(from: Date().addingTimeInterval(-60)))/\(formatter.string(from: Date().addingTimeInterval(3_600)))"
        try await withLabProcesses(lab) {
            try await lab.startCoordinator(extra: ["--reserve", "reserved-1=owners@\(window)"])
            try await lab.startReactor("reserved-1", capacity: 1, durationMs: 30)
            try await lab.startReactor("open-1", capacity: 1, durationMs: 30)
            try await lab.startModel()
            let guests = try await lab.submit(Self.campaign(project: "guests", experiments: 10, parallel: 3))
            _ = try await lab.waitUntilFinished(guests, timeout: .seconds(120))
            let owners = try await lab.submit(Self.campaign(project: "owners", experiments: 10, parallel: 3))
            _ = try await lab.waitUntilFinished(owners, timeout: .seconds(120))
        }
        let invariants = try StoreInvariants(path: lab.databasePath)
        let placements = try await invariants.db.read { db in
            try Row.fetchAll(db, sql: """
                SELECT c.project AS project, t.instrument_id AS instrument, COUNT(*) AS n FROM experiment_transitions t
                JOIN experiments e ON e.id = t.experiment_id JOIN campaigns c ON c.id = e.campaign_id
                WHERE t.to_state = 'dispatched' GROUP BY 1, 2
                """).reduce(into: [String: Int]()) { $0["\($1["project"] as String)@\($1["instrument"] as String)"] = $1["n"] }
        }
        #expect(placements["guests@reserved-1"] == nil, "a guest experiment ran on the reserved instrument: \(placements)")
        #expect(placements["guests@open-1"] == 10)
        #expect((placements["owners@reserved-1"] ?? 0) > 0, "the owners never used their reservation: \(placements)")
    }

    static func value(of name: String, in line: Substring) -> Double? {
        guard let range = line.range(of: "\(name)=") else { return nil }
        return Double(line[range.upperBound...].prefix { "0123456789.-e+".contains($0) })
    }
}
