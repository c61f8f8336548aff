import Foundation
import Logging
import LabLoopStore

/// What `<data>/health.json` holds: the store's state, the bad input refused so far, and how many
/// heartbeats took the fast path.
struct HealthReport: Codable, Sendable, Equatable {
    /// "ok", or "failing: <why>" while commits (and so acknowledgements) are stopped.
    var store: String
    var latestSeq: UInt64
    /// Refused messages since start, by reason (`malformed`, `invalid_value`, `result_rejected`, ...).
    var refusals: [String: Int]
    var refusedTotal: Int
    /// Connections ended for sending too much bad input.
    var disconnects: Int
    /// The rule: this many refusals within `intervalSeconds` end a peer's connection.
    var disconnectAfter: Int
    var intervalSeconds: Int
    /// Heartbeats of registered agents and models answered on the gateway's thread since start
    /// (`HeartbeatFastPath`); the others went through the actors.
    var fastHeartbeats: Int
}

/// Says loudly when the store stops committing, again every interval while it stays so, and when it recovers.
struct StoreAlarm: Sendable {
    enum Action: Equatable { case none, failing(firstSeen: Bool), recovered }

    private var failingSince: ContinuousClock.Instant?
    private var lastLogged: ContinuousClock.Instant?

    mutating func observe(failing: Bool, now: ContinuousClock.Instant, every interval: Duration) -> Action {
        guard failing else {
            defer { failingSince = nil }
            return failingSince == nil ? .none : .recovered
        }
        if failingSince == nil {
            failingSince = now
            lastLogged = now
            return .failing(firstSeen: true)
        }
        if let lastLogged, now - lastLogged < interval { return .none }
        lastLogged = now
        return .failing(firstSeen: false)
    }
}

extension Coordinator {
    var healthFile: URL { deps.config.dataDirectory.appendingPathComponent("health.json") }

    func healthReport() -> HealthReport {
        let counts = deps.gateway.refusals.snapshot
        let rules = deps.gateway.refusals.rules
        return HealthReport(
            store: deps.store.writeFailure.map { "failing: \($0)" } ?? "ok", latestSeq: deps.gateway.latestPublishedSeq,
            refusals: counts.byReason, refusedTotal: counts.total, disconnects: counts.disconnects,
            disconnectAfter: rules.disconnectAfter, intervalSeconds: Int(rules.interval.components.seconds),
            fastHeartbeats: deps.gateway.heartbeats.answered)
    }

    /// Logs store failures and recovery, and rewrites `health.json` when the report changed.
    func reportHealth() {
        let failure = deps.store.writeFailure
        switch storeAlarm.observe(failing: failure != nil, now: .now, every: .seconds(10)) {
        case .failing(let firstSeen):
            deps.logger.critical(firstSeen ? "the store stopped committing: results are NOT acknowledged until it recovers"
                                           : "the store is still failing: results are NOT acknowledged",
                                 metadata: ["error": "\(failure.map { "\($0)" } ?? "")",
                                            "fix": "free space on (or remount read-write) \(deps.config.dataDirectory.path)"])
        case .recovered:
            deps.logger.notice("the store commits again; acknowledgements resumed")
        case .none:
            break
        }
        let report = healthReport()
        guard report != lastHealth else { return }
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(report).write(to: healthFile, options: .atomic)
            lastHealth = report
        } catch {
            // A full or read-only disk: better no file than a stale one that says all is well.
            try? FileManager.default.removeItem(at: healthFile)
        }
    }
}
