import Foundation
import LabLoopCore
import LabLoopFailpoints
import LabLoopPeer
import LabLoopProtocol
public import Logging
import ZeroMQ

/// Connects an `Instrument` to a coordinator: registers, heartbeats, runs assignments, and sends
/// each result until the coordinator acknowledges it (kept in an on-disk outbox meanwhile).
/// Re-registers by itself when the coordinator restarts. `run()` returns when cancelled.
public final class Agent: Sendable {
    let config: AgentConfig
    let instrument: any Instrument
    let logger: Logger
    let outbox: Outbox

    public init(config: AgentConfig, instrument: any Instrument, logger: Logger) throws {
        self.config = config
        self.instrument = instrument
        var logger = logger
        logger[metadataKey: "instrument"] = "\(config.instrumentID)"
        self.logger = logger
        outbox = try Outbox(directory: config.outboxDirectory)
    }

    public func run() async throws {
        let recovered = outbox.entries()
        if !recovered.isEmpty {
            logger.notice("\(recovered.count) unacknowledged results in the outbox will be resent",
                          metadata: ["messages": "\(recovered.map(\.messageID).joined(separator: ","))"])
        }
        let session = AgentSession(recovered: recovered)
        let context = ZMQContext()
        try await withPeerLink(context: context, endpoint: config.endpoint, sender: config.instrumentID,
                               security: config.security,
                               logger: logger) { link in
            await withDiscardingTaskGroup { group in
                group.addTask { await self.maintain(link, session) }
                for await envelope in link.messages {
                    await self.handle(envelope, link, session)
                }
                group.cancelAll()
            }
            for job in await session.stopAll() { await job.value }
            if await session.registered {
                var goodbye = Labloop_V1_Disconnect()
                goodbye.reason = "agent stopping"
                link.send(.disconnect(goodbye))
            }
        }
    }

    /// Hello until welcomed, heartbeats, resends, and noticing a silent coordinator.
    private func maintain(_ link: PeerLink, _ session: AgentSession) async {
        while !Task.isCancelled {
            if await session.coordinatorSilent() {
                logger.warning("coordinator silent; registering again")
                await session.lostRegistration()
            }
            if await session.shouldHello(every: .seconds(2)) { link.send(.agentHello(await hello(session))) }
            if await session.heartbeatDue() {
                var beat = Labloop_V1_Heartbeat()
                beat.running = UInt32(await session.runningCount)
                link.send(.heartbeat(beat))
            }
            for frame in await session.resendDue(after: config.resendInterval) { link.send(frame: frame) }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    private func hello(_ session: AgentSession) async -> Labloop_V1_AgentHello {
        var hello = Labloop_V1_AgentHello()
        hello.instrumentID = config.instrumentID
        hello.kind = config.kind
        hello.capacity = UInt32(config.capacity)
        hello.operations = config.operations.map { spec in
            var operation = Labloop_V1_OperationCapability()
            operation.name = spec.name
            operation.limits = spec.limits
            operation.measurements = spec.measurements
            operation.repeatable = spec.repeatable
            return operation
        }
        hello.inFlight = await session.inFlight
        hello.software = "labloop-agent-swift 0.1"
        return hello
    }

    private func handle(_ envelope: Labloop_V1_Envelope, _ link: PeerLink, _ session: AgentSession) async {
        await session.heard()
        switch envelope.body {
        case .agentWelcome(let welcome)?:
            for messageID in await session.welcomed(welcome) { outbox.remove(messageID) }
            logger.info("registered", metadata: ["session": "\(welcome.sessionID)"])
        case .assignment(let assignment)?:
            await assign(assignment, link, session)
        case .resultAck(let ack)?:
            Failpoint.agentResultAckArriving.hit()
            if await session.acknowledged(envelope.correlationID) { outbox.remove(envelope.correlationID) }
            // Tests read this line to know which results the agent saw acknowledged.
            logger.info("result acknowledged", metadata: [
                "experiment": "\(ack.experimentID)", "message_id": "\(envelope.correlationID)", "status": "\(ack.status)"])
            if ack.status == .rejected {
                logger.error("result rejected", metadata: ["experiment": "\(ack.experimentID)", "reason": "\(ack.reason)"])
            }
        case .cancel(let cancel)?:
            logger.notice("cancel requested", metadata: ["experiment": "\(cancel.experimentID)", "reason": "\(cancel.reason)"])
            await session.cancel(cancel.experimentID)
        case .error(let error)?:
            if error.code == .notRegistered { await session.lostRegistration() }
            logger.warning("coordinator refused a message", metadata: ["code": "\(error.code)", "reason": "\(error.reason)"])
        case .disconnect(let goodbye)?:
            await session.lostRegistration()
            logger.notice("the coordinator said goodbye; registering again when it is back",
                          metadata: ["reason": "\(goodbye.reason)"])
        default:
            break
        }
    }

    private func assign(_ assignment: Labloop_V1_Assignment, _ link: PeerLink, _ session: AgentSession) async {
        let experimentID = assignment.experimentID
        func reply(accept: Bool, _ reason: String = "") {
            if accept {
                var accepted = Labloop_V1_AssignmentAccepted()
                accepted.experimentID = experimentID
                link.send(.assignmentAccepted(accepted))
            } else {
                var declined = Labloop_V1_AssignmentDeclined()
                declined.experimentID = experimentID
                declined.reason = reason
                link.send(.assignmentDeclined(declined))
                logger.notice("declined", metadata: ["experiment": "\(experimentID)", "reason": "\(reason)"])
            }
        }
        // A retransmitted assignment: never run an experiment twice.
        if await session.isRunning(experimentID) { return reply(accept: true) }
        if await session.hasResult(for: experimentID) { return }
        guard config.operations.contains(where: { $0.name == assignment.operation }) else {
            return reply(accept: false, "operation '\(assignment.operation)' is not offered")
        }
        guard await session.runningCount < config.capacity else { return reply(accept: false, "at capacity") }
        let parameters: Point
        do {
            parameters = try Point(wire: assignment.parameters)
        } catch {
            return reply(accept: false, "bad parameters: \(error.reason)")
        }
        reply(accept: true)
        logger.info("running", metadata: ["experiment": "\(experimentID)", "parameters": "\(parameters)"])
        let job = Job(
            experimentID: experimentID, attempt: Int(assignment.attempt), campaignID: assignment.campaignID,
            operation: assignment.operation, parameters: parameters, measurements: assignment.measurements,
            progress: { fraction, message in
                var progress = Labloop_V1_Progress()
                progress.experimentID = experimentID
                progress.fraction = fraction
                progress.message = message
                link.send(.progress(progress))
            })
        let task = Task { await self.execute(job, assignment: assignment, link, session) }
        await session.started(experimentID, task)
    }

    private func execute(_ job: Job, assignment: Labloop_V1_Assignment, _ link: PeerLink, _ session: AgentSession) async {
        var result = Labloop_V1_ExperimentResult()
        result.experimentID = job.experimentID
        result.attempt = assignment.attempt
        result.startedUnixMs = Int64(Date().timeIntervalSince1970 * 1000)
        do {
            let measurements = try await instrument.run(job)
            result.outcome = .succeeded
            result.measurements = measurements.sorted { $0.key < $1.key }.map { Labloop_V1_NamedValue(name: $0.key, real: $0.value) }
        } catch let failure as InstrumentFailure {
            result.outcome = .failed
            result.failure.kind = failure.kind
            result.failure.message = failure.message
        } catch is CancellationError {
            result.outcome = .failed
            result.failure.kind = "cancelled"
            result.failure.message = "cancelled before completion"
        } catch {
            result.outcome = .failed
            result.failure.kind = "error"
            result.failure.message = "\(error)"
        }
        result.finishedUnixMs = Int64(Date().timeIntervalSince1970 * 1000)
        let envelope = Labloop_V1_Envelope.make(sender: config.instrumentID, sessionSeq: 0, .result(result))
        do {
            try outbox.put(envelope)
        } catch {
            logger.error("could not write the outbox; sending anyway", metadata: ["error": "\(error)"])
        }
        let frame = envelope.frame()
        await session.finished(job.experimentID, messageID: envelope.messageID, frame: frame)
        link.send(frame: frame)
        logger.debug("result sent", metadata: ["experiment": "\(job.experimentID)"])
    }
}
