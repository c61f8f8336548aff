import LabLoopCore
import LabLoopProtocol

/// How campaigns read on a terminal.
enum CampaignText {
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

    static func details(_ summary: Labloop_V1_CampaignSummary) -> String {
        var lines = [
            "campaign   \(summary.campaignID)  \(summary.name)",
            "state      \(stateName(summary.state))\(summary.stateReason.isEmpty ? "" : " (\(summary.stateReason))")",
            "budget     \(summary.maxExperiments) experiments",
        ]
        let counts = summary.experiments.map { "\(ExperimentState($0.state)?.rawValue ?? "?") \($0.count)" }
        lines.append("experiments \(counts.isEmpty ? "none yet" : counts.joined(separator: ", "))")
        if summary.hasBestObjective {
            let point = (try? Point(wire: summary.bestParameters))?.description ?? ""
            lines.append("best       \(formatReal(summary.bestObjective)) at \(point) (\(summary.bestExperimentID))")
        }
        return lines.joined(separator: "\n")
    }
}
