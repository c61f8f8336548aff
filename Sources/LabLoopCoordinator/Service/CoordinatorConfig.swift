public import Foundation
public import LabLoopCore
public import LabLoopProtocol
public import LabLoopStore
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
    /// An assignment neither accepted nor declined for this long is sent again (same message id).
    public var assignmentResendMs: UInt32 = 2_000
    /// An instrument whose experiments fail this many times in a row is quarantined (drained until an
    /// operator clears it with `labloop instruments drain --undo`); 0 turns quarantine off.
    public var quarantineAfterFailures: UInt32 = 5
    /// How many experiments may be dispatched ahead to an instrument whose slots are all busy: committed
    /// to it and sent the moment a slot frees, so the next experiment starts without waiting for a commit.
    /// 0 turns it off. See Docs/architecture.md, "Dispatch ahead".
    public var dispatchAhead = 1
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
    /// Events queued per subscriber before the stream drops for that subscriber (it then fills
    /// the gap from the catch-up socket); this bounds the memory a stalled subscriber can hold.
    public var eventsQueueLimit: Int32 = 100_000
    /// The event socket's kernel buffers in bytes (0: the OS default). Small values only make
    /// drops happen sooner, for tests.
    public var eventsSocketBufferBytes: Int32 = 0
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

    /// Refuses a data directory the coordinator cannot write to (e.g. mounted read-only): it would
    /// run without being able to acknowledge anything.
    public func checkDataDirectoryWritable() throws(StoreError) {
        guard access(dataDirectory.path, W_OK) == 0 else {
            let reason = String(cString: strerror(errno))
            throw StoreError(.io, operation: "write to the data directory \(dataDirectory.path)",
                             message: "\(reason); the store must be writable: remount it read-write, free it, or choose another --data")
        }
    }

    public var databasePath: String { dataDirectory.appendingPathComponent("labloop.sqlite").path }
    /// Written after binding: the endpoints actually bound (wildcard ports resolved).
    public var endpointsFile: URL { dataDirectory.appendingPathComponent("coordinator.json") }
}
