import GRDB
public import LabLoopCore
public import LabLoopProtocol

/// What a campaign's summary says about its experiments, counted by the store instead of by
/// loading every experiment: a restart gives finished campaigns this, and their experiments later.
public struct CampaignTally: Sendable, Equatable {
    /// Experiments per state. A state the store does not know counts as needs_review, as when loading.
    public var counts: [ExperimentState: Int] = [:]
    /// The completed experiment with the best objective; of equals, the first created, as when loading.
    public var best: Best?

    public struct Best: Sendable, Equatable {
        public var experimentID: String
        public var objective: Double
        public var parameters: [Labloop_V1_NamedValue]
    }
}

extension Store {
    /// Which of `campaignIDs` have an experiment not in a terminal state (a few index seeks each).
    public func campaignsWithUnfinishedExperiments(_ campaignIDs: [String]) async throws(StoreError) -> Set<String> {
        let unfinished = ExperimentState.allCases.filter { !$0.isTerminal }.map(\.rawValue)
        let marks = unfinished.map { _ in "?" }.joined(separator: ", ")
        return try await read { db in
            let statement = try db.makeStatement(sql: """
                SELECT EXISTS (SELECT 1 FROM experiments WHERE campaign_id = ? AND state IN (\(marks)))
                """)
            var found = Set<String>()
            for id in campaignIDs where try Bool.fetchOne(statement, arguments: StatementArguments([id] + unfinished)) == true {
                found.insert(id)
            }
            return found
        }
    }

    /// Counts `campaignID`'s experiments per state and finds its best completed one, with
    /// aggregate queries on the campaign's index (no experiment is decoded but the best).
    public func tally(campaignID: String, objective: Objective) async throws(StoreError) -> CampaignTally {
        try await read { db in
            var tally = CampaignTally()
            let counts = try Row.fetchCursor(db, sql: """
                SELECT state, COUNT(*) FROM experiments WHERE campaign_id = ? GROUP BY state
                """, arguments: [campaignID])
            while let row = try counts.next() {
                tally.counts[ExperimentState(rawValue: row[0]) ?? .needsReview, default: 0] += row[1] as Int
            }
            // The load keeps the first strictly better value in (created_at, rowid) order: the same tie-break.
            // Only the winner's rowid is sorted out (half the time of carrying its columns along).
            let order = objective.direction == .maximize ? "DESC" : "ASC"
            let winner = try Int64.fetchOne(db, sql: """
                SELECT e.rowid FROM experiments e JOIN results r ON r.experiment_id = e.id
                WHERE e.campaign_id = ? AND e.state = ? AND r.objective IS NOT NULL
                ORDER BY r.objective \(order), e.created_at, e.rowid LIMIT 1
                """, arguments: [campaignID, ExperimentState.completed.rawValue])
            if let winner, let row = try Row.fetchOne(db, sql: """
                SELECT e.id, r.objective, e.parameters FROM experiments e JOIN results r ON r.experiment_id = e.id
                WHERE e.rowid = ?
                """, arguments: [winner]) {
                tally.best = .init(experimentID: row[0], objective: row[1], parameters: try NamedValuesJSON.decode(row[2]))
            }
            return tally
        }
    }
}
