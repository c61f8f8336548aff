import ArgumentParser
import Foundation
import LabLoopPeer
import LabLoopProtocol

/// How a command finds the coordinator: its data directory (reads coordinator.json) or endpoints.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .long, help: "The coordinator's data directory; its coordinator.json names the endpoints.")
    var data: String?

    @Option(name: .long, help: "The coordinator's control endpoint (default tcp://127.0.0.1:7752).")
    var endpoint: String?

    @Option(name: .long, help: "Your secret key file (NAME.key). Default: $LABLOOP_KEY, else DIR/keys/admin.key with --data.")
    var key: String?

    @Option(name: .long, help: "The coordinator's public key: its .pub file, or --server-key=Z85 (a key may start with '-'). Default: from DIR/coordinator.json.")
    var serverKey: String?

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

    /// Keys for a secured coordinator, nil for one running `--insecure`.
    /// `useAdminKey`: fall back to DIR/keys/admin.key (operator commands on the coordinator host).
    func credentials(endpoints: CoordinatorEndpoints, useAdminKey: Bool = true) throws -> PeerCredentials? {
        let fallback = useAdminKey ? data.map { URL(fileURLWithPath: $0).appendingPathComponent("keys/admin.key").path } : nil
        do {
            return try PeerCredentials.resolve(keyPath: key, serverKey: serverKey, endpoints: endpoints,
                                               fallbackKeyPath: fallback)
        } catch {
            throw CLIError(error.description)
        }
    }

    /// A client for the control socket, authenticated when the coordinator requires it.
    func controlClient() throws -> ControlClient {
        let endpoints = try endpoints()
        return ControlClient(endpoint: endpoints.control, credentials: try credentials(endpoints: endpoints))
    }
}
