import ArgumentParser
import Foundation
import LabLoopCoordinator
import LabLoopCore
import LabLoopPeer
import LabLoopProtocol
import Logging
import LabLoopStore
import ZeroMQ

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the coordinator on a data directory until SIGINT or SIGTERM.",
        discussion: """
            Binds five sockets (agents, models, control, events, catch-up) on --host at --port … --port+4 \
            (--port 0 picks free ports) and writes the bound endpoints to DIR/coordinator.json. \
            Restarting on the same directory resumes every unfinished campaign. \
            Every socket requires CURVE and a key allowed with `labloop keys allow`; the first start makes \
            DIR/keys/coordinator.key and an operator key DIR/keys/admin.key. --insecure turns security off \
            (loopback only).
            """)

    @Option(help: "Directory for the SQLite store and coordinator.json (created if missing).")
    var data: String

    @Option(help: "Address to bind.")
    var host = "127.0.0.1"

    @Option(help: "First of five consecutive ports; 0 lets the system choose free ports.")
    var port = 7750

    @Option(help: "Override the agent endpoint, e.g. tcp://0.0.0.0:7750.") var agentsEndpoint: String?
    @Option(help: "Override the model endpoint.") var modelsEndpoint: String?
    @Option(help: "Override the control endpoint.") var controlEndpoint: String?
    @Option(help: "Override the event (PUB) endpoint.") var eventsEndpoint: String?
    @Option(help: "Override the catch-up endpoint.") var catchUpEndpoint: String?

    @Option(help: "Agent and model heartbeat interval, ms.") var heartbeatMs: UInt32 = 1_000
    @Option(help: "Silence after which an agent or model is considered lost, ms.") var livenessMs: UInt32 = 5_000
    @Option(help: "After a restart, how long to wait for agents to report in-flight work, ms.") var recoveryGraceMs: UInt32 = 10_000
    @Option(help: "An assignment neither accepted nor declined is sent again (same message id) after this long, ms.")
    var assignmentResendMs: UInt32 = 2_000
    @Option(help: "Experiments that may be dispatched ahead to an instrument whose slots are all busy: committed to it and sent the moment a slot frees (0: off).")
    var dispatchAhead = 1
    @Option(help: "Quarantine an instrument after this many failed experiments in a row, until `labloop instruments drain --undo ID` clears it (0: never).")
    var quarantineAfter: UInt32 = 5
    @Option(name: .customLong("project-weight"), help: "Fair-share weight of a project, NAME=WEIGHT (repeatable; default 1).")
    var projectWeights: [String] = []
    @Option(name: .customLong("limit"), help: "Lab-wide hard limit for an instrument kind, KIND:PARAMETER=LOW..HIGH or KIND:PARAMETER=A,B (repeatable). Overrides what instruments declare.")
    var limits: [String] = []
    @Option(name: .customLong("reserve"), help: "Reserve an instrument for a project, INSTRUMENT=PROJECT@START/END with ISO 8601 times (repeatable). Only that project's work runs there in the window; it idles otherwise.")
    var reserve: [String] = []
    @Option(help: "Log level.") var logLevel = "info"
    @Option(help: "Events queued per subscriber before the stream drops for it; subscribers then fill the gap from the catch-up socket.")
    var eventsQueue: Int32 = 100_000
    @Option(help: .hidden) var eventsSocketBuffer: Int32 = 0
    @Option(help: .hidden) var turnaroundTrace: String?
    @Flag(help: "Run WITHOUT authentication or encryption (anyone who can connect is trusted). Binds loopback only.")
    var insecure = false

    func parsedReservations() throws -> [(instrumentID: String, project: String, startUnixMs: Int64, endUnixMs: Int64)] {
        let formatter = ISO8601DateFormatter()
        return try reserve.map { entry in
            let sides = entry.split(separator: "=", maxSplits: 1).map(String.init)
            let rest = sides.count == 2 ? sides[1].split(separator: "@", maxSplits: 1).map(String.init) : []
            let window = rest.count == 2 ? rest[1].split(separator: "/", maxSplits: 1).map(String.init) : []
            guard sides.count == 2, !sides[0].isEmpty, rest.count == 2, !rest[0].isEmpty, window.count == 2,
                  let start = formatter.date(from: window[0]), let end = formatter.date(from: window[1]), start < end else {
                throw ValidationError("--reserve \(entry): expected INSTRUMENT=PROJECT@START/END, e.g. reactor-1=catalysis@2026-12-01T08:00:00Z/2026-12-01T12:00:00Z")
            }
            return (sides[0], rest[0], Int64(start.timeIntervalSince1970 * 1000), Int64(end.timeIntervalSince1970 * 1000))
        }
    }

    func validate() throws {
        if insecure {
            for endpoint in resolvedEndpoints().all where !Self.isLoopback(endpoint) {
                throw ValidationError("--insecure binds only loopback addresses; \(endpoint) is not one (use 127.0.0.1, or run with CURVE)")
            }
        }
        _ = try parsedWeights()
        _ = try parsedLimits()
        _ = try parsedReservations()
        guard assignmentResendMs >= 100 else { throw ValidationError("--assignment-resend-ms must be at least 100") }
        guard (0...100).contains(dispatchAhead) else { throw ValidationError("--dispatch-ahead must be within 0...100, got \(dispatchAhead)") }
    }

    func parsedWeights() throws -> [String: Double] {
        var weights: [String: Double] = [:]
        for entry in projectWeights {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, let weight = Double(parts[1]), weight > 0, weight.isFinite else {
                throw ValidationError("--project-weight \(entry): expected NAME=WEIGHT with a positive weight")
            }
            weights[parts[0]] = weight
        }
        return weights
    }

    func parsedLimits() throws -> [String: ParameterLimits] {
        var limits: [String: ParameterLimits] = [:]
        for entry in self.limits {
            let sides = entry.split(separator: "=", maxSplits: 1).map(String.init)
            let target = sides.first?.split(separator: ":", maxSplits: 1).map(String.init) ?? []
            guard sides.count == 2, target.count == 2, !target[0].isEmpty, !target[1].isEmpty,
                  let limit = ParameterLimits.Limit(parsing: sides[1]) else {
                throw ValidationError("--limit \(entry): expected KIND:PARAMETER=LOW..HIGH or KIND:PARAMETER=A,B")
            }
            limits[target[0], default: ParameterLimits()] = limits[target[0], default: ParameterLimits()]
                .intersected(with: ParameterLimits([target[1]: limit]))
        }
        return limits
    }

    func run() async throws {
        CLILogging.bootstrap(level: logLevel)
        let logger = Logger(label: "labloop.coordinator")
        var config = CoordinatorConfig(dataDirectory: URL(fileURLWithPath: data))
        config.endpoints = resolvedEndpoints()
        config.heartbeatIntervalMs = heartbeatMs
        config.livenessTimeoutMs = livenessMs
        config.eventsQueueLimit = eventsQueue
        config.eventsSocketBufferBytes = eventsSocketBuffer
        config.recoveryGraceMs = recoveryGraceMs
        config.assignmentResendMs = assignmentResendMs
        config.quarantineAfterFailures = quarantineAfter
        config.dispatchAhead = dispatchAhead
        config.projectWeights = try parsedWeights()
        config.labLimits = try parsedLimits()
        config.reservations = try parsedReservations()
        config.turnAroundTraceFile = turnaroundTrace.map { URL(fileURLWithPath: $0) }
        try await reportingErrors {
            try? FileManager.default.createDirectory(at: config.dataDirectory, withIntermediateDirectories: true)
            do {
                try config.checkDataDirectoryWritable()
            } catch {
                throw CLIError("cannot start the coordinator: \(error)")
            }
            if insecure {
                FileHandle.standardError.write(Data("warning: running WITHOUT security (--insecure): every peer on this host is trusted as whoever it claims to be\n".utf8))
            } else {
                config.serverKey = try await Self.prepareKeys(dataDirectory: config.dataDirectory)
            }
            let coordinator: Coordinator
            do {
                coordinator = try await Coordinator.start(config: config, logger: logger)
            } catch {
                throw CLIError("cannot start the coordinator on \(data): \(error)")
            }
            try await runUntilSignalled { await coordinator.run() }
        }
    }

    func resolvedEndpoints() -> CoordinatorEndpoints {
        var endpoints = CoordinatorEndpoints(host: host, basePort: port)
        endpoints.agents = agentsEndpoint ?? endpoints.agents
        endpoints.models = modelsEndpoint ?? endpoints.models
        endpoints.control = controlEndpoint ?? endpoints.control
        endpoints.events = eventsEndpoint ?? endpoints.events
        endpoints.catchUp = catchUpEndpoint ?? endpoints.catchUp
        return endpoints
    }

    static func isLoopback(_ endpoint: String) -> Bool {
        ["tcp://127.", "tcp://localhost:", "tcp://[::1]:", "ipc://", "inproc://"].contains { endpoint.hasPrefix($0) }
    }

    /// The coordinator's key pair from DIR/keys, made (with the admin key) on first start.
    static func prepareKeys(dataDirectory: URL) async throws -> CurveKeyPair {
        do {
            try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
            let store = try Store(path: dataDirectory.appendingPathComponent("labloop.sqlite").path)
            let keys = try await DataDirectoryKeys(dataDirectory: dataDirectory).prepare(store: store)
            await store.close()
            return keys
        } catch let error as CredentialError {
            throw CLIError("the coordinator's keys in \(dataDirectory.path)/keys: \(error.description)")
        } catch let error as StoreError {
            throw CLIError("cannot open the store in \(dataDirectory.path): \(error)")
        }
    }
}
