import ArgumentParser
import Foundation
import LabLoopCoordinator
import LabLoopPeer
import LabLoopProtocol
import Logging

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the coordinator on a data directory until SIGINT or SIGTERM.",
        discussion: """
            Binds five sockets (agents, models, control, events, catch-up) on --host at --port … --port+4 \
            (--port 0 picks free ports) and writes the bound endpoints to DIR/coordinator.json. \
            Restarting on the same directory resumes every unfinished campaign.
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
    @Option(help: "Log level.") var logLevel = "info"

    func run() async throws {
        CLILogging.bootstrap(level: logLevel)
        let logger = Logger(label: "labloop.coordinator")
        var config = CoordinatorConfig(dataDirectory: URL(fileURLWithPath: data))
        var endpoints = CoordinatorEndpoints(host: host, basePort: port)
        endpoints.agents = agentsEndpoint ?? endpoints.agents
        endpoints.models = modelsEndpoint ?? endpoints.models
        endpoints.control = controlEndpoint ?? endpoints.control
        endpoints.events = eventsEndpoint ?? endpoints.events
        endpoints.catchUp = catchUpEndpoint ?? endpoints.catchUp
        config.endpoints = endpoints
        config.heartbeatIntervalMs = heartbeatMs
        config.livenessTimeoutMs = livenessMs
        config.recoveryGraceMs = recoveryGraceMs
        try await reportingErrors {
            let coordinator: Coordinator
            do {
                coordinator = try await Coordinator.start(config: config, logger: logger)
            } catch {
                throw CLIError("cannot start the coordinator on \(data): \(error)")
            }
            try await runUntilSignalled { await coordinator.run() }
        }
    }
}
