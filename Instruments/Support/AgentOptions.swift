public import ArgumentParser
public import Foundation
public import LabLoopCore
public import LabLoopPeer
public import LabLoopProtocol

/// Options every simulated instrument takes.
public struct AgentOptions: ParsableArguments {
    @Option(name: .long, help: "The coordinator's endpoints file (<data dir>/coordinator.json).")
    public var coordinatorFile: String?

    @Option(name: .long, help: "The coordinator's agent endpoint, if no endpoints file is given.")
    public var endpoint: String = "tcp://127.0.0.1:7750"

    @Option(name: .long, help: "Instrument id, unique in the lab (default: the principal of --key).")
    public var id: String?

    @Option(name: .long, help: "This instrument's secret key file (NAME.key; default $LABLOOP_KEY). Needed unless the coordinator runs --insecure.")
    public var key: String?

    @Option(name: .long, help: "The coordinator's public key, its .pub file or --server-key=Z85 (default: from --coordinator-file).")
    public var serverKey: String?

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

    /// The coordinator's endpoints (and key), from the endpoints file when one is given.
    public func coordinatorEndpoints() throws -> CoordinatorEndpoints {
        guard let coordinatorFile else {
            var endpoints = CoordinatorEndpoints()
            endpoints.agents = endpoint
            return endpoints
        }
        do {
            return try CoordinatorEndpoints.load(from: URL(fileURLWithPath: coordinatorFile))
        } catch {
            throw ValidationError("cannot read the endpoints file \(coordinatorFile): \(error.localizedDescription)")
        }
    }

    /// Where to connect, as whom, with which keys. The instrument id is the key's principal.
    public func identity() throws -> (endpoint: String, instrumentID: String, credentials: PeerCredentials?) {
        let endpoints = try coordinatorEndpoints()
        let credentials: PeerCredentials?
        do {
            credentials = try PeerCredentials.resolve(keyPath: key, serverKey: serverKey, endpoints: endpoints)
        } catch {
            throw ValidationError(error.description)
        }
        guard let instrumentID = id ?? credentials?.principal else {
            throw ValidationError("give the instrument an id: --id NAME (or --key FILE, whose principal is the id)")
        }
        if let credentials, instrumentID != credentials.principal {
            throw ValidationError("--id \(instrumentID) differs from the principal '\(credentials.principal)' of the key \(key ?? "in $LABLOOP_KEY"): the coordinator would refuse it")
        }
        return (endpoints.agents, instrumentID, credentials)
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

    public func outboxDirectory(instrumentID: String) -> URL { URL(fileURLWithPath: outbox ?? "outbox-\(instrumentID)") }
}
