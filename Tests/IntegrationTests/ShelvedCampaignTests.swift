import Foundation
import GRDB
import LabLoopCore
import LabLoopPeer
import LabLoopProtocol
import SwiftProtobuf
import Testing
import ZeroMQ

/// A restart leaves finished campaigns' experiments in the store ("shelved"); these tests check that
/// nobody can tell: not the summaries, the CLI, the export, nor an agent that resends a stored result.
@Suite("Finished campaigns after a restart", .serialized)
struct ShelvedCampaignTests {
    @Test("a restarted coordinator reports finished campaigns exactly as before, and still knows their results")
    func finishedCampaignsUnchanged() async throws {
        let lab = try Lab()
        try await withLabProcesses(lab) {
            let first = try await lab.startCoordinator(name: "coordinator-1", extra: ["--quarantine-after", "0"])
            let flaky = try await lab.startReactor("flaky", capacity: 2, extra: ["--fail-rate", "0.3", "--seed", "5"])
            try await lab.startModel()
            // One completed with failed and retried attempts; one cancelled with queued experiments cancelled.
            let completed = try await lab.submit(ClosedLoopTests.retryingCampaign(experiments: 12, parallel: 3))
            _ = try await lab.waitUntilFinished(completed, timeout: .seconds(120))
            let cancelled = try await lab.submit(ClosedLoopTests.reactorCampaign(experiments: 200, parallel: 4))
            try await waitUntil("a result in \(cancelled)", timeout: .seconds(60)) {
                try await summary(lab, cancelled).experiments.contains { $0.state == .completed }
            }
            var cancel = Labloop_V1_CancelCampaign()
            cancel.campaignID = cancelled
            _ = try await lab.control(.cancel(cancel))
            try await waitUntil("\(cancelled)'s running experiments finished", timeout: .seconds(60)) {
                try await summary(lab, cancelled).experiments.allSatisfy { ExperimentState($0.state)?.isTerminal ?? false }
            }
            let ids = [completed, cancelled]
            let before = try await Snapshot(lab, ids)
            #expect(before.summaries[cancelled]?.experiments.contains { $0.state == .cancelled } == true,
                    "the cancelled campaign should have cancelled experiments: \(before.summaries[cancelled].map { "\($0)" } ?? "")")
            #expect(await first.stop() == 0)
            #expect(await flaky.stop() == 0)

            try await lab.startCoordinator(name: "coordinator-2")
            let resumed = lab.log("coordinator-2").split(separator: "\n").filter { $0.contains("resumed campaign") }
            for id in ids {
                #expect(resumed.contains { $0.contains("campaign=\(id) ") && $0.contains("experiments=shelved") },
                        "\(id) should be resumed without its experiments: \(resumed)")
            }
            let shelved = try await Snapshot(lab, ids)
            shelved.expectSame(as: before, "what a shelved campaign reports must not change")

            // An agent that still holds stored results: its hello keeps one of the cancelled campaign's (its
            // experiments are read back for the hello), and its resend of the completed campaign's is a duplicate
            // (read back for the result).
            let invariants = try StoreInvariants(path: lab.databasePath)
            func storedResult(of campaignID: String) async throws -> (String, String, Data) {
                let stored = try await invariants.db.read { db -> (String, String, Data)? in
                    try Row.fetchOne(db, sql: """
                        SELECT message_id, experiment_id, payload FROM results
                        WHERE experiment_id LIKE ? AND instrument_id = 'flaky' AND outcome = 'succeeded' LIMIT 1
                        """, arguments: ["\(campaignID)-%"]).map { ($0["message_id"], $0["experiment_id"], $0["payload"]) }
                }
                return try #require(stored)
            }
            let (_, heldID, _) = try await storedResult(of: cancelled)
            let (messageID, _, payload) = try await storedResult(of: completed)
            let result = try Labloop_V1_ExperimentResult(serializedBytes: payload)
            let credentials = try await lab.credentials("flaky", role: .agent)
            try await withPeerLink(context: ZMQContext(), endpoint: lab.endpoints.agents, sender: "flaky",
                                   security: credentials?.curve, logger: lab.logger) { link in
                let inbox = Inbox()
                let collector = Task { for await envelope in link.messages { inbox.add(envelope) } }
                defer { collector.cancel() }
                var hello = SecurityTests.agentHello("flaky")
                hello.inFlight = [heldID]
                link.send(.agentHello(hello))
                try await waitUntil("the welcome", timeout: .seconds(20)) { inbox.count { $0.isWelcome } == 1 }
                #expect(inbox.count { $0.welcomeCancels(heldID) } == 0,
                        "\(heldID)'s result is stored: the agent must not be told to cancel it")
                let resend = link.send(.result(result), messageID: messageID)
                try await waitUntil("the resend acknowledged", timeout: .seconds(20)) {
                    inbox.count { $0.correlationID == resend && $0.resultAckStatus != nil } == 1
                }
                #expect(inbox.count { $0.correlationID == resend && $0.resultAckStatus == .duplicate } == 1,
                        "a resent stored result must be a DUPLICATE")
            }
            let readBack = lab.log("coordinator-2").split(separator: "\n").filter { $0.contains("experiments read from the store") }
            for id in ids {
                #expect(readBack.contains { $0.contains("campaign=\(id)") }, "\(id)'s experiments should have been read back: \(readBack)")
            }
            let unshelved = try await Snapshot(lab, ids)
            unshelved.expectSame(as: before, "a campaign read back into memory must report the same")
        }
    }

    @Test("a cancelled campaign with an experiment still running is loaded whole after a restart: the grace rule applies")
    func cancelledWithRunningLoadedWhole() async throws {
        let lab = try Lab()
        try await withLabAllowingKills(lab, killed: ["coordinator-1", "slow"]) {
            let first = try await lab.startCoordinator(name: "coordinator-1")
            let slow = try await lab.startReactor("slow", capacity: 1, durationMs: 60_000)
            try await lab.startModel()
            let id = try await lab.submit(ClosedLoopTests.reactorCampaign(experiments: 3, parallel: 1))
            var victim = ""
            try await waitUntil("an experiment running", timeout: .seconds(60)) {
                victim = try await experimentState(lab, state: "running").first ?? ""
                return !victim.isEmpty
            }
            var cancel = Labloop_V1_CancelCampaign()
            cancel.campaignID = id
            #expect(CampaignState(try await lab.control(.cancel(cancel)).campaign.state) == .cancelled)
            first.signal(SIGKILL)
            slow.signal(SIGKILL)
            _ = await first.wait(timeout: .seconds(5))
            _ = await slow.wait(timeout: .seconds(5))
            try await lab.startCoordinator(name: "coordinator-2", extra: ["--recovery-grace-ms", "2000"])
            let resumed = lab.log("coordinator-2").split(separator: "\n").filter { $0.contains("resumed campaign") }
            #expect(resumed.contains { $0.contains("campaign=\(id) ") && !$0.contains("experiments=shelved") },
                    "\(id) has an experiment out: it must be loaded whole, not shelved: \(resumed)")
            try await waitUntil("\(victim) marked needs_review", timeout: .seconds(30)) {
                try await experimentState(lab, state: "needs_review").contains(victim)
            }
        }
        let reason = try await StoreInvariants(path: lab.databasePath).db.read { db in
            try String.fetchOne(db, sql: "SELECT reason FROM experiment_transitions WHERE to_state = 'needs_review'") ?? ""
        }
        #expect(reason.contains("did not report it after a restart"), "reason: \(reason)")
    }
}

/// Everything a finished campaign shows: its summary (without the clock), its place in the list, its
/// `campaign status` text and its export.
private struct Snapshot {
    var summaries: [String: Labloop_V1_CampaignSummary] = [:]
    var listed: [Labloop_V1_CampaignSummary] = []
    var status: [String: String] = [:]
    var exported: [String: [Labloop_V1_ExperimentRow]] = [:]

    init(_ lab: Lab, _ ids: [String]) async throws {
        listed = try await lab.control(.listCampaigns(.init())).campaigns.campaigns.map(\.withoutClock)
        for id in ids {
            summaries[id] = try await summary(lab, id).withoutClock
            let cli = try await labloop(["campaign", "status", id, "--data", lab.dataDirectory.path])
            #expect(cli.status == 0, "\(cli.stderr)")
            status[id] = cli.stdout
            var export = Labloop_V1_ExportCampaign()
            export.campaignID = id
            export.maxRows = 5_000
            let page = try await lab.control(.export(export)).exportPage
            #expect(!page.more)
            exported[id] = page.rows
        }
    }

    func expectSame(as before: Snapshot, _ what: String) {
        for (id, summary) in before.summaries {
            #expect(summaries[id] == summary, "\(what): summary of \(id)")
            #expect(status[id] == before.status[id], "\(what): `campaign status \(id)`")
            #expect(exported[id] == before.exported[id], "\(what): export of \(id)")
        }
        #expect(listed == before.listed, "\(what): the campaign list")
    }
}

private func summary(_ lab: Lab, _ id: String) async throws -> Labloop_V1_CampaignSummary {
    var get = Labloop_V1_GetCampaign()
    get.campaignID = id
    return try await lab.control(.getCampaign(get)).campaign
}

extension Labloop_V1_CampaignSummary {
    fileprivate var withoutClock: Labloop_V1_CampaignSummary {
        var copy = self
        copy.nowUnixMs = 0
        return copy
    }
}

extension Labloop_V1_Envelope {
    fileprivate func welcomeCancels(_ experimentID: String) -> Bool {
        guard case .agentWelcome(let welcome)? = body else { return false }
        return welcome.cancel.contains(experimentID)
    }
}
