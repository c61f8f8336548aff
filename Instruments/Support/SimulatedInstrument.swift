import Foundation
import LabLoopProtocol
public import LabLoopAgent
public import LabLoopCore
import LabLoopPeer
import Logging
import Synchronization

/// A simulated instrument: waits the configured run time, then evaluates `measure`, with
/// optional transient faults. Randomness comes from one seeded generator.
public final class SimulatedInstrument: Instrument {
    let duration: Duration
    let failRate: Double
    let rng: Mutex<SplitMix64>
    let measure: @Sendable (Point, inout SplitMix64) -> [String: Double]

    public init(options: AgentOptions, measure: @escaping @Sendable (Point, inout SplitMix64) -> [String: Double]) {
        duration = .milliseconds(options.durationMs)
        failRate = options.failRate
        rng = Mutex(SplitMix64(seed: options.seed))
        self.measure = measure
    }

    public func run(_ job: Job) async throws -> [String: Double] {
        if duration > .zero { try await Task.sleep(for: duration) }
        let (fails, values) = rng.withLock { generator -> (Bool, [String: Double]) in
            let roll = Double(generator.next() >> 11) / Double(1 << 53)
            return (roll < failRate, measure(job.parameters, &generator))
        }
        if fails { throw InstrumentFailure(kind: "transient", message: "simulated transient fault") }
        return values
    }
}

/// Runs an agent for `instrument` until SIGINT/SIGTERM.
public func runSimulatedAgent(options: AgentOptions, kind: String, operation: OperationSpec,
                              instrument: SimulatedInstrument) async throws {
    let level = Logger.Level(rawValue: options.logLevel) ?? .info
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = level
        return handler
    }
    let logger = Logger(label: "labloop.\(kind)")
    var operation = operation
    for (name, limit) in try options.limitOverrides() {
        var wire = operation.limits.first { $0.name == name } ?? Labloop_V1_ParameterLimit()
        wire.name = name
        wire.low = limit.low ?? wire.low
        wire.high = limit.high ?? wire.high
        if !limit.categories.isEmpty { wire.categories = limit.categories }
        operation.limits = operation.limits.filter { $0.name != name } + [wire]
    }
    let identity = try options.identity()
    var config = AgentConfig(endpoint: identity.endpoint, instrumentID: identity.instrumentID, kind: kind,
                             operations: [operation], capacity: options.capacity,
                             outboxDirectory: options.outboxDirectory(instrumentID: identity.instrumentID))
    config.security = identity.credentials?.curve
    let agent = try Agent(config: config, instrument: instrument, logger: logger)
    try await runUntilSignalled { try await agent.run() }
}
