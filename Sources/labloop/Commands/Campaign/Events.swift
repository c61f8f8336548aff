import ArgumentParser
import Foundation
import LabLoopPeer
import LabLoopProtocol
import Logging
import ZeroMQ

extension CampaignCommand {
    /// Prints a campaign's events in seq order, filling any gap from the catch-up socket.
    struct Events: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a campaign's events, one line each, in seq order; exit when the campaign ends.",
            discussion: """
                Starts from the beginning (or after --after SEQ) and never misses or repeats an event: a gap in \
                the live stream or a heartbeat announcing a newer seq is filled from the catch-up socket. \
                Each line: SEQ KIND EXPERIMENT DETAIL.
                """)
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Print events after this seq.") var after: UInt64 = 0
        @Option(help: .hidden) var receiveQueue: Int32 = 100_000
        @Option(help: .hidden) var socketBuffer: Int32 = 0
        @Argument(help: "Campaign id.") var id: String

        func run() async throws {
            try await reportingErrors {
                let endpoints = try connection.endpoints()
                let credentials = try connection.credentials(endpoints: endpoints)
                var logger = Logger(label: "labloop.events")
                logger.logLevel = .notice
                let follower = try await EventFollower.connect(
                    context: ZMQContext(), eventsEndpoint: endpoints.events, catchUpEndpoint: endpoints.catchUp,
                    sender: credentials?.principal ?? "events", campaignID: id, security: credentials?.curve,
                    receiveQueueLimit: receiveQueue, socketBufferBytes: socketBuffer, logger: logger)
                let (ends, end) = AsyncStream<Void>.makeStream()
                let after = after
                let following = Task {
                    await follower.follow(after: after) { event in
                        // Unbuffered: a reader (or a pipe) sees each event as it is handled.
                        FileHandle.standardOutput.write(Data((Self.line(event) + "\n").utf8))
                        if case .campaignStateChanged(let change)? = event.kind, change.to == .completed || change.to == .cancelled {
                            end.yield()
                        }
                    }
                }
                for await _ in ends { break }
                following.cancel()
                await follower.close()
            }
        }

        static func line(_ event: Labloop_V1_Event) -> String {
            let detail: String
            switch event.kind {
            case .campaignSubmitted?: detail = "campaign_submitted - -"
            case .campaignStateChanged(let change)?: detail = "campaign_state - \(change.to)"
            case .experimentProposed(let proposed)?: detail = "experiment_proposed \(proposed.experimentID) -"
            case .experimentStateChanged(let change)?: detail = "experiment_state \(change.experimentID) \(change.to)"
            case .resultRecorded(let result)?: detail = "result_recorded \(result.experimentID) \(result.outcome)"
            case nil: detail = "unknown - -"
            }
            return "\(event.seq) \(detail)"
        }
    }
}
