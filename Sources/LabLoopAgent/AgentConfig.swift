public import Foundation
public import ZeroMQ
public import LabLoopProtocol

/// An operation the instrument offers, with the hard limits it accepts.
public struct OperationSpec: Sendable {
    public var name: String
    public var limits: [Labloop_V1_ParameterLimit]
    public var measurements: [String]
    /// True if re-running consumes nothing irreplaceable (a lost attempt may then be retried).
    public var repeatable: Bool

    public init(name: String, limits: [Labloop_V1_ParameterLimit] = [], measurements: [String], repeatable: Bool) {
        self.name = name
        self.limits = limits
        self.measurements = measurements
        self.repeatable = repeatable
    }
}

public struct AgentConfig: Sendable {
    /// The coordinator's agent endpoint, e.g. `tcp://127.0.0.1:7750`.
    public var endpoint: String
    /// Stable name of this instrument; used as the envelope sender.
    public var instrumentID: String
    public var kind: String
    public var operations: [OperationSpec]
    public var capacity: Int
    /// Where unacknowledged results are kept, so they survive a crash of the agent.
    public var outboxDirectory: URL
    /// How often an unacknowledged result is sent again.
    public var resendInterval: Duration = .seconds(2)
    /// CURVE keys for a secured coordinator (nil: plain connection, for `serve --insecure`).
    /// The key's principal must be `instrumentID`.
    public var security: CurveSecurity?

    public init(endpoint: String, instrumentID: String, kind: String, operations: [OperationSpec], capacity: Int,
                outboxDirectory: URL) {
        self.endpoint = endpoint
        self.instrumentID = instrumentID
        self.kind = kind
        self.operations = operations
        self.capacity = capacity
        self.outboxDirectory = outboxDirectory
    }
}
