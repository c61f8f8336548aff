import Foundation
import LabLoopPeer
import LabLoopProtocol
import Logging

/// One scenario's lab: a fresh coordinator, a swarm of agents and the instant proposer, all
/// stopped and reaped when the body returns or throws.
struct BenchLab {
    let coordinator: BenchCoordinator
    let swarm: Swarm
    let agents: Int

    static func run<T: Sendable>(
        in directory: URL, agents: Int, capacity: Int, duration: Duration = .zero,
        _ body: @Sendable (BenchLab) async throws -> T
    ) async throws -> T {
        let members = try BenchCoordinator.members(agents)
        let coordinator = try await BenchCoordinator.start(directory: directory, agents: members)
        do {
            let swarm = try await Swarm.connect(members: members, endpoint: coordinator.endpoints.agents,
                                                serverKey: coordinator.serverKey, capacity: capacity, duration: duration)
            let proposer = InstantProposer(endpoint: coordinator.endpoints.models, security: coordinator.modelSecurity,
                                           logger: Logger(label: "labloop.bench"))
            let lab = BenchLab(coordinator: coordinator, swarm: swarm, agents: agents)
            let value: T
            do {
                value = try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { await swarm.run() }
                    group.addTask { try await proposer.run() }
                    let value = try await body(lab)
                    group.cancelAll()
                    return value
                }
            } catch {
                await swarm.shutdown()
                throw error
            }
            await swarm.shutdown()
            await coordinator.stop()
            return value
        } catch {
            await coordinator.stop()
            throw error
        }
    }

    /// Waits until every agent is registered.
    func allRegistered(within limit: Duration) async throws {
        try await Self.wait(for: "\(agents) agents to register", within: limit) { swarm.snapshot.registered >= agents }
    }

    static func wait(for what: String, within limit: Duration, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + limit
        while !condition() {
            guard ContinuousClock.now < deadline else { throw CLIError("bench: timed out after \(limit) waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Experiments completed per second over `window`, with the coordinator's CPU use (fraction of one core).
    func measure(window: Duration) async throws -> (perSecond: Double, cpu: Double, residentBytes: Int, totals: Swarm.Totals) {
        swarm.resetTotals()
        let before = coordinator.usage()
        let start = ContinuousClock.now
        try await Task.sleep(for: window)
        let totals = swarm.snapshot
        let elapsed = ContinuousClock.now - start
        let after = coordinator.usage()
        let cpu = before.flatMap { before in after.map { ($0.cpu - before.cpu).seconds / elapsed.seconds } } ?? 0
        return (Double(totals.stored) / elapsed.seconds, cpu, after?.residentBytes ?? 0, totals)
    }
}
