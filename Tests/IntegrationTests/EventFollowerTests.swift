import Foundation
import LabLoopPeer
import LabLoopProtocol
import Logging
import Synchronization
import Testing
import ZeroMQ

/// `EventFollower` against a scripted coordinator (a PUB and a catch-up ROUTER in this process), so the
/// stream can drop exactly the events a test chooses.
@Suite("Event follower gap fill")
struct EventFollowerTests {
    /// The events the scripted coordinator has "committed"; its catch-up socket answers from them.
    final class ScriptedStore: Sendable {
        let events = Mutex<[Labloop_V1_Event]>([])

        func commit(_ seq: UInt64, campaign: String) -> Labloop_V1_Event {
            var event = Labloop_V1_Event()
            event.seq = seq
            event.campaignID = campaign
            events.withLock { $0.append(event) }
            return event
        }

        func answer(_ request: Labloop_V1_CatchUpRequest) -> Labloop_V1_CatchUpResponse {
            events.withLock { events in
                var response = Labloop_V1_CatchUpResponse()
                response.events = events.filter {
                    $0.seq > request.afterSeq && (request.campaignID.isEmpty || $0.campaignID == request.campaignID)
                }
                response.latestSeq = events.last?.seq ?? 0
                return response
            }
        }
    }

    @Test("following one campaign, a jump in seq is filled from catch-up: its dropped events are not skipped")
    func filteredFollowerFillsDroppedEvents() async throws {
        let context = ZMQContext()
        let label = UUID().uuidString
        let coordinator = try await SocketLoop.start(name: "scripted-coordinator", context: context, sockets: [
            SocketSpec(name: "events", type: .pub, attachment: .bind("inproc://events-\(label)"), options: SocketOptions()),
            SocketSpec(name: "catch-up", type: .router, attachment: .bind("inproc://catch-up-\(label)"), options: SocketOptions()),
        ])
        let store = ScriptedStore()
        let server = Task {
            for await item in coordinator.inbound {
                guard case .message(1, let frames, _) = item, frames.count == 2,
                      let request = try? Labloop_V1_Envelope.decode(frame: frames[1]),
                      case .catchUpRequest(let catchUp)? = request.body else { continue }
                let reply = Labloop_V1_Envelope.make(sender: "coordinator", sessionSeq: 0, correlationID: request.messageID,
                                                     .catchUpResponse(store.answer(catchUp)))
                coordinator.send([frames[0], reply.frame()], on: 1)
            }
        }
        func publish(_ event: Labloop_V1_Event) {
            let envelope = Labloop_V1_Envelope.make(sender: "coordinator", sessionSeq: 0, .event(event))
            coordinator.send([Data("ev/\(event.campaignID)".utf8), envelope.frame()], on: 0)
        }

        let follower = try await EventFollower.connect(
            context: context, eventsEndpoint: "inproc://events-\(label)", catchUpEndpoint: "inproc://catch-up-\(label)",
            sender: "watcher", campaignID: "c1", logger: Logger(label: "test"))
        let delivered = Mutex<[UInt64]>([])
        let following = Task { await follower.follow(after: 0) { event in delivered.withLock { $0.append(event.seq) } } }
        defer {
            following.cancel()
            server.cancel()
        }

        // Seq 1 is published until the subscription is live (a SUB misses what precedes it).
        let first = store.commit(1, campaign: "c1")
        try await waitUntil("the follower sees the live stream", timeout: .seconds(10)) {
            publish(first)
            try await Task.sleep(for: .milliseconds(20))
            return delivered.withLock { !$0.isEmpty }
        }
        let second = store.commit(2, campaign: "c1")
        _ = store.commit(3, campaign: "c2")
        _ = store.commit(4, campaign: "c1")
        _ = store.commit(5, campaign: "c1")
        let sixth = store.commit(6, campaign: "c1")
        publish(second)
        publish(sixth)  // 4 and 5 (ours) were dropped by the stream; 3 belongs to another campaign
        try await waitUntil("seq 6 delivered", timeout: .seconds(10)) { delivered.withLock { $0.last == 6 } }
        #expect(delivered.withLock { $0 } == [1, 2, 4, 5, 6], "the follower skipped or repeated events of its campaign")

        await follower.close()
        await coordinator.shutdown()
    }
}
