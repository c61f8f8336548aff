import Foundation
import LabLoopCore
import LabLoopProtocol

/// CSV and JSON Lines renderings of experiment rows: one row per attempt.
enum RowFormats {
    static let fixedColumns = [
        "experiment_id", "campaign_id", "attempt", "retry_of", "state", "state_reason", "instrument_id", "agent_id",
        "model_id", "model_version", "proposal_id", "candidate_id", "predicted_mean", "predicted_std",
        "created_at", "started_at", "finished_at", "recorded_at", "failure_kind", "failure_message",
    ]

    static func csv(_ rows: [Labloop_V1_ExperimentRow]) -> String {
        let parameterNames = ordered(rows.map { $0.parameters.map(\.name) })
        let measurementNames = ordered(rows.map { $0.measurements.map(\.name) })
        var lines = [(fixedColumns + parameterNames.map { "param." + $0 } + measurementNames.map { "measure." + $0 })
            .map(escape).joined(separator: ",")]
        for row in rows {
            var fields = [
                row.experimentID, row.campaignID, String(row.attempt), row.retryOf, stateName(row.state), row.stateReason,
                row.instrumentID, row.instrumentID, row.modelID, row.modelVersion, row.proposalID, row.candidateID,
                row.hasPredictedMean ? formatReal(row.predictedMean) : "", row.hasPredictedStd ? formatReal(row.predictedStd) : "",
                timestamp(row.createdUnixMs), timestamp(row.startedUnixMs), timestamp(row.finishedUnixMs),
                timestamp(row.recordedUnixMs), row.failureKind, row.failureMessage,
            ]
            fields += parameterNames.map { name in row.parameters.first { $0.name == name }.map { text($0.value) } ?? "" }
            fields += measurementNames.map { name in row.measurements.first { $0.name == name }.map { text($0.value) } ?? "" }
            lines.append(fields.map(escape).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func jsonLines(_ rows: [Labloop_V1_ExperimentRow]) throws -> String {
        try rows.map { row -> String in
            var object: [String: Any] = [
                "experiment_id": row.experimentID, "campaign_id": row.campaignID, "attempt": Int(row.attempt),
                "state": stateName(row.state), "instrument_id": row.instrumentID, "agent_id": row.instrumentID,
                "model_id": row.modelID, "model_version": row.modelVersion, "proposal_id": row.proposalID,
                "candidate_id": row.candidateID, "created_at": timestamp(row.createdUnixMs),
                "parameters": dictionary(row.parameters), "measurements": dictionary(row.measurements),
            ]
            if !row.retryOf.isEmpty { object["retry_of"] = row.retryOf }
            if !row.stateReason.isEmpty { object["state_reason"] = row.stateReason }
            if row.hasPredictedMean { object["predicted_mean"] = row.predictedMean }
            if row.hasPredictedStd { object["predicted_std"] = row.predictedStd }
            if row.startedUnixMs != 0 { object["started_at"] = timestamp(row.startedUnixMs) }
            if row.finishedUnixMs != 0 { object["finished_at"] = timestamp(row.finishedUnixMs) }
            if row.recordedUnixMs != 0 { object["recorded_at"] = timestamp(row.recordedUnixMs) }
            if !row.failureKind.isEmpty { object["failure"] = ["kind": row.failureKind, "message": row.failureMessage] }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            return String(decoding: data, as: UTF8.self)
        }.joined(separator: "\n") + (rows.isEmpty ? "" : "\n")
    }

    static func stateName(_ state: Labloop_V1_ExperimentState) -> String { ExperimentState(state)?.rawValue ?? "unknown" }

    private static func dictionary(_ values: [Labloop_V1_NamedValue]) -> [String: Any] {
        Dictionary(values.map { named -> (String, Any) in
            switch named.value.kind {
            case .real(let x)?: (named.name, x.isFinite ? x as Any : String(x) as Any)
            case .integer(let x)?: (named.name, x)
            case .category(let x)?: (named.name, x)
            case nil: (named.name, NSNull())
            }
        }, uniquingKeysWith: { first, _ in first })
    }

    private static func text(_ value: Labloop_V1_Value) -> String {
        ParameterValue(value)?.description ?? ""
    }

    private static func ordered(_ lists: [[String]]) -> [String] {
        var seen = Set<String>()
        return lists.flatMap { $0 }.filter { seen.insert($0).inserted }
    }

    static func timestamp(_ unixMs: Int64) -> String {
        guard unixMs > 0 else { return "" }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: Double(unixMs) / 1000))
    }

    private static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
