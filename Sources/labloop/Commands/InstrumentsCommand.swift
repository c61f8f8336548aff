import ArgumentParser
import Foundation
import LabLoopCore
import LabLoopProtocol
import SwiftProtobuf

struct InstrumentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "instruments", abstract: "Instruments known to the coordinator.", subcommands: [List.self, Drain.self])

    static func table(_ instruments: [Labloop_V1_InstrumentSummary]) -> String {
        let pad = CampaignText.pad
        var lines = ["ID                KIND                 STATE         RUNNING  UTIL   LAST SEEN  OPERATIONS     CURRENT"]
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        for item in instruments {
            let state = item.draining ? "draining" : item.connected ? "connected" : "disconnected"
            let seen = item.lastSeenUnixMs > 0 ? CampaignText.duration(Double(now - item.lastSeenUnixMs) / 1000) + " ago" : "-"
            lines.append([pad(item.instrumentID, 17), pad(item.kind, 20), pad(state, 13), pad("\(item.running)/\(item.capacity)", 8),
                          pad(String(format: "%.0f%%", item.utilisation * 100), 6), pad(seen, 10),
                          pad(item.operations.joined(separator: ","), 14),
                          item.currentExperiments.isEmpty ? "-" : item.currentExperiments.joined(separator: ",")].joined(separator: " "))
        }
        return lines.joined(separator: "\n")
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List instruments: state, capabilities, current experiments, last heartbeat, utilisation.")
        @OptionGroup var connection: ConnectionOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await reportingErrors {
                let reply = try await connection.controlClient().send(.listInstruments(.init()))
                print(json ? try reply.instruments.jsonString() : InstrumentsCommand.table(reply.instruments.instruments))
            }
        }
    }

    struct Drain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop giving an instrument new work; running experiments finish. --undo accepts work again and clears a quarantine.")
        @OptionGroup var connection: ConnectionOptions
        @Flag(help: "Accept new work again (also clears a quarantine).") var undo = false
        @Argument(help: "Instrument id.") var id: String

        func run() async throws {
            try await reportingErrors {
                var drain = Labloop_V1_DrainInstrument()
                drain.instrumentID = id
                drain.undo = undo
                let reply = try await connection.controlClient().send(.drain(drain))
                print(InstrumentsCommand.table(reply.instruments.instruments.filter { $0.instrumentID == id }))
            }
        }
    }
}
