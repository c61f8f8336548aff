import ArgumentParser
import Foundation
import LabLoopCore
import LabLoopProtocol
import SwiftProtobuf

struct CampaignCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "campaign", abstract: "Submit, inspect and steer campaigns.",
        subcommands: [Submit.self, List.self, Status.self, Pause.self, Resume.self, Cancel.self])

    struct Submit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Submit a campaign (a labloop.v1.CampaignSpec in protobuf JSON) and print its id.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The campaign file.") var file: String

        func run() async throws {
            try await reportingErrors {
                let text: String
                do {
                    text = try String(contentsOfFile: file, encoding: .utf8)
                } catch {
                    throw CLIError("cannot read \(file): \(error.localizedDescription)")
                }
                let spec: Labloop_V1_CampaignSpec
                do {
                    spec = try Labloop_V1_CampaignSpec(jsonString: text)
                } catch {
                    throw CLIError("\(file): not a campaign spec in protobuf JSON (\(error))")
                }
                var submit = Labloop_V1_SubmitCampaign()
                submit.spec = spec
                let reply = try await ControlClient(endpoint: connection.endpoints().control).send(.submit(submit))
                print(reply.campaign.campaignID)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List campaigns.")
        @OptionGroup var connection: ConnectionOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await reportingErrors {
                let reply = try await ControlClient(endpoint: connection.endpoints().control).send(.listCampaigns(.init()))
                if json { return print(try reply.campaigns.jsonString()) }
                print("ID            STATE      DONE/BUDGET  BEST        NAME")
                for campaign in reply.campaigns.campaigns {
                    print(CampaignText.row(campaign))
                }
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one campaign.")
        @OptionGroup var connection: ConnectionOptions
        @Flag(help: "Print JSON.") var json = false
        @Argument(help: "Campaign id.") var id: String

        func run() async throws {
            try await reportingErrors {
                var get = Labloop_V1_GetCampaign()
                get.campaignID = id
                let reply = try await ControlClient(endpoint: connection.endpoints().control).send(.getCampaign(get))
                print(json ? try reply.campaign.jsonString() : CampaignText.details(reply.campaign))
            }
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pause a campaign: nothing new is dispatched.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Campaign id.") var id: String

        func run() async throws {
            try await reportingErrors {
                var pause = Labloop_V1_PauseCampaign()
                pause.campaignID = id
                let reply = try await ControlClient(endpoint: connection.endpoints().control).send(.pause(pause))
                print(CampaignText.row(reply.campaign))
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
                let reply = try await ControlClient(endpoint: connection.endpoints().control).send(.resume(resume))
                print(CampaignText.row(reply.campaign))
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a campaign; running experiments finish unless --abort.")
        @OptionGroup var connection: ConnectionOptions
        @Flag(help: "Tell instruments to abort running experiments.") var abort = false
        @Argument(help: "Campaign id.") var id: String

        func run() async throws {
            try await reportingErrors {
                var cancel = Labloop_V1_CancelCampaign()
                cancel.campaignID = id
                cancel.abortRunning = abort
                let reply = try await ControlClient(endpoint: connection.endpoints().control).send(.cancel(cancel))
                print(CampaignText.row(reply.campaign))
            }
        }
    }
}

struct InstrumentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "instruments", abstract: "Instruments known to the coordinator.", subcommands: [List.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List instruments.")
        @OptionGroup var connection: ConnectionOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await reportingErrors {
                let reply = try await ControlClient(endpoint: connection.endpoints().control).send(.listInstruments(.init()))
                if json { return print(try reply.instruments.jsonString()) }
                print("ID                KIND                 STATE         RUNNING  OPERATIONS")
                for item in reply.instruments.instruments {
                    let state = item.connected ? "connected" : "disconnected"
                    print("\(CampaignText.pad(item.instrumentID, 17)) \(CampaignText.pad(item.kind, 20)) \(CampaignText.pad(state, 13)) \(CampaignText.pad("\(item.running)/\(item.capacity)", 8)) \(item.operations.joined(separator: ","))")
                }
            }
        }
    }
}
