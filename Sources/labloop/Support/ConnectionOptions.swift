import ArgumentParser
import Foundation
import LabLoopProtocol

/// How a command finds the coordinator: its data directory (reads coordinator.json) or endpoints.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .long, help: "The coordinator's data directory; its coordinator.json names the endpoints.")
    var data: String?

    @Option(name: .long, help: "The coordinator's control endpoint (default tcp://127.0.0.1:7752).")
    var endpoint: String?

    /// The coordinator's endpoints: from `--data`, else the defaults (with `--endpoint` for control).
    func endpoints() throws -> CoordinatorEndpoints {
        var endpoints = CoordinatorEndpoints()
        if let data {
            let file = URL(fileURLWithPath: data).appendingPathComponent("coordinator.json")
            do {
                endpoints = try CoordinatorEndpoints.load(from: file)
            } catch {
                throw ValidationError("no coordinator endpoints at \(file.path): is `labloop serve --data \(data)` running?")
            }
        }
        if let endpoint { endpoints.control = endpoint }
        return endpoints
    }
}
