import Foundation
import LabLoopCore
import LabLoopPeer
import LabLoopProtocol
import LabLoopStore
import Logging
import Testing
import ZeroMQ

/// The built executables: beside the test bundle (SwiftPM puts every product in one folder).
enum Binaries {
    static var directory: URL {
        if let override = ProcessInfo.processInfo.environment["LABLOOP_BIN_DIR"] { return URL(fileURLWithPath: override) }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while url.path != "/", !FileManager.default.fileExists(atPath: url.appendingPathComponent("labloop").path) {
            url.deleteLastPathComponent()
        }
        return url
    }

    static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }
}

/// A lab on loopback for one test: a coordinator, agents and model servers as real processes.
/// Every process is reaped when the test ends, also when it fails.
final class Lab: @unchecked Sendable {
    // @unchecked: children are appended only from the test's own task.
    let directory: URL
    private(set) var children: [ChildProcess] = []
    private(set) var endpoints = CoordinatorEndpoints()
    let logger = Logger(label: "labloop.test")
    /// The data directory's operator key (made by `serve`); nil when the coordinator runs --insecure.
    private(set) var admin: PeerCredentials?
    private var keyFiles: [String: String] = [:]
    /// The coordinator's data directory: `directory` unless a test puts it elsewhere (e.g. on a small
    /// file system) before starting the coordinator. Logs, keys and outboxes stay in `directory`.
    var dataDirectory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("labloop-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        dataDirectory = directory
    }

    var databasePath: String { dataDirectory.appendingPathComponent("labloop.sqlite").path }
    var endpointsFile: URL { dataDirectory.appendingPathComponent("coordinator.json") }

    @discardableResult
    func start(_ name: String, _ executable: String, _ arguments: [String]) throws -> ChildProcess {
        try start(name, executable: Binaries.url(executable), arguments)
    }

    /// Starts any executable (e.g. a Python or C peer) as one of the lab's processes.
    @discardableResult
    func start(_ name: String, executable: URL, _ arguments: [String], environment: [String: String] = [:]) throws -> ChildProcess {
        let child = try ChildProcess(name: name, executable: executable, arguments: arguments,
                                     logFile: directory.appendingPathComponent("\(name).log"), environment: environment)
        children.append(child)
        return child
    }

    /// Starts `labloop serve` on free ports and waits for its endpoints file. CURVE is on unless
    /// `extra` holds `--insecure`. A restarted coordinator keeps its ports (peers reconnect to them);
    /// give each start its own `name` to keep every log.
    @discardableResult
    func startCoordinator(name: String = "coordinator", extra: [String] = [],
                          environment: [String: String] = [:]) async throws -> ChildProcess {
        var listen = ["--port", "0"]
        if let previous = try? CoordinatorEndpoints.load(from: endpointsFile) {
            listen = ["--agents-endpoint", previous.agents, "--models-endpoint", previous.models,
                      "--control-endpoint", previous.control, "--events-endpoint", previous.events,
                      "--catch-up-endpoint", previous.catchUp]
        }
        try? FileManager.default.removeItem(at: endpointsFile)
        let child = try start(name, executable: Binaries.url("labloop"),
                              ["serve", "--data", dataDirectory.path] + listen + extra, environment: environment)
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let found = try? CoordinatorEndpoints.load(from: endpointsFile) {
                endpoints = found
                admin = try found.serverKey.map {
                    try PeerCredentials.load(keyFile: dataDirectory.appendingPathComponent("keys/admin.key").path, serverKey: $0)
                }
                return child
            }
            #expect(child.isRunning, "the coordinator exited early: \(log(name))")
            try await Task.sleep(for: .milliseconds(50))
        }
        throw LabError("the coordinator did not write \(endpointsFile.path)")
    }

    /// A secret key file for `name`, made and allowed on first use (nothing when running insecure).
    /// The coordinator re-reads its allowlist when it meets an unknown key, so it is admitted at once.
    func keyArguments(_ name: String, role: PeerRole) async throws -> [String] {
        guard endpoints.serverKey != nil else { return [] }
        return ["--key", try await keyFile(name, role: role)]
    }

    func keyFile(_ name: String, role: PeerRole, scope: AccessScope = .unlimited, expiresAtMs: Int64? = nil) async throws -> String {
        if let known = keyFiles[name] { return known }
        let key = try KeyFile.generate(principal: name, role: role)
        let files = try key.write(to: directory.appendingPathComponent("test-keys"), name: name)
        try await allow(AccessEntry(publicKey: key.publicKey, principal: name, role: role, scope: scope, expiresAtMs: expiresAtMs))
        keyFiles[name] = files.secret.path
        return files.secret.path
    }

    /// Credentials for an in-process peer named `name` (nil when running insecure).
    func credentials(_ name: String, role: PeerRole, scope: AccessScope = .unlimited,
                     expiresAtMs: Int64? = nil) async throws -> PeerCredentials? {
        guard let serverKey = endpoints.serverKey else { return nil }
        let path = try await keyFile(name, role: role, scope: scope, expiresAtMs: expiresAtMs)
        return try PeerCredentials.load(keyFile: path, serverKey: serverKey)
    }

    /// Writes an allowlist entry into the store, as `labloop keys allow` does.
    func allow(_ entry: AccessEntry) async throws {
        let store = try Store(path: databasePath)
        try await store.write { tx in try tx.allow(entry) }
        await store.close()
    }

    /// A simulated flow reactor (operation `react`, not repeatable). `logName` (default `id`) names its
    /// log, so a restarted agent can keep the first one's; `environment` can arm a failpoint.
    @discardableResult
    func startReactor(_ id: String, logName: String? = nil, capacity: Int = 2, durationMs: Int = 20,
                      extra: [String] = [], environment: [String: String] = [:]) async throws -> ChildProcess {
        try start(logName ?? id, executable: Binaries.url("flow-reactor"),
                  ["--coordinator-file", endpointsFile.path, "--id", id,
                   "--capacity", "\(capacity)", "--duration-ms", "\(durationMs)", "--outbox", outbox(id).path]
                  + (try await keyArguments(id, role: .agent)) + extra, environment: environment)
    }

    /// A benchmark-function instrument (operation `evaluate`, repeatable).
    @discardableResult
    func startBenchmarkAgent(_ id: String, function: String, capacity: Int = 1, durationMs: Int = 0) async throws -> ChildProcess {
        try start(id, "benchmark-functions", ["--coordinator-file", endpointsFile.path, "--id", id, "--function", function,
                                              "--capacity", "\(capacity)", "--duration-ms", "\(durationMs)",
                                              "--outbox", outbox(id).path]
                  + (try await keyArguments(id, role: .agent)))
    }

    func outbox(_ id: String) -> URL { directory.appendingPathComponent("outbox-\(id)") }

    func startModel(strategy: String = "space-filling") async throws {
        try start("model", "labloop", ["model", "serve", "--data", dataDirectory.path, "--strategy", strategy]
                  + (try await keyArguments("model", role: .model)))
    }

    func control(_ command: Labloop_V1_ControlRequest.OneOf_Command) async throws -> Labloop_V1_ControlReply {
        try await control(command, as: admin)
    }

    /// Sends a control command as `credentials`' principal (as "tester" when running insecure).
    func control(_ command: Labloop_V1_ControlRequest.OneOf_Command, as credentials: PeerCredentials?,
                 timeout: Duration = .seconds(10)) async throws -> Labloop_V1_ControlReply {
        var request = Labloop_V1_ControlRequest()
        request.command = command
        let message = request
        let reply = try await withPeerLink(context: ZMQContext(), endpoint: endpoints.control,
                                           sender: credentials?.principal ?? "tester", security: credentials?.curve,
                                           logger: logger) { link in
            try await link.request(.controlRequest(message), timeout: timeout)
        }
        guard case .controlReply(let result)? = reply.body else { throw LabError("unexpected reply \(reply)") }
        return result
    }

    func submit(_ spec: CampaignSpec) async throws -> String {
        var submit = Labloop_V1_SubmitCampaign()
        submit.spec = spec.wire
        return try await control(.submit(submit)).campaign.campaignID
    }

    /// Polls until the campaign is completed or cancelled.
    func waitUntilFinished(_ campaignID: String, timeout: Duration) async throws -> Labloop_V1_CampaignSummary {
        let deadline = ContinuousClock.now + timeout
        var get = Labloop_V1_GetCampaign()
        get.campaignID = campaignID
        while ContinuousClock.now < deadline {
            let summary = try await control(.getCampaign(get)).campaign
            if CampaignState(summary.state)?.isTerminal ?? false { return summary }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw LabError("campaign \(campaignID) did not finish within \(timeout)")
    }

    func log(_ name: String) -> String {
        (try? String(contentsOf: directory.appendingPathComponent("\(name).log"), encoding: .utf8)) ?? "(no log)"
    }

    /// Stops every process (SIGTERM, then SIGKILL) and returns their exit statuses by name.
    @discardableResult
    func stopAll() async -> [String: Int32] {
        var statuses: [String: Int32] = [:]
        for child in children.reversed() { statuses[child.name] = await child.stop() }
        return statuses
    }
}

struct LabError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs `body` with a fresh lab and always stops its processes afterwards.
func withLab<T>(_ body: (Lab) async throws -> T) async throws -> T {
    let lab = try Lab()
    do {
        let value = try await body(lab)
        await lab.stopAll()
        return value
    } catch {
        await lab.stopAll()
        throw error
    }
}
