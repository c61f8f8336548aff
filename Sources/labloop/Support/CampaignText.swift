import Foundation
import LabLoopCore
import LabLoopProtocol

/// How campaigns read on a terminal.
enum CampaignText {
    static let header = "ID            STATE      DONE/BUDGET  BEST        NAME"

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    static func count(_ summary: Labloop_V1_CampaignSummary, _ state: Labloop_V1_ExperimentState) -> Int {
        Int(summary.experiments.first { $0.state == state }?.count ?? 0)
    }

    static func finished(_ summary: Labloop_V1_CampaignSummary) -> Int {
        summary.experiments.filter { ExperimentState($0.state)?.isTerminal ?? false }.reduce(0) { $0 + Int($1.count) }
    }

    static func stateName(_ state: Labloop_V1_CampaignState) -> String { CampaignState(state)?.rawValue ?? "unknown" }

    static func best(_ summary: Labloop_V1_CampaignSummary) -> String {
        summary.hasBestObjective ? formatReal(summary.bestObjective) : "-"
    }

    static func row(_ summary: Labloop_V1_CampaignSummary) -> String {
        "\(pad(summary.campaignID, 13)) \(pad(stateName(summary.state), 10)) \(pad("\(finished(summary))/\(summary.maxExperiments)", 12)) \(pad(best(summary), 11)) \(summary.name)"
    }

    /// Seconds since submission (until it finished, for finished campaigns).
    static func elapsed(_ summary: Labloop_V1_CampaignSummary) -> Double {
        let end = summary.finishedUnixMs > 0 ? summary.finishedUnixMs : summary.nowUnixMs
        return max(0, Double(end - summary.submittedUnixMs) / 1000)
    }

    /// Estimated seconds left, from the pace so far and the experiments left in the budget.
    static func eta(_ summary: Labloop_V1_CampaignSummary) -> Double? {
        let done = finished(summary)
        guard summary.finishedUnixMs == 0, done > 0 else { return nil }
        let left = max(0, Int(summary.maxExperiments) - done)
        return elapsed(summary) / Double(done) * Double(left)
    }

    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        if total < 60 { return "\(total)s" }
        if total < 3600 { return "\(total / 60)m\(String(format: "%02d", total % 60))s" }
        return "\(total / 3600)h\(String(format: "%02d", total / 60 % 60))m"
    }

    static func progress(_ summary: Labloop_V1_CampaignSummary) -> String {
        let done = finished(summary), total = max(1, Int(summary.maxExperiments))
        let filled = min(20, done * 20 / total)
        let bar = "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: 20 - filled) + "]"
        let running = count(summary, .running) + count(summary, .dispatched)
        let eta = self.eta(summary).map { "  ETA \(duration($0))" } ?? ""
        return "\(bar) \(done)/\(summary.maxExperiments)  running \(running)  best \(summary.objective.isEmpty ? "" : summary.objective + " ")\(best(summary))  \(stateName(summary.state))  \(duration(elapsed(summary)))\(eta)"
    }

    static func details(_ summary: Labloop_V1_CampaignSummary) -> String {
        var lines = [
            "campaign     \(summary.campaignID)  \(summary.name)\(summary.project.isEmpty ? "" : "  (project \(summary.project))")",
            "state        \(stateName(summary.state))\(summary.stateReason.isEmpty ? "" : " (\(summary.stateReason))")",
        ]
        let counts = summary.experiments.map { "\(ExperimentState($0.state)?.rawValue ?? "?") \($0.count)" }
        lines.append("experiments  \(finished(summary))/\(summary.maxExperiments) finished; \(counts.isEmpty ? "none yet" : counts.joined(separator: ", "))")
        if summary.hasBestObjective {
            let point = (try? Point(wire: summary.bestParameters))?.description ?? ""
            lines.append("best         \(summary.objective) \(formatReal(summary.bestObjective)) at \(point) (\(summary.bestExperimentID))")
        } else {
            lines.append("best         none yet")
        }
        lines.append("instruments  \(summary.instrumentsInUse.isEmpty ? "none in use" : summary.instrumentsInUse.joined(separator: ", "))")
        lines.append("running time \(duration(elapsed(summary)))" + (eta(summary).map { "; ETA \(duration($0)) at the pace so far" } ?? ""))
        return lines.joined(separator: "\n")
    }
}

/// One line of progress, redrawn in place on a terminal, printed as plain lines when piped.
final class ProgressLine {
    private let terminal = isatty(STDOUT_FILENO) == 1
    private var last = ""

    func show(_ text: String) {
        if terminal {
            // Unbuffered, so the line redraws at once.
            FileHandle.standardOutput.write(Data(("\r\u{1B}[K" + text).utf8))
        } else if text != last {
            print(text)
        }
        last = text
    }

    func finish() {
        if terminal { print("") }
    }
}
