import Foundation
import LabLoopCore
public import LabLoopProtocol
public import LabLoopStore
public import Logging
import ZeroMQ

/// The coordinator: binds the sockets, resumes campaigns from the store, and routes every
/// message to the actor that owns what it concerns. `run()` serves until the task is cancelled.
public actor Coordinator {
    let deps: CoordinatorDeps
    var campaigns: [String: CampaignActor] = [:]
    let context: ZMQContext
    /// Set when a graceful shutdown begins: messages read after it are left unanswered (peers resend).
    var shuttingDown = false
    /// Messages being handled, and who waits for there to be none (graceful shutdown).
    private var activeHandlers = 0
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []
    var storeAlarm = StoreAlarm()
    var lastHealth: HealthReport?
    let undeliverable = LogThrottle()
    let registrations = LogThrottle()

    /// Opens the store, binds every socket and writes the bound endpoints to the data directory.
    public static func start(config: CoordinatorConfig, logger: Logger) async throws -> Coordinator {
        try FileManager.default.createDirectory(at: config.dataDirectory, withIntermediateDirectories: true)
        try config.checkDataDirectoryWritable()
        let context = ZMQContext()
        let access = AccessControl(isSecure: config.serverKey != nil, logger: logger)
        let gateway = try await Gateway(context: context, endpoints: config.endpoints, serverKey: config.serverKey,
                                        eventsQueueLimit: config.eventsQueueLimit,
                                        eventsSocketBufferBytes: config.eventsSocketBufferBytes,
                                        access: access, logger: logger,
                                        trace: config.turnAroundTraceFile == nil ? nil : TurnAroundTrace())
        let store: Store
        do {
            store = try Store(path: config.databasePath, onCommit: { events in gateway.publish(events) })
            access.update(try await store.accessList())
            access.setReloader { try? store.accessListNow() }
        } catch {
            await gateway.shutdown()
            throw error
        }
        if config.serverKey == nil {
            logger.warning("running WITHOUT security (--insecure): no peer is authenticated; loopback only")
        }
        let registry = InstrumentRegistry(
            labLimits: config.labLimits, sessions: gateway.sessions, aheadLimit: config.dispatchAhead,
            reservations: config.reservations.map {
                Reservation(instrumentID: $0.instrumentID, project: $0.project, start: Double($0.startUnixMs) / 1000,
                            end: Double($0.endUnixMs) / 1000)
            })
        let deps = CoordinatorDeps(
            store: store, gateway: gateway, registry: registry, models: ModelDirectory(gateway: gateway),
            dispatcher: Dispatcher(registry: registry, gateway: gateway, projectWeights: config.projectWeights,
                                   reservations: config.reservations), config: config,
            logger: logger)
        let coordinator = Coordinator(deps: deps, context: context)
        try await coordinator.resume()
        var published = gateway.boundEndpoints
        published.serverKey = config.serverKey?.publicKey
        try published.write(to: config.endpointsFile)
        return coordinator
    }

    init(deps: CoordinatorDeps, context: ZMQContext) {
        self.deps = deps
        self.context = context
    }

    public nonisolated var endpoints: CoordinatorConfig.Endpoints { deps.gateway.boundEndpoints }
    public nonisolated var store: Store { deps.store }

    /// Resumes every campaign. Unfinished ones, and finished ones with an experiment still unfinished,
    /// get all their experiments back in memory; the other finished ones are shelved (see `restoreFinished`).
    private func resume() async throws {
        deps.gateway.resumePublishing(after: try await deps.store.latestSeq())
        for stored in try await deps.store.instruments() { await deps.registry.remember(hello: stored) }
        for (instrumentID, reason) in try await deps.store.quarantinedInstruments() {
            await deps.registry.restoreQuarantine(instrumentID, reason: reason)
        }
        let stored = try await deps.store.campaigns()
        let unsettled = try await deps.store.campaignsWithUnfinishedExperiments(stored.filter(\.state.isTerminal).map(\.id))
        let loading = stored.filter { !$0.state.isTerminal || unsettled.contains($0.id) }.map(\.id)
        // Read (and decode) concurrently; resumed below in submission order, which the dispatcher's queue keeps.
        let store = deps.store
        var experiments = try await withThrowingTaskGroup(of: (String, [StoredExperiment]).self) { group in
            for id in loading { group.addTask { (id, try await store.experiments(campaignID: id)) } }
            var read: [String: [StoredExperiment]] = [:]
            for try await (id, rows) in group { read[id] = rows }
            return read
        }
        for stored in stored {
            let spec = try CampaignSpec(wire: stored.spec)
            let campaign = CampaignActor(id: stored.id, spec: spec, wireSpec: stored.spec, state: stored.state,
                                         stateReason: stored.stateReason, submittedAt: stored.submittedAt, deps: deps)
            campaigns[stored.id] = campaign
            deps.gateway.access.noteCampaign(stored.id, project: spec.project)
            if !stored.state.isTerminal { await deps.dispatcher.add(campaign: campaign, id: stored.id) }
            let rows = experiments.removeValue(forKey: stored.id)
            if let rows { await campaign.load(rows) }
            if stored.state.isTerminal { await campaign.restoreFinished(at: stored.updatedAt, shelve: rows == nil) }
            deps.logger.info("resumed campaign", metadata: [
                "campaign": "\(stored.id)", "state": "\(stored.state.rawValue)",
                "experiments": "\(rows.map { "\($0.count)" } ?? "shelved")",
            ])
        }
    }

    /// Serves until cancelled, then closes the sockets and the store.
    public func run() async {
        let inbound = deps.gateway.loop.inbound
        deps.gateway.publishHeartbeat(latestSeq: deps.gateway.latestPublishedSeq)
        deps.logger.info("coordinator serving", metadata: ["agents": "\(deps.gateway.boundEndpoints.agents)"])
        await withDiscardingTaskGroup { group in
            group.addTask { await self.tickForever() }
            group.addTask { await self.refreshAccessForever() }
            group.addTask { await self.auditRefusedConnections() }
            group.addTask {
                let gateway = self.deps.gateway
                let order = PeerOrder()
                await withDiscardingTaskGroup { handlers in
                    for await item in inbound {
                        guard case .message(let socket, let frames, let peer) = item else {
                            handlers.addTask { await self.handle(item) }
                            continue
                        }
                        // Decoded (and refused) here, once; handled concurrently, each peer's messages
                        // behind its hello (see PeerOrder).
                        guard let message = gateway.decode(socket: socket, frames: frames, peer: peer) else { continue }
                        let key = PeerOrder.key(of: message)
                        if message.isHello {
                            let (turn, after) = order.hello(from: key)
                            handlers.addTask {
                                await after?.wait()
                                await self.handle(message)
                                order.finished(turn, of: key)
                            }
                        } else if let hello = order.pending(from: key) {
                            handlers.addTask {
                                await hello.wait()
                                await self.handle(message)
                            }
                        } else {
                            handlers.addTask { await self.handle(message) }
                        }
                    }
                }
            }
            group.addTask {
                // Stay here until cancelled, then stop the gateway so the inbound loop ends.
                while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
                await self.stop()
            }
        }
    }

    /// Graceful shutdown: take no new work, let every message already being handled finish (so its
    /// commit is durable and its acknowledgement queued), tell agents and models, then close the store
    /// and the sockets (each flushes for at most its linger, 200 ms).
    private func stop() async {
        deps.logger.info("coordinator stopping: finishing pending commits and acknowledgements")
        shuttingDown = true
        deps.gateway.sessions.close()
        await deps.dispatcher.stop()
        // Bounded: a handler stuck (e.g. on a wedged disk) must not keep the process alive for ever.
        let bound = Task.detached { [self] in
            guard (try? await Task.sleep(for: .seconds(10))) != nil else { return }  // cancelled: all finished
            await self.releaseIdleWaiters(timedOut: true)
        }
        await whenIdle()
        bound.cancel()
        // Held assignments never left: back to the queue, so a restart does not send them to full agents.
        await HeldAssignment.withdraw(await deps.registry.takeAllHeld(), reason: "coordinator shutting down")
        var goodbye = Labloop_V1_Disconnect()
        goodbye.reason = "coordinator shutting down"
        let agents = await deps.registry.connectedRoutingIDs(), models = await deps.models.routingIDs()
        for routingID in agents { deps.gateway.send(.disconnect(goodbye), to: routingID, on: .agent) }
        for routingID in models { deps.gateway.send(.disconnect(goodbye), to: routingID, on: .model) }
        await deps.store.close()
        await deps.gateway.shutdown()
        // The goodbyes are queued, not yet written: the process must not exit before they go out.
        if !(await context.terminate(within: .seconds(3))) {
            deps.logger.warning("sockets did not finish sending within 3 s; exiting anyway")
        }
        if let trace = deps.gateway.trace, let file = deps.config.turnAroundTraceFile {
            do { try trace.write(to: file) } catch {
                deps.logger.error("could not write the turn-around trace", metadata: ["file": "\(file.path)", "error": "\(error)"])
            }
        }
        deps.logger.info("coordinator stopped", metadata: ["agents_told": "\(agents.count)", "models_told": "\(models.count)"])
    }

    private func whenIdle() async {
        if activeHandlers == 0 { return }
        await withCheckedContinuation { idleWaiters.append($0) }
    }

    private func releaseIdleWaiters(timedOut: Bool = false) {
        if timedOut, !idleWaiters.isEmpty {
            deps.logger.warning("shutting down with messages still being handled", metadata: ["handlers": "\(activeHandlers)"])
        }
        for waiter in idleWaiters { waiter.resume() }
        idleWaiters = []
    }

    /// Re-reads the allowlist so `labloop keys allow|revoke` take effect, and ends connections of
    /// keys revoked or expired meanwhile.
    private func refreshAccessForever() async {
        guard deps.config.serverKey != nil else { return }
        let period = Duration.milliseconds(Int(deps.config.accessRefreshMs))
        while !Task.isCancelled {
            try? await Task.sleep(for: period)
            if Task.isCancelled { return }
            do {
                deps.gateway.access.update(try await deps.store.accessList())
            } catch {
                deps.logger.error("could not re-read the allowlist; keeping the last one", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Writes refused connections to the control socket into the audit table.
    private func auditRefusedConnections() async {
        let access = deps.gateway.access
        for await attempt in access.refusedOperatorAttempts {
            if Task.isCancelled { return }
            let principal = Principal(name: attempt.principal, role: PeerRole(rawValue: attempt.role) ?? .observer, scope: .unlimited)
            await audit(principal, "connect", attempt.arguments, outcome: "refused: \(attempt.reason)", role: attempt.role)
        }
    }

    private func tickForever() async {
        let period = Duration.milliseconds(Int(deps.config.streamHeartbeatMs))
        while !Task.isCancelled {
            try? await Task.sleep(for: period)
            if Task.isCancelled { return }
            await tick()
        }
    }

    private func tick() async {
        if shuttingDown { return }
        deps.gateway.publishHeartbeat(latestSeq: deps.gateway.latestPublishedSeq)
        reportHealth()
        let timeout = Duration.milliseconds(Int(deps.config.livenessTimeoutMs))
        for departure in await deps.registry.sweep(timeout: timeout) {
            deps.logger.warning("instrument lost", metadata: ["instrument": "\(departure.instrumentID)"])
            await departed(departure, reason: "instrument lost")
        }
        for modelID in await deps.models.sweep(timeout: timeout) {
            deps.logger.warning("model server lost", metadata: ["model": "\(modelID)"])
            for campaign in campaigns.values { await campaign.modelLost(modelID) }
        }
        for campaign in campaigns.values { await campaign.tick() }
        await deps.dispatcher.kick()
    }

    private func handle(_ message: InboundMessage) async {
        if shuttingDown { return }
        activeHandlers += 1
        defer {
            activeHandlers -= 1
            if activeHandlers == 0 { releaseIdleWaiters() }
        }
        switch message.role {
        case .agent: await handleAgent(message)
        case .model: await handleModel(message)
        case .control: await handleControl(message)
        case .catchUp: await handleCatchUp(message)
        case .events: break
        }
    }

    private func handle(_ item: SocketLoop.Inbound) async {
        switch item {
        case .message:
            break  // decoded and handled by `run()`
        case .undeliverable(let socket, _, let error):
            // Replies to a peer that just went away (or was disconnected): one line per socket per interval.
            undeliverable.log(key: "\(socket)") { suppressed in
                deps.logger.notice("message undeliverable", metadata: [
                    "socket": "\(socket)", "error": "\(error)", "alsoUndeliverableSinceLastLog": "\(suppressed)"])
            }
        case .handshakeRefused, .reconnected:
            break  // the coordinator's sockets only bind; they never make handshakes of their own
        }
    }

    /// The campaign that owns an experiment: experiment ids are `<campaign id>-<number>`.
    func campaign(owning experimentID: String) -> CampaignActor? {
        CampaignActor.campaignID(of: experimentID).flatMap { campaigns[$0] }
    }
}
