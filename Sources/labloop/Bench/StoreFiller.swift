import Foundation
import GRDB

/// Grows a benchmark store to a given number of results by copying the results a real run
/// recorded (with their experiments, transitions, proposals and events) into finished campaigns.
/// Bench setup only: it runs on a stopped coordinator's file and is not itself measured.
enum StoreFiller {
    struct Figures {
        var results: Int
        var bytes: Int
    }

    /// The store's results and its size after a checkpoint (the WAL folded into the file).
    static func figures(path: String) throws -> Figures {
        let queue = try DatabaseQueue(path: path)
        let results = try queue.writeWithoutTransaction { db -> Int in
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            return try Int.fetchOne(db, sql: "SELECT count(*) FROM results") ?? 0
        }
        try queue.close()
        let bytes = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        return Figures(results: results, bytes: bytes)
    }

    /// Copies the first campaign's recorded results until the store holds at least `target` results.
    static func fill(path: String, target: Int) throws -> Int {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.writeWithoutTransaction { db -> Int in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            guard let campaign = try String.fetchOne(db, sql: "SELECT id FROM campaigns ORDER BY submitted_at, rowid LIMIT 1") else {
                return 0
            }
            let total0 = try Int.fetchOne(db, sql: "SELECT count(*) FROM results") ?? 0
            // Grown already (e.g. `bench --recovery-only` again): nothing to copy.
            guard total0 < target, !campaign.contains("'") else { return total0 }
            let span = (try Int.fetchOne(db, sql: "SELECT max(seq) FROM events") ?? 0) + 1
            let tail = campaign.count + 1
            // The template, once: the results the run recorded and everything that belongs to them.
            try db.execute(sql: """
                CREATE TEMP TABLE t_results AS
                    SELECT r.* FROM results r JOIN experiments e ON e.id = r.experiment_id WHERE e.campaign_id = '\(campaign)';
                CREATE TEMP TABLE t_experiments AS SELECT e.* FROM experiments e JOIN t_results r ON r.experiment_id = e.id;
                CREATE TEMP TABLE t_transitions AS SELECT t.* FROM experiment_transitions t JOIN t_results r ON r.experiment_id = t.experiment_id;
                CREATE TEMP TABLE t_proposals AS SELECT * FROM proposals WHERE id IN (SELECT proposal_id FROM t_experiments);
                CREATE TEMP TABLE t_events AS SELECT * FROM events WHERE campaign_id = '\(campaign)';
                """)
            let template = try Int.fetchOne(db, sql: "SELECT count(*) FROM t_results") ?? 0
            guard template > 0 else { return total0 }
            var total = total0
            // Copies of an earlier fill are numbered 1..<campaigns: go on after them.
            var copy = (try Int.fetchOne(db, sql: "SELECT count(*) FROM campaigns") ?? 1) - 1
            while total < target {
                try db.inTransaction {
                    // Many copies per transaction: this is setup, not the store under test.
                    for _ in 0..<50 where total < target {
                        copy += 1
                        try copyTemplate(db, campaign: campaign, new: "\(campaign)r\(copy)", suffix: "r\(copy)",
                                         tail: tail, offset: span * copy)
                        total += template
                    }
                    return .commit
                }
            }
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            return total
        }
    }

    private static func copyTemplate(_ db: Database, campaign: String, new: String, suffix: String, tail: Int, offset: Int) throws {
        try db.execute(sql: """
            INSERT INTO campaigns (id, name, project, spec, state, state_reason, submitted_at, updated_at)
            SELECT ?, name, project, spec, 'completed', 'bench copy', submitted_at, updated_at FROM campaigns WHERE id = ?
            """, arguments: [new, campaign])
        try db.execute(sql: """
            INSERT INTO proposals (id, campaign_id, request_id, message_id, model_id, model_version, training_observations, received_at)
            SELECT id || ?, ?, request_id, message_id || ?, model_id, model_version, training_observations, received_at FROM t_proposals
            """, arguments: [suffix, new, suffix])
        try db.execute(sql: """
            INSERT INTO experiments (id, campaign_id, proposal_id, candidate_id, attempt, retry_of, parameters,
                                     predicted_mean, predicted_std, state, instrument_id, created_at, updated_at)
            SELECT ? || substr(id, ?), ?, proposal_id || ?, candidate_id, attempt, NULL, parameters,
                   predicted_mean, predicted_std, state, instrument_id, created_at, updated_at FROM t_experiments
            """, arguments: [new, tail, new, suffix])
        try db.execute(sql: """
            INSERT INTO experiment_transitions (experiment_id, from_state, to_state, at, instrument_id, reason, seq)
            SELECT ? || substr(experiment_id, ?), from_state, to_state, at, instrument_id, reason, seq + ? FROM t_transitions
            """, arguments: [new, tail, offset])
        try db.execute(sql: """
            INSERT INTO results (message_id, experiment_id, instrument_id, outcome, measurements, objective,
                                 failure_kind, failure_message, started_at, finished_at, recorded_at, payload)
            SELECT message_id || ?, ? || substr(experiment_id, ?), instrument_id, outcome, measurements, objective,
                   failure_kind, failure_message, started_at, finished_at, recorded_at, payload FROM t_results
            """, arguments: [suffix, new, tail])
        try db.execute(sql: """
            INSERT INTO events (seq, at, campaign_id, kind, payload) SELECT seq + ?, at, ?, kind, payload FROM t_events
            """, arguments: [offset, new])
    }
}
