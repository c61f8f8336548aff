import Foundation
public import GRDB
public import LabLoopCore
public import LabLoopProtocol

/// The changes one group-committed transaction makes. Each method writes its rows and the event
/// that describes them, so a state change and its event always commit together.
public final class StoreTransaction {
    public let db: Database
    public let now: Int64
    var nextSeq: UInt64
    var events: [CommittedEvent] = []

    init(db: Database) throws {
        self.db = db
        now = Int64(Date().timeIntervalSince1970 * 1000)
        nextSeq = try UInt64(Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) FROM events") ?? 0) + 1
    }

    /// Runs one statement, prepared once per connection: the hot paths run the same few statements
    /// thousands of times a second, and parsing them each time cost more than executing them.
    func execute(sql: String, arguments: StatementArguments) throws {
        try db.cachedStatement(sql: sql).execute(arguments: arguments)
    }

    /// Appends an event, assigning the next seq. Returns the seq.
    @discardableResult
    public func appendEvent(campaignID: String, _ kind: Labloop_V1_Event.OneOf_Kind) throws -> UInt64 {
        var event = Labloop_V1_Event()
        event.seq = nextSeq
        event.atUnixMs = now
        event.campaignID = campaignID
        event.kind = kind
        let payload = event.frameBytes()
        try execute(
            sql: "INSERT INTO events (seq, at, campaign_id, kind, payload) VALUES (?, ?, ?, ?, ?)",
            arguments: [Int64(event.seq), now, campaignID, kind.name, payload])
        events.append(CommittedEvent(event: event, payload: payload))
        nextSeq += 1
        return event.seq
    }

    // MARK: Campaigns

    public func insertCampaign(id: String, spec: Labloop_V1_CampaignSpec) throws {
        try execute(
            sql: """
                INSERT INTO campaigns (id, name, project, spec, state, submitted_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [id, spec.name, spec.project, spec.frameBytes(), CampaignState.running.rawValue, now, now])
        var submitted = Labloop_V1_CampaignSubmitted()
        submitted.spec = spec
        try appendEvent(campaignID: id, .campaignSubmitted(submitted))
    }

    /// Moves a campaign from `from` to `to`; fails with `.conflict` if it is not in `from`
    /// or the move is not legal in the campaign state machine.
    public func moveCampaign(id: String, from: CampaignState, to: CampaignState, reason: String) throws {
        guard from.canMove(to: to) else {
            throw StoreError(.conflict, operation: "move campaign \(id)",
                             message: "\(from.rawValue) -> \(to.rawValue) is not a legal move")
        }
        try execute(
            sql: "UPDATE campaigns SET state = ?, state_reason = ?, updated_at = ? WHERE id = ? AND state = ?",
            arguments: [to.rawValue, reason, now, id, from.rawValue])
        guard db.changesCount == 1 else {
            throw StoreError(.conflict, operation: "move campaign \(id)", message: "campaign is not \(from.rawValue)")
        }
        var change = Labloop_V1_CampaignStateChanged()
        change.from = from.wire
        change.to = to.wire
        change.reason = reason
        try appendEvent(campaignID: id, .campaignStateChanged(change))
    }

    // MARK: Proposals and experiments

    public func insertProposal(id: String, campaignID: String, requestID: String, messageID: String,
                               modelID: String, modelVersion: String, trainingObservations: UInt32) throws {
        try execute(
            sql: """
                INSERT INTO proposals (id, campaign_id, request_id, message_id, model_id, model_version,
                                       training_observations, received_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [id, campaignID, requestID, messageID, modelID, modelVersion, Int64(trainingObservations), now])
    }

    public func insertRejectedCandidate(proposalID: String, candidateID: String, code: Labloop_V1_ErrorCode,
                                        reason: String, parameters: [Labloop_V1_NamedValue]) throws {
        try execute(
            sql: """
                INSERT INTO rejected_candidates (proposal_id, candidate_id, code, reason, parameters)
                VALUES (?, ?, ?, ?, ?)
                """,
            arguments: [proposalID, candidateID, "\(code)", reason, NamedValuesJSON.encode(parameters)])
    }

    /// A new experiment attempt, first in `state` (queued, or awaiting approval).
    public func insertExperiment(_ proposed: Labloop_V1_ExperimentProposed, campaignID: String,
                                 retryOf: String?, state: ExperimentState) throws {
        try execute(
            sql: """
                INSERT INTO experiments (id, campaign_id, proposal_id, candidate_id, attempt, retry_of, parameters,
                                         predicted_mean, predicted_std, state, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [proposed.experimentID, campaignID, proposed.proposalID, proposed.candidateID,
                        Int64(proposed.attempt), retryOf, NamedValuesJSON.encode(proposed.parameters),
                        proposed.hasPredictedMean ? proposed.predictedMean : nil,
                        proposed.hasPredictedStd ? proposed.predictedStd : nil,
                        state.rawValue, now, now])
        try appendEvent(campaignID: campaignID, .experimentProposed(proposed))
        try recordTransition(campaignID: campaignID, experimentID: proposed.experimentID, from: nil, to: state,
                             instrumentID: nil, reason: "")
    }

    /// Moves an experiment from `from` to `to`; fails with `.conflict` if it is not in `from`
    /// or the move is not legal in the state machine.
    public func moveExperiment(campaignID: String, experimentID: String, from: ExperimentState, to: ExperimentState,
                               instrumentID: String?, reason: String) throws {
        guard from.canMove(to: to) else {
            throw StoreError(.conflict, operation: "move experiment \(experimentID)",
                             message: "\(from.rawValue) -> \(to.rawValue) is not a legal move")
        }
        try execute(
            sql: """
                UPDATE experiments SET state = ?, instrument_id = COALESCE(?, instrument_id), updated_at = ?
                WHERE id = ? AND state = ?
                """,
            arguments: [to.rawValue, instrumentID, now, experimentID, from.rawValue])
        guard db.changesCount == 1 else {
            throw StoreError(.conflict, operation: "move experiment \(experimentID)",
                             message: "experiment is not \(from.rawValue)")
        }
        try recordTransition(campaignID: campaignID, experimentID: experimentID, from: from, to: to,
                             instrumentID: instrumentID, reason: reason)
    }

    private func recordTransition(campaignID: String, experimentID: String, from: ExperimentState?,
                                  to: ExperimentState, instrumentID: String?, reason: String) throws {
        var change = Labloop_V1_ExperimentStateChanged()
        change.experimentID = experimentID
        change.from = from?.wire ?? .unspecified
        change.to = to.wire
        change.instrumentID = instrumentID ?? ""
        change.reason = reason
        let seq = try appendEvent(campaignID: campaignID, .experimentStateChanged(change))
        try execute(
            sql: """
                INSERT INTO experiment_transitions (experiment_id, from_state, to_state, at, instrument_id, reason, seq)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [experimentID, from?.rawValue, to.rawValue, now, instrumentID, reason, Int64(seq)])
    }

    // MARK: Instruments and audit

    public func upsertInstrument(hello: Labloop_V1_AgentHello) throws {
        try execute(
            sql: """
                INSERT INTO instruments (id, kind, hello, capacity, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, hello = excluded.hello,
                    capacity = excluded.capacity, last_seen = excluded.last_seen
                """,
            arguments: [hello.instrumentID, hello.kind, hello.frameBytes(), Int64(hello.capacity), now, now])
    }

    public func audit(principal: String, role: String = "", action: String, arguments: String, outcome: String) throws {
        try execute(
            sql: "INSERT INTO audit (at, principal, role, action, arguments, outcome) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [now, principal, role, action, arguments, outcome])
    }
}

@available(*, unavailable)
extension StoreTransaction: Sendable {}

extension Labloop_V1_Event.OneOf_Kind {
    var name: String {
        switch self {
        case .campaignSubmitted: "campaign_submitted"
        case .campaignStateChanged: "campaign_state_changed"
        case .experimentProposed: "experiment_proposed"
        case .experimentStateChanged: "experiment_state_changed"
        case .resultRecorded: "result_recorded"
        }
    }
}
