import Foundation
public import LabLoopProtocol
public import Logging
public import ZeroMQ

/// Follows the coordinator's event stream without missing or repeating an event.
///
/// Subscribes to the PUB stream, catches up from `after` through the catch-up socket, and then
/// hands over events strictly in seq order: a gap in the live stream (PUB drops at its high-water
/// mark) or a heartbeat announcing a newer seq triggers another catch-up.
public final class EventFollower: Sendable {
    let subscriber: SocketLoop
    let catchUp: PeerLink
    let logger: Logger
    let campaignID: String?

    public static func connect(context: ZMQContext, eventsEndpoint: String, catchUpEndpoint: String, sender: String,
                               campaignID: String? = nil, security: CurveSecurity? = nil,
                               receiveQueueLimit: Int32 = 100_000, socketBufferBytes: Int32 = 0,
                               logger: Logger) async throws -> EventFollower {
        var options = SocketOptions()
        options.curve = security
        options.subscriptions = [Array("hb".utf8), Array("ev/\(campaignID ?? "")".utf8)]
        options.receiveHighWaterMark = receiveQueueLimit
        options.kernelBufferBytes = socketBufferBytes
        let subscriber = try await SocketLoop.start(
            name: "events-\(sender)", context: context,
            sockets: [SocketSpec(name: "events", type: .sub, attachment: .connect(eventsEndpoint), options: options)])
        let catchUp = try await PeerLink.connect(context: context, endpoint: catchUpEndpoint, sender: sender,
                                                 security: security, logger: logger)
        return EventFollower(subscriber: subscriber, catchUp: catchUp, campaignID: campaignID, logger: logger)
    }

    private init(subscriber: SocketLoop, catchUp: PeerLink, campaignID: String?, logger: Logger) {
        self.subscriber = subscriber
        self.catchUp = catchUp
        self.campaignID = campaignID
        self.logger = logger
    }

    /// Delivers every event after `after` to `handle`, in seq order, until cancelled or closed.
    ///
    /// Any jump in seq asks the catch-up socket for what lies between: with a campaign filter the
    /// missing seqs may be other campaigns' events or dropped ones of ours, and only the store can tell.
    public func follow(after: UInt64, _ handle: @Sendable (Labloop_V1_Event) async -> Void) async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.catchUp.run() }
            var last = after
            // Catch up first; the subscription is already collecting live events meanwhile.
            last = await self.fill(after: last, handle).last
            for await item in self.subscriber.inbound {
                guard case .message(_, let frames, _) = item, frames.count == 2,
                      let envelope = try? Labloop_V1_Envelope.decode(frame: frames[1]) else { continue }
                switch envelope.body {
                case .event(let event)?:
                    if event.seq <= last { continue }
                    if event.seq == last + 1 {
                        await handle(event)
                        last = event.seq
                    } else {
                        let before = last
                        let filled = await self.fill(after: last, handle)
                        last = filled.last
                        self.noteGap(after: before, filled: filled.delivered, seen: event.seq)
                        if event.seq == last + 1 {
                            await handle(event)
                            last = event.seq
                        }
                    }
                case .streamHeartbeat(let beat)?:
                    if beat.latestSeq > last {
                        let before = last
                        let filled = await self.fill(after: last, handle)
                        last = filled.last
                        self.noteGap(after: before, filled: filled.delivered, seen: beat.latestSeq)
                    }
                default:
                    continue
                }
            }
            await self.catchUp.close()
        }
    }

    private func noteGap(after: UInt64, filled: Int, seen: UInt64) {
        guard filled > 0 else { return }
        logger.notice("filled a gap in the event stream from the catch-up socket", metadata: [
            "after": "\(after)", "filled": "\(filled)", "seen": "\(seen)"])
    }

    /// Fetches events after `after` until the catch-up socket says there are no more; returns the seq
    /// now followed up to and how many events were handed over.
    private func fill(after: UInt64, _ handle: @Sendable (Labloop_V1_Event) async -> Void) async
        -> (last: UInt64, delivered: Int) {
        var last = after, delivered = 0
        while !Task.isCancelled {
            var request = Labloop_V1_CatchUpRequest()
            request.afterSeq = last
            request.maxEvents = 1_000
            request.campaignID = campaignID ?? ""
            do {
                let reply = try await catchUp.request(.catchUpRequest(request), timeout: .seconds(5))
                guard case .catchUpResponse(let response)? = reply.body else { return (last, delivered) }
                for event in response.events where event.seq > last {
                    await handle(event)
                    last = event.seq
                    delivered += 1
                }
                if !response.more {
                    // With a filter, other campaigns' seqs are not ours to wait for.
                    if campaignID != nil { last = max(last, response.latestSeq) }
                    return (last, delivered)
                }
            } catch {
                logger.warning("catch-up failed; retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
        return (last, delivered)
    }

    public func close() async {
        await subscriber.shutdown()
        await catchUp.close()
    }
}
