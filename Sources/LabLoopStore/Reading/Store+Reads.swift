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
            try Row.fetchAll(db, sql: """
                SELECT e.*, p.model_id, p.model_version, r.objective
                FROM experiments e
                JOIN proposals p ON p.id = e.proposal_id
                LEFT JOIN results r ON r.experiment_id = e.id
                WHERE e.campaign_id = ?
                ORDER BY e.created_at, e.rowid
                """, arguments: [campaignID]).map { row in
                StoredExperiment(
                    id: row["id"], campaignID: row["campaign_id"], proposalID: row["proposal_id"],
                    candidateID: row["candidate_id"], attempt: row["attempt"], retryOf: row["retry_of"],
                    parameters: try NamedValuesJSON.decode(row["parameters"]),
                    predictedMean: row["predicted_mean"], predictedStd: row["predicted_std"],
                    state: ExperimentState(rawValue: row["state"]) ?? .needsReview,
                    instrumentID: row["instrument_id"], modelID: row["model_id"], modelVersion: row["model_version"],
                    objective: row["objective"], createdAt: row["created_at"])
            }
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
