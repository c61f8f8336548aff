import Foundation
import LabLoopCore
import LabLoopPeer
import LabLoopProtocol
public import Logging
public import ZeroMQ

public struct ModelServerConfig: Sendable {
    public var modelsEndpoint: String
    public var eventsEndpoint: String
    public var catchUpEndpoint: String
    public var modelID: String
    public var modelVersion: String
    /// CURVE keys for a secured coordinator (nil: plain connections). The key's principal must be `modelID`.
    public var security: CurveSecurity?

    public init(modelsEndpoint: String, eventsEndpoint: String, catchUpEndpoint: String, modelID: String,
                modelVersion: String) {
        self.modelsEndpoint = modelsEndpoint
        self.eventsEndpoint = eventsEndpoint
        self.catchUpEndpoint = catchUpEndpoint
        self.modelID = modelID
        self.modelVersion = modelVersion
    }
}

/// A model server process: registers its strategies, learns from every recorded result (catching
/// up from the first event on start), and answers proposal requests. `run()` returns when cancelled.
public final class ModelServer: Sendable {
    let config: ModelServerConfig
    let strategies: [String: any ProposalStrategy]
    let logger: Logger

    public init(config: ModelServerConfig, strategies: [any ProposalStrategy], logger: Logger) {
        self.config = config
        self.strategies = Dictionary(strategies.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var logger = logger
        logger[metadataKey: "model"] = "\(config.modelID)"
        self.logger = logger
    }

    public func run() async throws {
        let context = ZMQContext()
        let memory = ModelMemory()
        let follower = try await EventFollower.connect(
            context: context, eventsEndpoint: config.eventsEndpoint, catchUpEndpoint: config.catchUpEndpoint,
            sender: config.modelID, security: config.security, logger: logger)
        let registration = Registration()
        try await withPeerLink(context: context, endpoint: config.modelsEndpoint, sender: config.modelID,
                               security: config.security, logger: logger) { link in
            await withDiscardingTaskGroup { group in
                group.addTask { await follower.follow(after: 0) { await memory.apply($0) } }
                group.addTask { await self.maintain(link, registration) }
                for await envelope in link.messages {
                    await registration.heard()
                    switch envelope.body {
                    case .modelWelcome?:
                        await registration.welcomed()
                        logger.info("registered with the coordinator")
                    case .proposalRequest(let request)?:
                        group.addTask { await self.answer(request, messageID: envelope.messageID, link, memory) }
                    case .proposalAck(let ack)?:
                        if !ack.rejected.isEmpty {
                            logger.warning("candidates rejected", metadata: [
                                "count": "\(ack.rejected.count)", "first": "\(ack.rejected[0].reason)"])
                        }
                    case .disconnect(let goodbye)?:
                        await registration.lost()
                        logger.notice("the coordinator said goodbye; registering again when it is back",
                                      metadata: ["reason": "\(goodbye.reason)"])
                    case .error(let error)?:
                        if error.code == .notRegistered { await registration.lost() }
                        logger.warning("coordinator refused a message", metadata: ["reason": "\(error.reason)"])
                    default:
                        break
                    }
                }
                group.cancelAll()
            }
            await follower.close()
        }
    }

    private func maintain(_ link: PeerLink, _ registration: Registration) async {
        while !Task.isCancelled {
            if await registration.silent(for: .seconds(5)) { await registration.lost() }
            if await registration.shouldHello() {
                var hello = Labloop_V1_ModelHello()
                hello.modelID = config.modelID
                hello.modelVersion = config.modelVersion
                hello.strategies = strategies.keys.sorted()
                link.send(.modelHello(hello))
            }
            if await registration.heartbeatDue() { link.send(.heartbeat(Labloop_V1_Heartbeat())) }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    private func answer(_ request: Labloop_V1_ProposalRequest, messageID: String, _ link: PeerLink,
                        _ memory: ModelMemory) async {
        var proposals = Labloop_V1_Proposals()
        proposals.requestID = request.requestID
        proposals.campaignID = request.campaignID
        proposals.modelID = config.modelID
        proposals.modelVersion = config.modelVersion
        do {
            let spec = try CampaignSpec(wire: request.spec)
            guard let strategy = strategies[spec.strategy] else {
                throw ModelServerError("strategy '\(spec.strategy)' is not served here")
            }
            if !(await memory.caughtUp(to: request.asOfSeq, timeout: .seconds(3))) {
                logger.notice("proposing before catching up", metadata: ["as_of_seq": "\(request.asOfSeq)"])
            }
            let observations = await memory.observations(campaignID: request.campaignID, objective: spec.objective.measurement)
            let pending = request.pending.compactMap { try? Point(wire: $0.parameters) }
            var context = ProposalContext(campaignID: request.campaignID, spec: spec, count: Int(request.count),
                                          pending: pending, proposedSoFar: Int(request.proposedSoFar),
                                          observations: observations)
            context.rejectedSoFar = Int(request.rejectedSoFar)
            let candidates = try await strategy.propose(context)
            proposals.trainingObservations = UInt32(observations.count)
            if let fitted = strategy.modelVersion(campaignID: request.campaignID) {
                proposals.modelVersion = "\(config.modelVersion) \(fitted)"
            }
            proposals.candidates = candidates.enumerated().map { index, candidate in
                var wire = Labloop_V1_Candidate()
                wire.candidateID = "k\(request.proposedSoFar + UInt32(index) + 1)"
                wire.parameters = candidate.point.wire
                if let mean = candidate.predictedMean, mean.isFinite { wire.predictedMean = mean }
                if let std = candidate.predictedStd, std.isFinite, std >= 0 { wire.predictedStd = std }
                if let value = candidate.acquisition, value.isFinite { wire.acquisition = value }
                return wire
            }
        } catch {
            logger.error("could not propose", metadata: ["campaign": "\(request.campaignID)", "error": "\(error)"])
        }
        link.send(.proposals(proposals), correlationID: messageID)
    }
}

struct ModelServerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Registration state of a model server's session.
actor Registration {
    private let clock = ContinuousClock()
    private var registered = false
    private var lastHello: ContinuousClock.Instant?
    private var lastHeard: ContinuousClock.Instant
    private var lastBeat: ContinuousClock.Instant

    init() {
        lastHeard = clock.now
        lastBeat = clock.now
    }

    func heard() { lastHeard = clock.now }
    func welcomed() { registered = true }
    func lost() { registered = false }
    func silent(for limit: Duration) -> Bool { registered && clock.now - lastHeard > limit }

    func shouldHello() -> Bool {
        guard !registered else { return false }
        if let last = lastHello, clock.now - last < .seconds(2) { return false }
        lastHello = clock.now
        return true
    }

    func heartbeatDue() -> Bool {
        guard registered, clock.now - lastBeat >= .seconds(1) else { return false }
        lastBeat = clock.now
        return true
    }
}
