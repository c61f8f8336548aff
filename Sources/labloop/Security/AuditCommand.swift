import ArgumentParser
import Foundation
import LabLoopStore

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Show the audit log: every operator command and key change, who, when, with what outcome.",
        discussion: "Reads the data directory's store directly, so it works whether or not the coordinator runs.")

    @Option(help: "The coordinator's data directory.") var data: String
    @Option(help: "Show at most the latest N records.") var limit = 100
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        try await reportingErrors {
            let path = URL(fileURLWithPath: data).appendingPathComponent("labloop.sqlite").path
            let records: [AuditRecord]
            do {
                let store = try Store(readingOnly: path)
                records = try await store.auditRecords(limit: max(limit, 1))
                await store.close()
            } catch {
                throw CLIError("cannot read the audit log in \(path): \(error)")
            }
            if json {
                try printJSON(records)
                return
            }
            let pad = CampaignText.pad
            print("TIME                  PRINCIPAL         ROLE        ACTION         ARGUMENTS                                 OUTCOME")
            for record in records {
                print([pad(formatTime(record.atUnixMs), 21), pad(record.principal, 17), pad(record.role.isEmpty ? "-" : record.role, 11),
                       pad(record.action, 14), pad(record.arguments, 41), record.outcome].joined(separator: " "))
            }
        }
    }
}
