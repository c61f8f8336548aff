import Foundation
import GRDB
public import LabLoopProtocol
import LabLoopCore
import SwiftProtobuf

extension Store {
    /// A page of a campaign's experiment attempts in creation order, after `afterExperimentID`.
    public func experimentRows(campaignID: String, after afterExperimentID: String = "",
                               limit: Int) async throws(StoreError) -> (rows: [Labloop_V1_ExperimentRow], more: Bool) {
        try await read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT e.*, p.model_id, p.model_version,
                       r.measurements, r.failure_kind, r.failure_message, r.started_at, r.finished_at, r.recorded_at,
                       (SELECT t.reason FROM experiment_transitions t
                        WHERE t.experiment_id = e.id ORDER BY t.id DESC LIMIT 1) AS last_reason
                FROM experiments e
                JOIN proposals p ON p.id = e.proposal_id
                LEFT JOIN results r ON r.experiment_id = e.id
                WHERE e.campaign_id = ?
                  AND e.rowid > COALESCE((SELECT rowid FROM experiments WHERE id = ?), 0)
                ORDER BY e.rowid
                LIMIT ?
                """, arguments: [campaignID, afterExperimentID, limit + 1])
            let page = try rows.prefix(limit).map(Self.exportRow)
            return (page, rows.count > limit)
        }
    }

    private static func exportRow(_ row: Row) throws -> Labloop_V1_ExperimentRow {
        var out = Labloop_V1_ExperimentRow()
        out.experimentID = row["id"]
        out.campaignID = row["campaign_id"]
        out.attempt = UInt32(row["attempt"] as Int)
        out.retryOf = row["retry_of"] ?? ""
        out.candidateID = row["candidate_id"]
        out.proposalID = row["proposal_id"]
        out.modelID = row["model_id"]
        out.modelVersion = row["model_version"]
        out.state = ExperimentState(rawValue: row["state"])?.wire ?? .unspecified
        out.instrumentID = row["instrument_id"] ?? ""
        out.parameters = try NamedValuesJSON.decode(row["parameters"])
        if let measurements: String = row["measurements"] { out.measurements = try NamedValuesJSON.decode(measurements) }
        if let mean: Double = row["predicted_mean"] { out.predictedMean = mean }
        if let std: Double = row["predicted_std"] { out.predictedStd = std }
        out.failureKind = row["failure_kind"] ?? ""
        out.failureMessage = row["failure_message"] ?? ""
        out.createdUnixMs = row["created_at"]
        out.startedUnixMs = row["started_at"] ?? 0
        out.finishedUnixMs = row["finished_at"] ?? 0
        out.recordedUnixMs = row["recorded_at"] ?? 0
        out.stateReason = row["last_reason"] ?? ""
        return out
    }
}
