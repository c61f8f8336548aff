import ArgumentParser
import Foundation
import LabLoopPeer
import LabLoopProtocol
import Logging
import ZeroMQ

/// Sends control requests and turns failures into one-line messages for people.
struct ControlClient {
    let endpoint: String
    /// Nil against a coordinator running `--insecure`.
    var credentials: PeerCredentials?
    let logger = Logger(label: "labloop.cli")

    /// The envelope sender: the key's principal, or (insecure) the login name.
    var operatorName: String {
        credentials?.principal ?? ProcessInfo.processInfo.environment["USER"] ?? "operator"
    }

    func send(_ command: Labloop_V1_ControlRequest.OneOf_Command, timeout: Duration = .seconds(5)) async throws -> Labloop_V1_ControlReply {
        var request = Labloop_V1_ControlRequest()
        request.command = command
        let endpoint = endpoint
        let message = request
        do {
            let reply = try await withPeerLink(context: ZMQContext(), endpoint: endpoint, sender: operatorName,
                                               security: credentials?.curve, logger: logger) { link in
                try await link.request(.controlRequest(message), timeout: timeout)
            }
            guard case .controlReply(let result)? = reply.body else {
                throw CLIError("unexpected reply from the coordinator at \(endpoint)")
            }
            return result
        } catch let error as PeerError {
            switch error.code {
            case .timeout:
                let hint = credentials == nil ? "" : " If it runs, it may have refused your key \(credentials!.principal) (not allowed, revoked, expired, or the wrong server key); its log says which."
                throw CLIError("no coordinator at \(endpoint) (no reply within \(timeout)); start one with `labloop serve --data DIR`, or pass --data/--endpoint.\(hint)")
            case .refused(let code):
                throw CLIError("the coordinator refused: \(error.message) (\(code))")
            default:
                throw CLIError("\(error.message)")
            }
        }
    }
}

/// A user-facing failure: printed as one line, exit code 1 unless given.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    var exitCode: Int32 = 1

    init(_ description: String, exitCode: Int32 = 1) {
        self.description = description
        self.exitCode = exitCode
    }
}

extension AsyncParsableCommand {
    /// Runs `body`, printing a CLIError as `error: …` and exiting with its code instead of a trace.
    func reportingErrors(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as CLIError {
            FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
            throw ExitCode(error.exitCode)
        }
    }
}
