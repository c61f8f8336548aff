public import Foundation
import GRDB
public import LabLoopCore
public import LabLoopProtocol

extension StoreTransaction {
    /// What happened to a result the store was asked to record.
    public enum ResultRecording: Sendable, Equatable {
        case stored
        /// The same message id was stored before with the same content.
        case duplicate
        /// The same message id (or experiment) was stored before with different content.
        case conflict(String)
    }

    /// Looks up a result by its message id: its stored payload, if any.
    public func storedResultPayload(messageID: String) throws -> Data? {
        try Data.fetchOne(db.cachedStatement(sql: "SELECT payload FROM results WHERE message_id = ?"), arguments: [messageID])
    }

    /// Records a result, moves its experiment to its terminal state and appends the events,
    /// unless the same message was stored before.
    public func recordResult(
        campaignID: String, messageID: String, instrumentID: String, result: Labloop_V1_ExperimentResult,
        from: ExperimentState, objective: String, proposalID: String, modelVersion: String,
        parameters: [Labloop_V1_NamedValue]
    ) throws -> ResultRecording {
        let payload = result.frameBytes()
        if let stored = try storedResultPayload(messageID: messageID) {
            return stored == payload ? .duplicate : .conflict("message \(messageID) was stored before with different content")
        }
        if try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM results WHERE experiment_id = ?"),
                             arguments: [result.experimentID]) == true {
            return .conflict("experiment \(result.experimentID) already has a result from another message")
        }
        let succeeded = result.outcome == .succeeded
        let objectiveValue = result.measurements.first { $0.name == objective }.flatMap { named -> Double? in
            if case .real(let x)? = named.value.kind { return x }
            if case .integer(let x)? = named.value.kind { return Double(x) }
            return nil
        }
        try execute(
            sql: """
                INSERT INTO results (message_id, experiment_id, instrument_id, outcome, measurements, objective,
                                     failure_kind, failure_message, started_at, finished_at, recorded_at, payload)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [messageID, result.experimentID, instrumentID, succeeded ? "succeeded" : "failed",
                        NamedValuesJSON.encode(result.measurements), succeeded ? objectiveValue : nil,
                        succeeded ? nil : result.failure.kind, succeeded ? nil : result.failure.message,
                        result.startedUnixMs == 0 ? nil : result.startedUnixMs,
                        result.finishedUnixMs == 0 ? nil : result.finishedUnixMs, now, payload])
        var recorded = Labloop_V1_ResultRecorded()
        recorded.experimentID = result.experimentID
        recorded.attempt = result.attempt
        recorded.outcome = result.outcome
        recorded.parameters = parameters
        recorded.measurements = result.measurements
        recorded.instrumentID = instrumentID
        recorded.proposalID = proposalID
        recorded.modelVersion = modelVersion
        if !succeeded { recorded.failure = result.failure }
        try appendEvent(campaignID: campaignID, .resultRecorded(recorded))
        try moveExperiment(campaignID: campaignID, experimentID: result.experimentID, from: from,
                           to: succeeded ? .completed : .failed, instrumentID: instrumentID,
                           reason: succeeded ? "" : "\(result.failure.kind): \(result.failure.message)")
        return .stored
    }
}
