import ArgumentParser
import Foundation
import Glibc
import LabLoopCore
import LabLoopPeer
import LabLoopProtocol
import LabLoopStore
import Simulators
import ZeroMQ

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a closed-loop campaign on this machine: coordinator, simulated reactors and a model server.",
        discussion: """
            Starts `labloop serve`, the flow-reactor agents and `labloop model serve` as separate processes \
            talking over TCP on 127.0.0.1, submits a campaign, shows progress, prints a summary and stops \
            everything. Ctrl-C stops everything cleanly at any point.
            """)

    @Option(help: "Data directory (default: a new ./labloop-demo-<time> directory).") var data: String?
    @Option(help: "Number of simulated reactors.") var reactors = 2
    @Option(help: "Experiments the campaign may run.") var experiments = 40
    @Option(help: "Experiments running at once.") var parallel = 4
    @Option(help: "Simulated run time of one experiment, ms.") var durationMs = 150
    @Option(help: "Proposal strategy: gp-ei, gp-ucb, space-filling or random.") var strategy = "gp-ei"

    func validate() throws {
        guard reactors >= 1 else { throw ValidationError("--reactors must be at least 1") }
        guard experiments >= 1 else { throw ValidationError("--experiments must be at least 1") }
        guard parallel >= 1 else { throw ValidationError("--parallel must be at least 1") }
        guard ["gp-ei", "gp-ucb", "space-filling", "random"].contains(strategy) else {
            throw ValidationError("--strategy must be gp-ei, gp-ucb, space-filling or random")
        }
    }

    func run() async throws {
        lineBufferStandardOutput()
        let directory = URL(fileURLWithPath: data ?? Self.defaultDirectory())
        let logs = directory.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let endpointsFile = directory.appendingPathComponent("coordinator.json")
        try? FileManager.default.removeItem(at: endpointsFile)
        let started = ContinuousClock.now
        let children = Children()
        var exitCode: Int32 = 0
        do {
            try await runUntilSignalled(throwOnSignal: true) {
                try await self.session(directory: directory, logs: logs, endpointsFile: endpointsFile,
                                       children: children, started: started)
            }
        } catch is CancellationError {
            print("\ninterrupted: stopping every process")
            exitCode = 130
        } catch let error as CLIError {
            FileHandle.standardError.write(Data("\nerror: \(error.description)\n".utf8))
            exitCode = 1
        }
        await children.stopAll()
        if exitCode != 0 { throw ExitCode(exitCode) }
    }

    private func session(directory: URL, logs: URL, endpointsFile: URL, children: Children,
                         started: ContinuousClock.Instant) async throws {
        let labloop = ChildProcess.sibling("labloop")
        print("LabLoop demo: data in \(directory.path)")
        // Everything talks CURVE, as in a real lab: one key per process, all allowed before the start.
        let serverKey = try await Serve.prepareKeys(dataDirectory: directory)
        let keys = DataDirectoryKeys(dataDirectory: directory)
        var reactorKeys: [String] = []
        let modelKey: String
        do {
            let store = try Store(path: directory.appendingPathComponent("labloop.sqlite").path)
            for index in 1...reactors { reactorKeys.append(try await keys.localPeerKey("reactor-\(index)", role: .agent, store: store)) }
            modelKey = try await keys.localPeerKey("model", role: .model, store: store)
            await store.close()
        } catch let error as CredentialError {
            throw CLIError("demo keys: \(error.description)")
        }
        try await children.start("coordinator", labloop,
                                 ["serve", "--data", directory.path, "--port", "0"], logs)
        let endpoints = try await waitForEndpoints(endpointsFile, children: children)
        for index in 1...reactors {
            try await children.start("reactor-\(index)", ChildProcess.sibling("flow-reactor"), [
                "--coordinator-file", endpointsFile.path, "--key", reactorKeys[index - 1], "--capacity", "2",
                "--duration-ms", "\(durationMs)", "--seed", "\(index)",
                "--outbox", directory.appendingPathComponent("outbox-reactor-\(index)").path,
            ], logs)
        }
        try await children.start("model", labloop,
                                 ["model", "serve", "--data", directory.path, "--key", modelKey, "--strategy", strategy], logs)
        print("started coordinator, \(reactors) reactors and a model server proposing with \(strategy), all over CURVE (logs in \(logs.path))")

        let admin = try PeerCredentials.load(keyFile: keys.adminKeyPath, serverKey: serverKey.publicKey)
        let client = ControlClient(endpoint: endpoints.control, credentials: admin)
        var submit = Labloop_V1_SubmitCampaign()
        submit.spec = DemoCampaign.spec(experiments: experiments, parallel: parallel, strategy: strategy).wire
        let campaignID = try await client.send(.submit(submit)).campaign.campaignID
        print("submitted campaign \(campaignID): maximise yield in \(experiments) experiments")

        let line = ProgressLine()
        var summary = Labloop_V1_CampaignSummary()
        while true {
            try await Task.sleep(for: .milliseconds(200))
            try await children.checkAlive()
            var get = Labloop_V1_GetCampaign()
            get.campaignID = campaignID
            summary = try await client.send(.getCampaign(get)).campaign
            line.show(Self.progress(summary))
            if CampaignState(summary.state)?.isTerminal ?? false { break }
        }
        line.finish()
        printSummary(summary, elapsed: ContinuousClock.now - started, database: directory.appendingPathComponent("labloop.sqlite"))
    }

    private func waitForEndpoints(_ file: URL, children: Children) async throws -> CoordinatorEndpoints {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let endpoints = try? CoordinatorEndpoints.load(from: file) { return endpoints }
            try await children.checkAlive()
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CLIError("the coordinator did not start within 30 s; see its log")
    }

    private func printSummary(_ summary: Labloop_V1_CampaignSummary, elapsed: Duration, database: URL) {
        let optimum = FlowReactorModel.knownOptimum
        print("")
        print("campaign \(summary.campaignID) \(CampaignText.stateName(summary.state)): \(summary.stateReason)")
        print("experiments run   \(CampaignText.finished(summary)) (completed \(CampaignText.count(summary, .completed)), failed \(CampaignText.count(summary, .failed)))")
        if summary.hasBestObjective {
            let best = (try? Point(wire: summary.bestParameters)) ?? Point()
            // The measured best includes noise; the simulator's noise-free yield there is the fair comparison.
            let trueYield = FlowReactorModel(noise: 0).yield(at: best)
            print("best yield        \(formatReal(summary.bestObjective)) % measured (\(formatReal(trueYield)) % noise-free)  at \(best)")
            print("known optimum     \(formatReal(optimum.yield)) %  at \(optimum.point)")
            print("gap to optimum    \(formatReal(optimum.yield - trueYield)) percentage points (noise-free)")
        } else {
            print("best yield        none recorded")
        }
        print("wall time         \(String(format: "%.1f", Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)) s")
        print("database          \(database.path)")
    }

    /// The demo's own line: what a scientist watching the reactor wants to see.
    static func progress(_ summary: Labloop_V1_CampaignSummary) -> String {
        let done = CampaignText.finished(summary)
        let running = CampaignText.count(summary, .running) + CampaignText.count(summary, .dispatched)
        return "experiments \(done)/\(summary.maxExperiments)  running \(running)  best yield \(CampaignText.best(summary))"
    }

    static func defaultDirectory() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return "labloop-demo-\(formatter.string(from: Date()))"
    }
}

/// The demo's child processes; all are stopped on every exit path.
actor Children {
    private var running: [ChildProcess] = []

    func start(_ name: String, _ executable: URL, _ arguments: [String], _ logs: URL) throws {
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw CLIError("\(executable.path) is missing: build everything first with `swift build`")
        }
        running.append(try ChildProcess(name: name, executable: executable, arguments: arguments,
                                        logFile: logs.appendingPathComponent("\(name).log")))
    }

    func checkAlive() throws {
        if let dead = running.first(where: { !$0.isRunning }) {
            throw CLIError("\(dead.name) exited with status \(dead.process.terminationStatus); see \(dead.logFile?.path ?? "its log")")
        }
    }

    /// Stops agents and the model together first, the coordinator last, so nothing reconnects in vain.
    func stopAll() async {
        let peers = running.dropFirst()
        await withDiscardingTaskGroup { group in
            for child in peers { group.addTask { await child.stop() } }
        }
        await running.first?.stop()
        running = []
    }
}
