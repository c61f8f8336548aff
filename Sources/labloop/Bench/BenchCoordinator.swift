import Foundation
import Glibc
import LabLoopCore
import LabLoopPeer
import LabLoopProtocol
import LabLoopStore
import ZeroMQ

/// A `labloop serve` child process on a temporary data directory, with CURVE keys for the bench's
/// agents and model allowed in its store. `stop()` reaps it; the caller removes the directory.
final class BenchCoordinator: Sendable {
    let directory: URL
    let serverKey: String
    let admin: PeerCredentials
    let modelKey: CurveKeyPair
    let trace: URL
    private let child: LockedChild

    /// Prepares keys for `agents` (allowed as `bench-agent-N`) and starts the coordinator.
    static func start(directory: URL, agents: [Swarm.Member]) async throws -> BenchCoordinator {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let server = try await Serve.prepareKeys(dataDirectory: directory)
        let keys = DataDirectoryKeys(dataDirectory: directory)
        let model = try CurveKeyPair.generate()
        let store = try Store(path: directory.appendingPathComponent("labloop.sqlite").path)
        try await store.write { tx in
            try tx.allow(AccessEntry(publicKey: model.publicKey, principal: InstantProposer.modelID, role: .model))
            for agent in agents { try tx.allow(AccessEntry(publicKey: agent.key.publicKey, principal: agent.id, role: .agent)) }
        }
        await store.close()
        let admin = try PeerCredentials.load(keyFile: keys.adminKeyPath, serverKey: server.publicKey)
        let coordinator = BenchCoordinator(directory: directory, serverKey: server.publicKey, admin: admin, modelKey: model)
        try await coordinator.launch(endpoints: nil)
        return coordinator
    }

    /// A coordinator for a data directory an earlier bench coordinator prepared; not started yet.
    static func restartOnly(directory: URL) async throws -> BenchCoordinator {
        let server = try await Serve.prepareKeys(dataDirectory: directory)
        let admin = try PeerCredentials.load(keyFile: DataDirectoryKeys(dataDirectory: directory).adminKeyPath,
                                             serverKey: server.publicKey)
        return BenchCoordinator(directory: directory, serverKey: server.publicKey, admin: admin, modelKey: try CurveKeyPair.generate())
    }

    static func members(_ count: Int) throws -> [Swarm.Member] {
        try (1...max(1, count)).map { Swarm.Member(id: String(format: "bench-agent-%04d", $0), key: try CurveKeyPair.generate()) }
    }

    private init(directory: URL, serverKey: String, admin: PeerCredentials, modelKey: CurveKeyPair) {
        self.directory = directory
        self.serverKey = serverKey
        self.admin = admin
        self.modelKey = modelKey
        trace = directory.appendingPathComponent("turnaround.trace")  // read by traceSamples(directory:)
        child = LockedChild()
    }

    var endpointsFile: URL { directory.appendingPathComponent("coordinator.json") }
    var endpoints: CoordinatorEndpoints { (try? CoordinatorEndpoints.load(from: endpointsFile)) ?? CoordinatorEndpoints() }
    var modelSecurity: CurveSecurity {
        .client(serverKey: serverKey, publicKey: modelKey.publicKey, secretKey: modelKey.secretKey)
    }
    var pid: Int32 { child.current?.pid ?? 0 }

    /// Starts `labloop serve`; with `endpoints`, on exactly those (a restart). Returns once it serves.
    @discardableResult
    func launch(endpoints: CoordinatorEndpoints?) async throws -> Duration {
        try? FileManager.default.removeItem(at: endpointsFile)
        var arguments = ["serve", "--data", directory.path, "--log-level", "warning", "--turnaround-trace", trace.path]
        if let endpoints {
            arguments += ["--agents-endpoint", endpoints.agents, "--models-endpoint", endpoints.models,
                          "--control-endpoint", endpoints.control, "--events-endpoint", endpoints.events,
                          "--catch-up-endpoint", endpoints.catchUp]
        } else {
            arguments += ["--port", "0"]
        }
        // For A/B runs of a serve option, e.g. LABLOOP_BENCH_SERVE_ARGS="--dispatch-ahead 0".
        arguments += (ProcessInfo.processInfo.environment["LABLOOP_BENCH_SERVE_ARGS"] ?? "").split(separator: " ").map(String.init)
        let executable = ChildProcess.sibling("labloop")
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw CLIError("\(executable.path) is missing: the bench starts the labloop beside itself as its coordinator")
        }
        let started = ContinuousClock.now
        let process = try ChildProcess(name: "coordinator", executable: executable, arguments: arguments,
                                       logFile: directory.appendingPathComponent("coordinator.log"))
        child.current = process
        let deadline = started + .seconds(120)
        while ContinuousClock.now < deadline {
            if FileManager.default.fileExists(atPath: endpointsFile.path), (try? CoordinatorEndpoints.load(from: endpointsFile)) != nil {
                return ContinuousClock.now - started
            }
            guard process.isRunning else {
                throw CLIError("the benchmark's coordinator exited with status \(process.process.terminationStatus); see \(directory.path)/coordinator.log")
            }
            try await Task.sleep(for: .milliseconds(2))
        }
        throw CLIError("the benchmark's coordinator did not start within 120 s; see \(directory.path)/coordinator.log")
    }

    /// SIGTERM, then SIGKILL after a grace period; always reaps.
    func stop() async {
        if let process = child.current { await process.stop(grace: .seconds(20)) }
        child.current = nil
    }

    /// Submits the benchmark campaign; returns its id.
    func submit(_ spec: CampaignSpec) async throws -> String {
        var submit = Labloop_V1_SubmitCampaign()
        submit.spec = spec.wire
        let client = ControlClient(endpoint: endpoints.control, credentials: admin)
        return try await client.send(.submit(submit), timeout: .seconds(30)).campaign.campaignID
    }

    /// The coordinator's CPU time so far and resident memory, from /proc.
    func usage() -> (cpu: Duration, residentBytes: Int)? {
        ProcessUsage.read(pid: pid)
    }

    /// Result-to-next-assignment samples (ns) the coordinator of `directory` wrote when it stopped.
    static func traceSamples(directory: URL) -> [Int64] {
        guard let data = try? Data(contentsOf: directory.appendingPathComponent("turnaround.trace")) else { return [] }
        return data.withUnsafeBytes { raw in
            stride(from: 0, to: raw.count - 7, by: 8).map { Int64(littleEndian: raw.loadUnaligned(fromByteOffset: $0, as: Int64.self)) }
        }
    }
}

/// The coordinator process of the moment (replaced on restart).
private final class LockedChild: @unchecked Sendable {
    // @unchecked: `process` is guarded by `lock`.
    private let lock = NSLock()
    private var process: ChildProcess?
    var current: ChildProcess? {
        get { lock.withLock { process } }
        set { lock.withLock { process = newValue } }
    }
}

enum ProcessUsage {
    /// CPU time (user + system) and resident set size of `pid`, from /proc.
    static func read(pid: Int32) -> (cpu: Duration, residentBytes: Int)? {
        guard pid > 0, let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        // Fields after the parenthesised command name; utime and stime are the 14th and 15th overall.
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
        let ticks = sysconf(Int32(_SC_CLK_TCK))
        let cpu = Duration.milliseconds((user + system) * 1000 / max(1, ticks))
        let rssLine = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
        let kilobytes = rssLine?.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return (cpu, kilobytes * 1024)
    }
}
