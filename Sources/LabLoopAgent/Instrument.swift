public import LabLoopCore

/// One experiment an instrument is asked to run.
public struct Job: Sendable {
    public var experimentID: String
    public var attempt: Int
    public var campaignID: String
    public var operation: String
    public var parameters: Point
    /// Measurements the campaign expects back.
    public var measurements: [String]
    /// Reports progress (0...1) to the coordinator.
    public var progress: @Sendable (Double, String) -> Void
}

/// A failure the instrument reports: `kind` is matched by campaigns' retry policies
/// (e.g. "transient" may be retried, "hardware" or "sample" usually not).
public struct InstrumentFailure: Error, Sendable {
    public var kind: String
    public var message: String

    public init(kind: String, message: String) {
        self.kind = kind
        self.message = message
    }
}

/// What an agent drives: implement `run` for your robot or instrument.
public protocol Instrument: Sendable {
    /// Runs one experiment and returns its measurements by name. Throw `InstrumentFailure` to
    /// report a failed experiment; throwing `CancellationError` reports it as cancelled.
    func run(_ job: Job) async throws -> [String: Double]
}
