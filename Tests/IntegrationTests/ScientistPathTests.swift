import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import GRDB
import LabLoopPeer
import LabLoopProtocol
import Testing

/// Campaign files in YAML, for tests that drive the `labloop` CLI.
enum CampaignYAML {
    static func reactor(name: String = "cli campaign", experiments: Int, parallel: Int, approval: String = "auto") -> String {
        """
        name: \(name)
        description: driven from the command line
        owner: tester
        project: tests
        parameters:
          temperature: {type: continuous, low: 30, high: 150, unit: "°C"}
          residence_time: {type: continuous, low: 0.5, high: 30, unit: min, scale: log}
          concentration: {type: continuous, low: 0.1, high: 2.0, unit: mol/L}
          catalyst: {type: categorical, values: [Pd, Pt, Ni, Cu]}
        objective:
          measurement: yield
          goal: maximize
        record: [selectivity]
        instrument:
          kind: flow-reactor
          operation: react
        budget:
          experiments: \(experiments)
          parallel: \(parallel)
        strategy:
          name: space-filling
          seed: 5
        approval: \(approval)

        """
    }

    static func write(_ text: String, in lab: Lab, name: String = "campaign.yaml") throws -> String {
        let path = lab.directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

@Suite("The scientist's path through the CLI", .serialized)
struct ScientistPathTests {
    @Test("validate, submit, watch, export CSV and JSON Lines, and plot, against real processes")
    func submitWatchExportPlot() async throws {
        let lab = try Lab()
        let id = try await withLabProcesses(lab) {
            try await lab.startCoordinator()
            try await lab.startReactor("reactor-a")
            try await lab.startReactor("reactor-b")
            try await lab.startModel()
            let file = try CampaignYAML.write(CampaignYAML.reactor(experiments: 10, parallel: 3), in: lab)
            let data = ["--data", lab.directory.path]

            let valid = try await labloop(["campaign", "validate", file])
            #expect(valid.status == 0, "\(valid.stdout)\(valid.stderr)")
            #expect(valid.stdout.contains("valid"))

            let submitted = try await labloop(["campaign", "submit", file] + data)
            #expect(submitted.status == 0, "\(submitted.stderr)")
            let id = submitted.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(id.hasPrefix("c"), "expected a campaign id, got '\(id)'")

            let watched = try await labloop(["campaign", "watch", id, "--interval", "0.1"] + data)
            #expect(watched.status == 0, "watch: \(watched.stdout)\(watched.stderr)")
            #expect(watched.stdout.contains("10/10"), "\(watched.stdout)")
            #expect(watched.stdout.contains("state        completed"), "\(watched.stdout)")
            // Piped, watch prints plain lines (no carriage-return redraws).
            #expect(!watched.stdout.contains("\r"))

            let status = try await labloop(["campaign", "status", id, "--json"] + data)
            #expect(status.status == 0)
            #expect(status.stdout.contains("\"CAMPAIGN_STATE_COMPLETED\""), "\(status.stdout)")

            // Export from the store while the coordinator still runs, and through the control socket.
            let csvFile = lab.directory.appendingPathComponent("export.csv").path
            let csv = try await labloop(["campaign", "export", id, "--format", "csv", "--out", csvFile] + data)
            #expect(csv.status == 0, "\(csv.stderr)")
            let lines = try String(contentsOfFile: csvFile, encoding: .utf8).split(separator: "\n")
            #expect(lines.count == 11, "header + 10 attempts, got \(lines.count)")
            let header = lines.first.map { $0.split(separator: ",").map(String.init) } ?? []
            for column in ["experiment_id", "attempt", "state", "instrument_id", "agent_id", "model_id", "model_version",
                           "proposal_id", "created_at", "started_at", "finished_at", "param.temperature",
                           "param.catalyst", "measure.yield", "measure.selectivity"] {
                #expect(header.contains(column), "CSV lacks column \(column): \(header)")
            }
            #expect(lines.dropFirst().allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).count == header.count })

            // Remote style: only the endpoint, the pinned server key and an operator key.
            // `--server-key=KEY`: a Z85 key may start with '-', which would read as an option.
            let remote = ["--endpoint", lab.endpoints.control, "--server-key=\(try #require(lab.endpoints.serverKey))",
                          "--key", lab.directory.appendingPathComponent("keys/admin.key").path]
            let jsonl = try await labloop(["campaign", "export", id, "--format", "jsonl"] + remote)
            #expect(jsonl.status == 0, "\(jsonl.stderr)")
            let objects = try jsonl.stdout.split(separator: "\n").map {
                try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
            }
            #expect(objects.count == 10)
            for object in objects {
                #expect(object["state"] as? String == "completed")
                #expect((object["parameters"] as? [String: Any])?["catalyst"] is String)
                #expect((object["measurements"] as? [String: Any])?["yield"] is Double)
                #expect(object["model_version"] as? String == "builtin-0.1")
            }

            let svgFile = lab.directory.appendingPathComponent("plot.svg")
            let plot = try await labloop(["campaign", "plot", id, "--out", svgFile.path] + data)
            #expect(plot.status == 0, "\(plot.stderr)")
            let counter = SVGCounter()
            let parser = XMLParser(data: try Data(contentsOf: svgFile))
            parser.delegate = counter
            #expect(parser.parse(), "the SVG is not well-formed XML: \(String(describing: parser.parserError))")
            #expect(counter.root == "svg")
            // One point per completed experiment in the trace, and one per experiment in each of 4 parameter panels.
            #expect(counter.circles == 10 * 5, "got \(counter.circles) points")
            #expect(counter.polylines == 1, "the best-so-far line is missing")
            return id
        }
        // Offline: every process is stopped; the data directory alone is enough.
        #expect(lab.children.allSatisfy { !$0.isRunning })
        let offline = try await labloop(["campaign", "export", id, "--format", "jsonl", "--data", lab.directory.path])
        #expect(offline.status == 0, "\(offline.stderr)")
        #expect(offline.stdout.split(separator: "\n").count == 10)
        let svg = lab.directory.appendingPathComponent("offline.svg").path
        let plot = try await labloop(["campaign", "plot", id, "--out", svg, "--data", lab.directory.path])
        #expect(plot.status == 0 && FileManager.default.fileExists(atPath: svg), "\(plot.stderr)")
        let unknown = try await labloop(["campaign", "export", "c-missing", "--data", lab.directory.path])
        #expect(unknown.status == 1 && unknown.stderr.contains("no campaign c-missing"), "\(unknown.stderr)")
    }

    @Test("validate reports problems with positions and uses the documented exit codes")
    func validateExitCodes() async throws {
        let lab = try Lab()
        let broken = try CampaignYAML.write(
            CampaignYAML.reactor(experiments: 0, parallel: 2).replacingOccurrences(of: "low: 30, high: 150", with: "low: 150, high: 30"),
            in: lab, name: "broken.yaml")
        let invalid = try await labloop(["campaign", "validate", broken])
        #expect(invalid.status == 1)
        #expect(invalid.stdout.contains("broken.yaml:6:"), "\(invalid.stdout)")
        #expect(invalid.stdout.contains("budget.experiments"), "\(invalid.stdout)")
        #expect(!invalid.stderr.contains("Fatal error"))
        let missing = try await labloop(["campaign", "validate", lab.directory.appendingPathComponent("nope.yaml").path])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("cannot read"))
        // Submitting an invalid file sends nothing.
        let refused = try await labloop(["campaign", "submit", broken, "--endpoint", "tcp://127.0.0.1:1"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("nothing was submitted"))
        // No coordinator: one line with a hint.
        let absent = try await labloop(["campaign", "list", "--endpoint", "tcp://127.0.0.1:1"])
        #expect(absent.status == 1)
        #expect(absent.stderr.hasPrefix("error: no coordinator at tcp://127.0.0.1:1"), "\(absent.stderr)")
        #expect(absent.stderr.split(separator: "\n").count == 1)
    }
}

final class SVGCounter: NSObject, XMLParserDelegate {
    var root: String?
    var circles = 0
    var polylines = 0

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        if root == nil { root = name }
        if name == "circle" { circles += 1 }
        if name == "polyline" { polylines += 1 }
    }
}
