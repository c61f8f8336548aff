public import Foundation
public import LabLoopCore
public import LabLoopProtocol
public import ZeroMQ

/// Where the coordinator listens and how patient it is. Defaults are documented in `Docs/protocol.md`.
public struct CoordinatorConfig: Sendable {
    public typealias Endpoints = CoordinatorEndpoints

    public var dataDirectory: URL
    public var endpoints = Endpoints()
    /// Agents and model servers send a heartbeat at least this often.
    public var heartbeatIntervalMs: UInt32 = 1_000
    /// A peer silent for longer is considered lost.
    public var livenessTimeoutMs: UInt32 = 5_000
    /// After a restart, how long to wait for agents to report in-flight experiments.
    public var recoveryGraceMs: UInt32 = 10_000
    /// A proposal request unanswered for this long is sent again.
    public var proposalTimeoutMs: UInt32 = 30_000
    /// Fair-share weights per project (default 1).
    public var projectWeights: [String: Double] = [:]
    /// Instruments reserved for a project during a window (unix ms): only that project's work runs there.
    public var reservations: [(instrumentID: String, project: String, startUnixMs: Int64, endUnixMs: Int64)] = []
    /// Lab-wide hard limits per instrument kind, overriding what instruments declare.
    public var labLimits: [String: ParameterLimits] = [:]
    /// The event stream heartbeat period.
    public var streamHeartbeatMs: UInt32 = 1_000
    /// The coordinator's CURVE key pair: every socket requires CURVE and an allowed key.
    /// Nil runs without any security (`labloop serve --insecure`, loopback only).
    public var serverKey: CurveKeyPair?
    /// How often the allowlist is re-read from the store; revocations take effect within this.
    public var accessRefreshMs: UInt32 = 500
    /// Benchmarks only: record result-to-next-assignment times and write them here on stop.
    public var turnAroundTraceFile: URL?

    public init(dataDirectory: URL) {
        self.dataDirectory = dataDirectory
    }

    public var databasePath: String { dataDirectory.appendingPathComponent("labloop.sqlite").path }
    /// Written after binding: the endpoints actually bound (wildcard ports resolved).
    public var endpointsFile: URL { dataDirectory.appendingPathComponent("coordinator.json") }
}
