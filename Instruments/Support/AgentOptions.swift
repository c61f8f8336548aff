public import ArgumentParser
public import Foundation
public import LabLoopCore
import LabLoopProtocol

/// Options every simulated instrument takes.
public struct AgentOptions: ParsableArguments {
    @Option(name: .long, help: "The coordinator's endpoints file (<data dir>/coordinator.json).")
    public var coordinatorFile: String?

    @Option(name: .long, help: "The coordinator's agent endpoint, if no endpoints file is given.")
    public var endpoint: String = "tcp://127.0.0.1:7750"

    @Option(name: .long, help: "Instrument id, unique in the lab.")
    public var id: String

    @Option(name: .long, help: "Experiments this instrument runs at once.")
    public var capacity: Int = 1

    @Option(name: .long, help: "Simulated run time of one experiment, in milliseconds.")
    public var durationMs: Int = 100

    @Option(name: .long, help: "Probability (0-1) that an experiment fails with a transient fault.")
    public var failRate: Double = 0

    @Option(name: .long, help: "Random seed for noise and faults.")
    public var seed: UInt64 = 1

    @Option(name: .long, help: "Directory for the outbox of unacknowledged results (default: ./outbox-<id>).")
    public var outbox: String?

    @Option(name: .customLong("limit"), help: "Narrow a declared hard limit, PARAMETER=LOW..HIGH or PARAMETER=A,B (repeatable).")
    public var limits: [String] = []

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error.")
    public var logLevel: String = "info"

    public init() {}

    public func validate() throws {
        guard capacity >= 1 else { throw ValidationError("--capacity must be at least 1") }
        guard durationMs >= 0 else { throw ValidationError("--duration-ms must not be negative") }
        guard (0...1).contains(failRate) else { throw ValidationError("--fail-rate must be between 0 and 1") }
        _ = try limitOverrides()
    }

    /// The agent endpoint, from the endpoints file when one is given.
    public func agentEndpoint() throws -> String {
        guard let coordinatorFile else { return endpoint }
        do {
            return try CoordinatorEndpoints.load(from: URL(fileURLWithPath: coordinatorFile)).agents
        } catch {
            throw ValidationError("cannot read the endpoints file \(coordinatorFile): \(error.localizedDescription)")
        }
    }

    /// The `--limit` overrides by parameter name.
    public func limitOverrides() throws -> [String: ParameterLimits.Limit] {
        var overrides: [String: ParameterLimits.Limit] = [:]
        for entry in limits {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, let limit = ParameterLimits.Limit(parsing: parts[1]) else {
                throw ValidationError("--limit \(entry): expected PARAMETER=LOW..HIGH or PARAMETER=A,B")
            }
            overrides[parts[0]] = limit
        }
        return overrides
    }

    public var outboxDirectory: URL { URL(fileURLWithPath: outbox ?? "outbox-\(id)") }
}
