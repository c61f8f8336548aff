public import Foundation
import GRDB
import SwiftProtobuf
import LabLoopCore
public import LabLoopProtocol

extension Store {
    public func campaigns() async throws(StoreError) -> [StoredCampaign] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM campaigns ORDER BY submitted_at, id").map { row in
                StoredCampaign(
                    id: row["id"],
                    spec: try Labloop_V1_CampaignSpec(serializedBytes: row["spec"] as Data),
                    state: CampaignState(rawValue: row["state"]) ?? .cancelled,
                    stateReason: row["state_reason"],
                    submittedAt: row["submitted_at"],
                    updatedAt: row["updated_at"])
            }
        }
    }

    /// Every experiment attempt of a campaign, oldest first.
    public func experiments(campaignID: String) async throws(StoreError) -> [StoredExperiment] {
        try await read { db in
            // Columns by position and a cursor instead of named lookups on materialised rows: a restart
            // reads every experiment ever run, and GRDB's case-insensitive name lookup dominated it.
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT e.id, e.campaign_id, e.proposal_id, e.candidate_id, e.attempt, e.retry_of, e.parameters,
                       e.predicted_mean, e.predicted_std, e.state, e.instrument_id, p.model_id, p.model_version,
                       r.objective, e.created_at
                FROM experiments e
                JOIN proposals p ON p.id = e.proposal_id
                LEFT JOIN results r ON r.experiment_id = e.id
                WHERE e.campaign_id = ?
                ORDER BY e.created_at, e.rowid
                """, arguments: [campaignID])
            var experiments: [StoredExperiment] = []
            while let row = try cursor.next() {
                experiments.append(StoredExperiment(
                    id: row[0], campaignID: row[1], proposalID: row[2], candidateID: row[3], attempt: row[4],
                    retryOf: row[5], parameters: try NamedValuesJSON.decode(row[6]),
                    predictedMean: row[7], predictedStd: row[8],
                    state: ExperimentState(rawValue: row[9]) ?? .needsReview,
                    instrumentID: row[10], modelID: row[11], modelVersion: row[12], objective: row[13],
                    createdAt: row[14]))
            }
            return experiments
        }
    }

    /// The latest committed event seq (0 when there is none).
    public func latestSeq() async throws(StoreError) -> UInt64 {
        try await read { db in UInt64(try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) FROM events") ?? 0) }
    }

    /// Events with seq > `afterSeq`, oldest first, at most `limit`, optionally of one campaign.
    public func events(after afterSeq: UInt64, limit: Int, campaignID: String? = nil) async throws(StoreError) -> [Labloop_V1_Event] {
        try await read { db in
            let rows: [Data]
            if let campaignID {
                rows = try Data.fetchAll(db, sql: """
                    SELECT payload FROM events WHERE seq > ? AND campaign_id = ? ORDER BY seq LIMIT ?
                    """, arguments: [Int64(clamping: afterSeq), campaignID, limit])
            } else {
                rows = try Data.fetchAll(db, sql: "SELECT payload FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
                                         arguments: [Int64(clamping: afterSeq), limit])
            }
            return try rows.map { try Labloop_V1_Event(serializedBytes: $0) }
        }
    }

    /// The stored payload of the result sent as `messageID`, if any.
    public func resultPayload(messageID: String) async throws(StoreError) -> Data? {
        try await read { db in
            try Data.fetchOne(db, sql: "SELECT payload FROM results WHERE message_id = ?", arguments: [messageID])
        }
    }
}

extension Store {
    /// The latest hello of every instrument ever registered.
    public func instruments() async throws(StoreError) -> [Labloop_V1_AgentHello] {
        try await read { db in
            try Data.fetchAll(db, sql: "SELECT hello FROM instruments ORDER BY id").map {
                try Labloop_V1_AgentHello(serializedBytes: $0)
            }
        }
    }
}
