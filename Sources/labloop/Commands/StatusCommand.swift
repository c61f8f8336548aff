import ArgumentParser
import Foundation
import LabLoopProtocol
import SwiftProtobuf

/// The lab at a glance: instruments, each project's share against its entitlement, and why work waits.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show instruments, each project's share of instrument time against its entitlement, and why queued experiments wait.")
    @OptionGroup var connection: ConnectionOptions
    @Flag(help: "Print JSON.") var json = false
    @Option(help: "At most this many waiting experiments.") var waiting = 20

    func run() async throws {
        try await reportingErrors {
            let client = try connection.controlClient()
            let schedule = try await client.send(.getSchedule(.init())).schedule
            let instruments = try await client.send(.listInstruments(.init())).instruments
            if json {
                print("{\"schedule\": \(try schedule.jsonString()), \"instruments\": \(try instruments.jsonString())}")
                return
            }
            print(InstrumentsCommand.table(instruments.instruments))
            print("\nPROJECT           WEIGHT  ENTITLED  RECEIVED  RUNNING")
            for share in schedule.projects.sorted(by: { $0.project < $1.project }) {
                let name = share.project.isEmpty ? "(none)" : share.project
                print([CampaignText.pad(name, 17), CampaignText.pad(String(format: "%g", share.weight), 7),
                       CampaignText.pad(String(format: "%.0f%%", share.entitlement * 100), 9),
                       CampaignText.pad(String(format: "%.0f%%", share.received * 100), 9), "\(share.running)"].joined(separator: " "))
            }
            print("\nWAITING (\(schedule.waiting.count))")
            for entry in schedule.waiting.prefix(waiting) {
                print("\(CampaignText.pad(entry.experimentID, 18)) \(CampaignText.pad(entry.project, 12)) \(entry.reason)")
            }
        }
    }
}
