import ArgumentParser
import Foundation
import LabLoopProtocol
import SwiftProtobuf

extension CampaignCommand {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List campaigns.")
        @OptionGroup var connection: ConnectionOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await reportingErrors {
                let reply = try await connection.controlClient().send(.listCampaigns(.init()))
                if json { return print(try reply.campaigns.jsonString()) }
                print(CampaignText.header)
                reply.campaigns.campaigns.forEach { print(CampaignText.row($0)) }
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a campaign: state, experiments by state, best so far, instruments in use, time and ETA.")
        @OptionGroup var connection: ConnectionOptions
        @Flag(help: "Print JSON.") var json = false
        @Argument(help: "Campaign id.") var id: String

        func run() async throws {
            try await reportingErrors {
                var get = Labloop_V1_GetCampaign()
                get.campaignID = id
                let reply = try await connection.controlClient().send(.getCampaign(get))
                print(json ? try reply.campaign.jsonString() : CampaignText.details(reply.campaign))
            }
        }
    }

    struct Watch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Follow a campaign until it ends; exit 0 when it completed, 3 when it was cancelled.",
            discussion: "On a terminal the progress bar redraws in place; piped, it prints a line per change.")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Seconds between updates.") var interval = 0.5
        @Flag(help: "No progress; print the final summary as JSON.") var json = false
        @Argument(help: "Campaign id.") var id: String

        func run() async throws {
            try await reportingErrors {
                let client = try connection.controlClient()
                var get = Labloop_V1_GetCampaign()
                get.campaignID = id
                let line = ProgressLine()
                while true {
                    let summary = try await client.send(.getCampaign(get)).campaign
                    if !json { line.show(CampaignText.progress(summary)) }
                    if summary.state == .completed || summary.state == .cancelled {
                        if json {
                            print(try summary.jsonString())
                        } else {
                            line.finish()
                            print(CampaignText.details(summary))
                        }
                        if summary.state == .cancelled { throw ExitCode(3) }
                        return
                    }
                    try await Task.sleep(for: .milliseconds(Int(max(0.05, interval) * 1000)))
                }
            }
        }
    }
}
