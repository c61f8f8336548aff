import Foundation
import GRDB

/// The scenarios of `labloop bench`, in order, each turned into figures beside its baseline.
struct BenchScenarios {
    let scale: BenchScale
    let root: URL
    let log: @Sendable (String) -> Void

    func all(closedLoopOnly: Bool = false) async throws -> (figures: [BenchFigure], notes: [String]) {
        var figures: [BenchFigure] = []
        var notes: [String] = []
        var shown = 0
        // Figures are printed as each scenario ends, so a long run shows progress.
        func step(_ title: String) {
            for figure in figures[shown...] { log("  \(figure.name): \(BenchReport.format(figure.value)) \(figure.unit)") }
            shown = figures.count
            log(title)
        }
        step("baselines: protobuf, libzmq (CURVE), SQLite (WAL, synchronous=FULL) …")
        let base = try await Baselines.measure(scale: scale, directory: root)
        let roundTrip = BenchFigure.Baseline(name: "raw zmq round trip p50", value: base.roundTrip.microseconds(at: 50), unit: "µs")
        let pipelined = BenchFigure.Baseline(name: "raw zmq pipelined echo", value: base.pipelinedPerSecond, unit: "msg/s")
        let sqlite = BenchFigure.Baseline(name: "raw SQLite, 1,000 rows/commit", value: base.sqliteRowsPerSecond, unit: "rows/s")
        figures += [
            BenchFigure("baseline_zmq_round_trip_p50_us", "baseline: zmq DEALER↔ROUTER round trip p50 (CURVE, \(base.messageBytes) B)",
                        base.roundTrip.microseconds(at: 50), "µs"),
            BenchFigure("baseline_zmq_pipelined_per_s", "baseline: zmq pipelined echo (CURVE)", base.pipelinedPerSecond, "msg/s"),
            BenchFigure("baseline_sqlite_rows_per_s", "baseline: SQLite inserts, 1,000 rows/commit", base.sqliteRowsPerSecond, "rows/s"),
            BenchFigure("baseline_sqlite_commit_p50_us", "baseline: SQLite one-row commit p50 (fsync)", base.sqliteCommit.microseconds(at: 50), "µs"),
            BenchFigure("baseline_protobuf_ns", "baseline: protobuf encode+decode of a result envelope", base.protobufNanoseconds, "ns"),
        ]

        for agents in scale.closedLoopAgents {
            step("closed loop: \(agents) agents × capacity \(scale.closedLoopCapacity) …")
            let run = try await BenchLab.run(in: root.appendingPathComponent("loop-\(agents)"), agents: agents,
                                             capacity: scale.closedLoopCapacity) { lab in
                try await lab.allRegistered(within: .seconds(60))
                _ = try await lab.coordinator.submit(BenchCampaign.spec(slots: agents * scale.closedLoopCapacity))
                try await BenchLab.wait(for: "the first result", within: .seconds(30)) { lab.swarm.snapshot.stored > 0 }
                try await Task.sleep(for: scale.window / 4)
                return try await lab.measure(window: scale.window)
            }
            let target = agents == 64 ? "≥ 50000" : nil
            figures.append(BenchFigure("closed_loop_\(agents)_agents_per_s", "closed loop, \(agents) agents × \(scale.closedLoopCapacity)",
                                       run.perSecond, "exp/s", baseline: pipelined, target: target,
                                       met: target.map { _ in run.perSecond >= 50_000 }))
            if agents == scale.closedLoopAgents.last {
                // The simulated agents share the machine's cores with the coordinator: its CPU time per
                // experiment is the figure that does not depend on what the load generator costs.
                figures.append(BenchFigure("closed_loop_cpu_us_per_experiment", "closed loop, \(agents) agents: coordinator CPU per experiment",
                                           run.cpu * 1e6 / max(run.perSecond, 1), "µs",
                                           baseline: .init(name: "protobuf encode+decode", value: base.protobufNanoseconds / 1_000, unit: "µs")))
            }
        }

        if closedLoopOnly { return (figures, notes) }

        step("result ingest: \(scale.ingestAgents) agents × capacity \(scale.ingestCapacity) …")
        let ingestDirectory = root.appendingPathComponent("ingest")
        let ingest = try await BenchLab.run(in: ingestDirectory, agents: scale.ingestAgents, capacity: scale.ingestCapacity) { lab in
            try await lab.allRegistered(within: .seconds(60))
            _ = try await lab.coordinator.submit(BenchCampaign.spec(slots: scale.ingestAgents * scale.ingestCapacity))
            try await BenchLab.wait(for: "the first result", within: .seconds(30)) { lab.swarm.snapshot.stored > 0 }
            try await Task.sleep(for: scale.window / 4)
            return try await lab.measure(window: scale.window)
        }
        let ack = ingest.totals.acks
        let commit = BenchFigure.Baseline(name: "raw SQLite one-row commit p50", value: base.sqliteCommit.microseconds(at: 50), unit: "µs")
        figures += [
            BenchFigure("ingest_results_per_s", "result ingest, committed and acknowledged", ingest.perSecond, "results/s",
                        baseline: sqlite, target: "≥ 100000", met: ingest.perSecond >= 100_000),
            BenchFigure("ack_p50_us", "acknowledgement latency p50", ack.microseconds(at: 50), "µs", baseline: commit),
            BenchFigure("ack_p99_us", "acknowledgement latency p99", ack.microseconds(at: 99), "µs", baseline: commit,
                        target: "≤ 10000", met: ack.microseconds(at: 99) <= 10_000),
            BenchFigure("ack_p999_us", "acknowledgement latency p99.9", ack.microseconds(at: 99.9), "µs", baseline: commit),
        ]
        let stored = try StoreFiller.figures(path: ingestDirectory.appendingPathComponent("labloop.sqlite").path)
        figures.append(BenchFigure("store_bytes_per_result", "store growth per result (all tables)",
                                   Double(stored.bytes) / Double(max(1, stored.results)), "B",
                                   baseline: .init(name: "raw SQLite result-sized row", value: base.sqliteBytesPerRow, unit: "B")))

        let rate = scale.turnAroundRate
        step("turn-around: \(scale.turnAroundAgents) agents at \(rate) experiments/s …")
        let pace = Duration.seconds(Double(scale.turnAroundAgents) / Double(rate))
        let (cycles, turnAround) = try await turnAround(agents: scale.turnAroundAgents, pace: pace)
        figures += [
            BenchFigure("turnaround_p50_us", "turn-around at \(rate)/s (result in → next assignment out) p50",
                        turnAround.microseconds(at: 50), "µs", baseline: roundTrip, target: "≤ 100",
                        met: turnAround.microseconds(at: 50) <= 100),
            BenchFigure("turnaround_p99_us", "turn-around p99", turnAround.microseconds(at: 99), "µs", baseline: roundTrip,
                        target: "≤ 1000", met: turnAround.microseconds(at: 99) <= 1_000),
            BenchFigure("turnaround_p999_us", "turn-around p99.9", turnAround.microseconds(at: 99.9), "µs", baseline: roundTrip),
            BenchFigure("agent_cycle_p50_us", "agent's cycle (result sent → next assignment) p50", cycles.microseconds(at: 50), "µs",
                        baseline: roundTrip, target: "≤ 2× raw round trip",
                        met: cycles.microseconds(at: 50) <= 2 * roundTrip.value),
            BenchFigure("agent_cycle_p99_us", "agent's cycle p99", cycles.microseconds(at: 99), "µs",
                        baseline: .init(name: "raw zmq round trip p99", value: base.roundTrip.microseconds(at: 99), unit: "µs")),
        ]

        step("scale: \(scale.scaleAgents) agents with CURVE and heartbeats …")
        figures += try await scaleFigures()

        step("recovery: start with \(scale.recoveryResults) stored results …")
        figures += try await recovery(directory: ingestDirectory)
        notes.append("ratios: throughput ÷ baseline (fraction of the raw limit); latency ÷ baseline (multiple of raw).")
        if scale.quick { notes.append("quick mode: small scenarios that check every figure is produced; do not compare its values with targets.") }
        return (figures, notes)
    }

    /// Agents with capacity 1 paced to offer `rate`: the coordinator's turn-around trace and the agents' cycles.
    private func turnAround(agents: Int, pace: Duration) async throws -> (Latencies, Latencies) {
        let directory = root.appendingPathComponent("turnaround")
        let cycles = try await BenchLab.run(in: directory, agents: agents, capacity: 1, duration: pace) { lab in
            try await lab.allRegistered(within: .seconds(60))
            _ = try await lab.coordinator.submit(BenchCampaign.spec(slots: agents))
            try await BenchLab.wait(for: "the first result", within: .seconds(30)) { lab.swarm.snapshot.stored > 0 }
            try await Task.sleep(for: scale.window / 4)
            return try await lab.measure(window: scale.window * 2).totals.cycles
        }
        // The trace is written when the coordinator stops (BenchLab.run stops it).
        var turnAround = Latencies()
        for sample in BenchCoordinator.traceSamples(directory: directory) { turnAround.record(nanoseconds: sample) }
        return (cycles, turnAround)
    }

    func scaleFigures() async throws -> [BenchFigure] {
        let agents = scale.scaleAgents
        let window = scale.scaleWindow
        // At load the agents offer about 1,000 experiments/s in all.
        let pace = Duration.seconds(Double(agents) / 1_000)
        let directory = root.appendingPathComponent("scale")
        let figures = try await BenchLab.run(in: directory, agents: agents, capacity: 1, duration: pace) { lab -> [BenchFigure] in
            let connectStart = ContinuousClock.now
            try await lab.allRegistered(within: .seconds(120))
            let connected = ContinuousClock.now - connectStart
            try await Task.sleep(for: .seconds(2))
            let idle = try await lab.measure(window: window)
            _ = try await lab.coordinator.submit(BenchCampaign.spec(slots: agents))
            try await BenchLab.wait(for: "the first result", within: .seconds(30)) { lab.swarm.snapshot.stored > 0 }
            try await Task.sleep(for: pace + .seconds(1))
            let busy = try await lab.measure(window: window)
            let endpoints = lab.coordinator.endpoints
            lab.swarm.forgetRegistrations()
            await lab.coordinator.stop()
            let restart = ContinuousClock.now
            try await lab.coordinator.launch(endpoints: endpoints)
            try await lab.allRegistered(within: .seconds(120))
            let reconnected = ContinuousClock.now - restart
            let n = "\(agents)"
            return [
                BenchFigure("scale_connect_s", "\(n) agents: all connected and registered (CURVE) from cold", connected.seconds, "s"),
                BenchFigure("scale_idle_cpu_percent", "\(n) idle agents: coordinator CPU", idle.cpu * 100, "% core",
                            target: "≤ 5", met: idle.cpu * 100 <= 5),
                BenchFigure("scale_idle_rss_mb", "\(n) idle agents: coordinator resident memory", Double(idle.residentBytes) / 1e6, "MB",
                            target: "≤ 200", met: Double(idle.residentBytes) / 1e6 <= 200),
                BenchFigure("scale_load_per_s", "\(n) agents at load: experiments completed", busy.perSecond, "exp/s"),
                BenchFigure("scale_load_cpu_percent", "\(n) agents at load: coordinator CPU", busy.cpu * 100, "% core"),
                BenchFigure("scale_load_rss_mb", "\(n) agents at load: coordinator resident memory", Double(busy.residentBytes) / 1e6, "MB"),
                BenchFigure("scale_reconnect_s", "\(n) agents: all registered again after a coordinator restart", reconnected.seconds, "s",
                            target: "≤ 10", met: reconnected.seconds <= 10),
            ]
        }
        return figures
    }

    /// Grows the ingest run's store to the target and times `labloop serve` from start to serving.
    func recovery(directory: URL) async throws -> [BenchFigure] {
        let path = directory.appendingPathComponent("labloop.sqlite").path
        let results = try StoreFiller.fill(path: path, target: scale.recoveryResults)
        // Baseline: reading every experiment row straight from SQLite.
        let readStart = ContinuousClock.now
        let rows = try await DatabaseQueue(path: path).read { db in
            try Row.fetchCursor(db, sql: "SELECT * FROM experiments").reduce(0) { count, _ in count + 1 }
        }
        let rawRead = ContinuousClock.now - readStart
        let coordinator = try await BenchCoordinator.restartOnly(directory: directory)
        let serving: Duration
        do {
            serving = try await coordinator.launch(endpoints: nil)
        } catch {
            await coordinator.stop()
            throw error
        }
        await coordinator.stop()
        return [
            BenchFigure("recovery_serving_s", "serving after start with \(results) stored results", serving.seconds, "s",
                        baseline: .init(name: "raw SQLite read of all \(rows) experiment rows", value: rawRead.seconds, unit: "s"),
                        target: "≤ 2", met: serving.seconds <= 2),
        ]
    }
}
