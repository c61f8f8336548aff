import Foundation
import LabLoopCore
import LabLoopPeer
import LabLoopProtocol
import Testing

/// Paths in this checkout, found from this file's location.
enum Repository {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let python = root.appendingPathComponent("Instruments/python")
    static let c = root.appendingPathComponent("Instruments/c")
    /// Where the tests build the C library (inside `.build`, so the checkout stays clean).
    static let cBuild = root.appendingPathComponent(".build/labloop-c")
    static func file(_ path: String) -> URL { root.appendingPathComponent(path) }
}

struct CommandResult {
    var status: Int32
    /// stdout, then stderr.
    var output: String
}

/// Runs a tool found on PATH to completion (terminated after `timeout`).
func runCommand(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                timeout: Duration = .seconds(300)) async throws -> CommandResult {
    let result = try await runProcess(URL(fileURLWithPath: "/usr/bin/env"), [executable] + arguments,
                                      environment: environment, timeout: timeout)
    return CommandResult(status: result.status, output: result.stdout + result.stderr)
}

/// Builds the C agent library once per test run; every `make` in `Instruments/c` goes through here,
/// so two tests never build into the same directory at once.
actor CPeerBuild {
    static let shared = CPeerBuild()
    private var simulator: URL?

    /// The C simulated instrument, built by the library's Makefile.
    func simulatedInstrument() async throws -> URL {
        if let simulator { return simulator }
        let result = try await make([])
        guard result.status == 0 else {
            throw LabError("make -C Instruments/c failed (is libprotobuf-c-dev installed? ./setup.sh):\n\(result.output)")
        }
        let built = Repository.cBuild.appendingPathComponent("sim-instrument")
        simulator = built
        return built
    }

    /// `make test`: the library's own tests under valgrind.
    func test() async throws -> CommandResult { try await make(["test"]) }

    /// The last `make` started; each waits for it, since an actor alone lets calls interleave at `await`.
    private var previous: Task<Void, Never>?

    private func make(_ targets: [String]) async throws -> CommandResult {
        let before = previous
        let run = Task {
            await before?.value
            return try await runCommand("make", ["-s", "-C", Repository.c.path, "BUILD=\(Repository.cBuild.path)"] + targets)
        }
        previous = Task { _ = try? await run.value }
        return try await run.value
    }
}

/// Starts the Python and C peers of a lab with the command lines `Docs/agents.md` documents.
///
/// Without key files the peers connect without CURVE, as to `labloop serve --insecure`. When the
/// coordinator publishes a `serverKey` in coordinator.json, `keyFile` gives each peer its secret key
/// (made and allowed for its name and role), and the peers read the server key from coordinator.json.
struct PeerLauncher {
    enum Role: String, Sendable { case agent, model }

    let lab: Lab
    /// The secret key file for a peer, or nil to connect without CURVE.
    var keyFile: @Sendable (_ name: String, _ role: Role) async throws -> URL?

    /// Peers of `lab`: each gets its own key, made and allowed for its name and role, unless the coordinator is insecure.
    init(lab: Lab) {
        self.lab = lab
        keyFile = { name, role in
            guard lab.endpoints.serverKey != nil else { return nil }
            return URL(fileURLWithPath: try await lab.keyFile(name, role: role == .model ? .model : .agent))
        }
    }

    static let valgrind = ["valgrind", "--quiet", "--leak-check=full", "--errors-for-leak-kinds=definite,indirect",
                           "--show-leak-kinds=definite,indirect", "--error-exitcode=99"]

    /// `--coordinator-file PATH`, plus `--key NAME.key` when this peer has a key.
    func connectionArguments(for name: String, role: Role) async throws -> [String] {
        let arguments = ["--coordinator-file", lab.endpointsFile.path]
        guard let key = try await keyFile(name, role) else { return arguments }
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: lab.endpointsFile)) as? [String: Any]
        guard object?["serverKey"] is String else {
            throw LabError("\(name) has a key file but coordinator.json names no serverKey: is the coordinator insecure?")
        }
        return arguments + ["--key", key.path]
    }

    func outbox(_ id: String) -> URL { lab.directory.appendingPathComponent("outbox-\(id)") }

    @discardableResult
    func pythonAgent(_ id: String, logName: String? = nil, capacity: Int = 2, durationMs: Int = 50) async throws -> ChildProcess {
        try python(logName ?? id, "examples/sim_instrument.py", try await connectionArguments(for: id, role: .agent) + [
            "--id", id, "--capacity", "\(capacity)", "--duration-ms", "\(durationMs)", "--outbox", outbox(id).path])
    }

    @discardableResult
    func pythonModel(_ id: String = "numpy-model") async throws -> ChildProcess {
        try python(id, "examples/numpy_model.py", try await connectionArguments(for: id, role: .model) + ["--id", id])
    }

    /// The C simulated instrument, under valgrind: a leak makes it exit 99 when stopped.
    @discardableResult
    func cAgent(_ id: String, simulator: URL, capacity: Int = 2, durationMs: Int = 50) async throws -> ChildProcess {
        try lab.start(id, executable: URL(fileURLWithPath: "/usr/bin/env"), Self.valgrind + [simulator.path]
            + (try await connectionArguments(for: id, role: .agent))
            + ["--id", id, "--capacity", "\(capacity)", "--duration-ms", "\(durationMs)", "--outbox", outbox(id).path])
    }

    private func python(_ name: String, _ script: String, _ arguments: [String]) throws -> ChildProcess {
        try lab.start(name, executable: URL(fileURLWithPath: "/usr/bin/env"),
                      ["python3", "-u", Repository.python.appendingPathComponent(script).path] + arguments,
                      environment: ["PYTHONPATH": Repository.python.appendingPathComponent("src").path])
    }
}

/// Fails with a clear message when python3 lacks pyzmq, protobuf or numpy, or valgrind is missing.
func requirePeerTools() async throws {
    let python = try await runCommand("python3", ["-c", "import zmq, google.protobuf, numpy"])
    guard python.status == 0 else {
        throw LabError("python3 cannot import zmq, google.protobuf and numpy (run ./setup.sh):\n\(python.output)")
    }
    let valgrind = try await runCommand("valgrind", ["--version"])
    guard valgrind.status == 0 else { throw LabError("valgrind is missing (run ./setup.sh): \(valgrind.output)") }
}
