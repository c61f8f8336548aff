import ArgumentParser
import Foundation
import LabLoopModel
import LabLoopPeer
import LabLoopProtocol
import Logging

struct ModelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model", abstract: "Model servers.", subcommands: [ServeModel.self, BenchModel.self])
}

struct ServeModel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the built-in model server (Bayesian optimisation, space-filling, random) against a coordinator.")

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Comma-separated strategies to serve: gp-ei, gp-ucb, space-filling, random.")
    var strategy = "gp-ei,gp-ucb,space-filling,random"

    @Option(help: "Model id, the envelope sender (default: the principal of --key, else builtin-model).") var id: String?
    @Option(help: "Log level.") var logLevel = "info"

    func run() async throws {
        CLILogging.bootstrap(level: logLevel)
        let logger = Logger(label: "labloop.model")
        let available: [String: any ProposalStrategy] = [
            "gp-ei": GPStrategy(acquisition: .expectedImprovement, logger: logger),
            "gp-ucb": GPStrategy(acquisition: .upperConfidenceBound(beta: 2.0), logger: logger),
            "random": RandomStrategy(), "space-filling": SpaceFillingStrategy(),
        ]
        var chosen: [any ProposalStrategy] = []
        for name in strategy.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard let known = available[name] else {
                throw ValidationError("unknown strategy '\(name)'; available: \(available.keys.sorted().joined(separator: ", "))")
            }
            chosen.append(known)
        }
        let endpoints = try connection.endpoints()
        let credentials = try connection.credentials(endpoints: endpoints, useAdminKey: false)
        let modelID = id ?? credentials?.principal ?? "builtin-model"
        if let credentials, modelID != credentials.principal {
            throw ValidationError("--id \(modelID) differs from the principal '\(credentials.principal)' of your key: the coordinator would refuse it")
        }
        var config = ModelServerConfig(modelsEndpoint: endpoints.models, eventsEndpoint: endpoints.events,
                                       catchUpEndpoint: endpoints.catchUp, modelID: modelID, modelVersion: "builtin-0.1")
        config.security = credentials?.curve
        let server = ModelServer(config: config, strategies: chosen, logger: logger)
        try await runUntilSignalled { try await server.run() }
    }
}
