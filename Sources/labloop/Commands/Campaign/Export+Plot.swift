import ArgumentParser
import Foundation

extension CampaignCommand {
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export one row per experiment attempt as CSV or JSON Lines.",
            discussion: "With --data it reads the store directly (the coordinator may be running or not); otherwise it asks the coordinator.")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "csv or jsonl.") var format = "csv"
        @Option(help: "Write to this file instead of standard output.") var out: String?
        @Argument(help: "Campaign id.") var id: String

        func validate() throws {
            guard ["csv", "jsonl"].contains(format) else { throw ValidationError("--format must be csv or jsonl") }
        }

        func run() async throws {
            try await reportingErrors {
                let data = try await CampaignData.load(campaignID: id, connection: connection)
                let text = format == "csv" ? RowFormats.csv(data.rows) : try RowFormats.jsonLines(data.rows)
                try write(text, to: out)
                if out != nil { FileHandle.standardError.write(Data("wrote \(data.rows.count) rows to \(out!)\n".utf8)) }
            }
        }
    }

    struct Plot: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Plot the objective per experiment with the best-so-far line, and against each parameter, as SVG.")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The SVG file to write.") var out: String
        @Argument(help: "Campaign id.") var id: String

        func run() async throws {
            try await reportingErrors {
                let data = try await CampaignData.load(campaignID: id, connection: connection)
                var plot = SVGPlot(data)
                try write(plot.render(), to: out)
                FileHandle.standardError.write(Data("wrote \(plot.points.count) points to \(out)\n".utf8))
            }
        }
    }
}

func write(_ text: String, to path: String?) throws {
    guard let path else { return print(text, terminator: "") }
    do {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
        throw CLIError("cannot write \(path): \(error.localizedDescription)")
    }
}
