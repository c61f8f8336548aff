import ArgumentParser
import Foundation
import LabLoopProtocol

extension CampaignCommand {
    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pause a campaign: nothing new is dispatched.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Campaign id.") var id: String

        func run() async throws {
            try await reportingErrors {
                var pause = Labloop_V1_PauseCampaign()
                pause.campaignID = id
                print(CampaignText.row(try await connection.controlClient().send(.pause(pause)).campaign))
            }
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume a paused campaign.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Campaign id.") var id: String

        func run() async throws {
            try await reportingErrors {
                var resume = Labloop_V1_ResumeCampaign()
                resume.campaignID = id
                print(CampaignText.row(try await connection.controlClient().send(.resume(resume)).campaign))
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cancel a campaign. Running experiments finish, unless --abort tells instruments to stop them.")
        @OptionGroup var connection: ConnectionOptions
        @Flag(help: "Ask instruments to abort running experiments.") var abort = false
        @Argument(help: "Campaign id.") var id: String

        func run() async throws {
            try await reportingErrors {
                var cancel = Labloop_V1_CancelCampaign()
                cancel.campaignID = id
                cancel.abortRunning = abort
                print(CampaignText.row(try await connection.controlClient().send(.cancel(cancel)).campaign))
            }
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Approve experiments awaiting approval (manual campaigns): they are queued for dispatch.")
        @OptionGroup var decision: DecisionOptions

        func run() async throws {
            try await reportingErrors { try await decision.send(approve: true) }
        }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reject experiments awaiting approval: they never run and the model may propose others.")
        @OptionGroup var decision: DecisionOptions

        func run() async throws {
            try await reportingErrors { try await decision.send(approve: false) }
        }
    }
}

struct DecisionOptions: ParsableArguments {
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Campaign id.") var campaign: String
    @Argument(help: "Experiment ids; omit them and pass --all for every pending one.") var experiments: [String] = []
    @Flag(help: "Decide every experiment awaiting approval.") var all = false
    @Option(help: "Why (recorded with your name).") var reason = ""

    func validate() throws {
        if all == !experiments.isEmpty { throw ValidationError("name experiment ids, or pass --all (not both)") }
    }

    func send(approve: Bool) async throws {
        let client = try connection.controlClient()
        let reply: Labloop_V1_ControlReply
        if approve {
            var request = Labloop_V1_ApproveExperiments()
            request.campaignID = campaign
            request.experimentIds = experiments
            request.reason = reason
            reply = try await client.send(.approve(request))
        } else {
            var request = Labloop_V1_RejectExperiments()
            request.campaignID = campaign
            request.experimentIds = experiments
            request.reason = reason
            reply = try await client.send(.reject(request))
        }
        let ids = reply.decision.experimentIds
        print("\(approve ? "approved" : "rejected") \(ids.count) experiment\(ids.count == 1 ? "" : "s")\(ids.isEmpty ? "" : ": " + ids.joined(separator: " "))")
    }
}
