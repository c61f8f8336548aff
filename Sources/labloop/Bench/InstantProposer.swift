import Foundation
import LabLoopCore
import LabLoopPeer
import LabLoopProtocol
import Logging
import ZeroMQ

/// The benchmark campaign: one continuous parameter, one measurement, proposed by `InstantProposer`.
enum BenchCampaign {
    static let kind = "bench"
    static let operation = "run"
    static let measurement = "y"
    static let strategy = "instant"

    /// For `slots` instrument slots: twice as many experiments may be in flight, so each slot has its
    /// next experiment committed ahead while it runs one (`serve --dispatch-ahead`, architecture.md §5.1).
    static func spec(slots: Int, experiments: Int = 100_000_000) -> CampaignSpec {
        spec(parallel: 2 * slots, experiments: experiments)
    }

    static func spec(parallel: Int, experiments: Int = 100_000_000) -> CampaignSpec {
        let space = ParameterSpace(parameters: [
            ParameterDefinition(name: "x", domain: .continuous(low: 0, high: 1, unit: "", scale: .linear)),
        ])
        var spec = CampaignSpec(name: "bench", space: space,
                                objective: Objective(measurement: measurement, direction: .maximize),
                                operation: operation, maxExperiments: experiments, maxParallel: parallel,
                                strategy: strategy)
        spec.project = "bench"
        spec.owner = "bench"
        spec.instrumentKind = kind
        return spec
    }
}

/// A model server that answers every proposal request at once with uniform random points.
struct InstantProposer {
    let endpoint: String
    let security: CurveSecurity
    let logger: Logger

    static let modelID = "bench-model"

    func run() async throws {
        try await withPeerLink(context: ZMQContext(), endpoint: endpoint, sender: Self.modelID, security: security,
                               logger: logger) { link in
            await withDiscardingTaskGroup { group in
                group.addTask { await maintain(link) }
                for await envelope in link.messages {
                    guard case .proposalRequest(let request)? = envelope.body else { continue }
                    var proposals = Labloop_V1_Proposals()
                    proposals.requestID = request.requestID
                    proposals.campaignID = request.campaignID
                    proposals.modelID = Self.modelID
                    proposals.modelVersion = "instant"
                    proposals.candidates = (0..<Int(request.count)).map { index in
                        var candidate = Labloop_V1_Candidate()
                        candidate.candidateID = "k\(Int(request.proposedSoFar) + Int(request.rejectedSoFar) + index + 1)"
                        candidate.parameters = [Labloop_V1_NamedValue(name: "x", real: Double.random(in: 0..<1))]
                        return candidate
                    }
                    link.send(.proposals(proposals), correlationID: envelope.messageID)
                }
                group.cancelAll()
            }
        }
    }

    /// Says hello until welcomed (and again if the coordinator forgets us), heartbeats every second.
    private func maintain(_ link: PeerLink) async {
        while !Task.isCancelled {
            var hello = Labloop_V1_ModelHello()
            hello.modelID = Self.modelID
            hello.modelVersion = "instant"
            hello.strategies = [BenchCampaign.strategy]
            do {
                let reply = try await link.request(.modelHello(hello), timeout: .seconds(2))
                guard case .modelWelcome? = reply.body else { continue }
            } catch {
                try? await Task.sleep(for: .milliseconds(200))
                continue
            }
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                guard let reply = try? await link.request(.heartbeat(Labloop_V1_Heartbeat()), timeout: .seconds(5)),
                      case .heartbeat? = reply.body else { break }
            }
        }
    }
}
