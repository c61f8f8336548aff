import Foundation
import GRDB
import LabLoopCore
import LabLoopProtocol
import SwiftProtobuf
import Testing

/// The store-level invariants every multi-process test checks when it is done.
struct StoreInvariants {
    let db: DatabaseQueue

    init(path: String) throws {
        var configuration = Configuration()
        configuration.readonly = true
        db = try DatabaseQueue(path: path, configuration: configuration)
    }

    /// Event seqs are exactly 1...N.
    func checkContiguousSeq() throws {
        let (count, minSeq, maxSeq) = try db.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT COUNT(*) AS n, MIN(seq) AS lo, MAX(seq) AS hi FROM events")!
            return (row["n"] as Int, row["lo"] as Int?, row["hi"] as Int?)
        }
        #expect(count > 0, "no events were recorded")
        #expect(minSeq == 1, "seq must start at 1")
        #expect(maxSeq == count, "seq must be contiguous: \(count) events but max seq \(maxSeq ?? -1)")
    }

    /// Every experiment's transitions form a legal path; those that were dispatched ended in exactly
    /// one terminal state (and nothing moved after it). Returns the number of dispatched experiments.
    @discardableResult
    func checkHistories(allowActive: Bool = false) throws -> Int {
        let histories = try db.read { db in
            try Row.fetchAll(db, sql: """
                SELECT experiment_id, from_state, to_state FROM experiment_transitions ORDER BY experiment_id, id
                """)
        }
        var paths: [String: [ExperimentState]] = [:]
        for row in histories {
            let id: String = row["experiment_id"]
            let to = ExperimentState(rawValue: row["to_state"])
            #expect(to != nil, "unknown state \(String(describing: row["to_state"]))")
            if let from: String = row["from_state"] {
                #expect(paths[id]?.last?.rawValue == from, "transition of \(id) does not start where it stood")
            }
            paths[id, default: []].append(to ?? .needsReview)
        }
        var dispatched = 0
        for (id, path) in paths {
            #expect(ExperimentState.isLegalHistory(path), "illegal history for \(id): \(path.map(\.rawValue))")
            #expect(path.filter(\.isTerminal).count <= 1, "\(id) reached more than one terminal state")
            if path.contains(.dispatched) {
                dispatched += 1
                if !allowActive { #expect(path.last?.isTerminal == true, "\(id) was dispatched but never finished") }
            }
        }
        let current = try db.read { db in
            try Row.fetchAll(db, sql: "SELECT id, state FROM experiments").map { ($0["id"] as String, $0["state"] as String) }
        }
        for (id, state) in current {
            #expect(paths[id]?.last?.rawValue == state, "\(id): stored state \(state) is not its last transition")
        }
        return dispatched
    }

    /// One result per completed or failed-with-result experiment; each result's experiment links
    /// to the proposal (and model version) that produced it.
    func checkResultsLinked() throws {
        let (results, completed, unlinked) = try db.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM results WHERE outcome = 'succeeded'")!,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM experiments WHERE state = 'completed'")!,
             try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM results r
                LEFT JOIN experiments e ON e.id = r.experiment_id
                LEFT JOIN proposals p ON p.id = e.proposal_id
                WHERE e.id IS NULL OR p.id IS NULL OR p.model_version = '' OR p.model_id = ''
                """)!)
        }
        #expect(results == completed, "\(results) successful results but \(completed) completed experiments")
        #expect(unlinked == 0, "\(unlinked) results do not link to a proposal with a model id and version")
    }

    /// Nothing out of range reached the store: results are finite and from the instrument the
    /// experiment was assigned to; every instrument's declaration is within bounds.
    func checkNothingInvalid(seed: UInt64? = nil) throws {
        let context = seed.map { "seed \($0): " } ?? ""
        let (badResults, foreign) = try db.read { db in
            (try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM results WHERE objective IN (9e999, -9e999)
                    OR measurements LIKE '%NaN%' OR measurements LIKE '%Infinity%' OR outcome NOT IN ('succeeded', 'failed')
                """)!,
             try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM results r JOIN experiments e ON e.id = r.experiment_id
                WHERE e.instrument_id IS NOT r.instrument_id
                """)!)
        }
        #expect(badResults == 0, "\(context)\(badResults) results hold non-finite values or no outcome")
        #expect(foreign == 0, "\(context)\(foreign) results come from an instrument the experiment was not assigned to")
        let hellos = try db.read { db in try Data.fetchAll(db, sql: "SELECT hello FROM instruments") }
        for data in hellos {
            let hello = try Labloop_V1_AgentHello(serializedBytes: data)
            #expect((1...10_000).contains(hello.capacity), "\(context)instrument \(hello.instrumentID) stored with capacity \(hello.capacity)")
            for limit in hello.operations.flatMap(\.limits) {
                #expect(limit.low.isFinite && limit.high.isFinite && limit.low <= limit.high,
                        "\(context)instrument \(hello.instrumentID) stored with limit \(limit.name) [\(limit.low), \(limit.high)]")
            }
        }
    }
}
