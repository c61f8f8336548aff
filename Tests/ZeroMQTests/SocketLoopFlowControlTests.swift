import Foundation
import Glibc
import Testing
import ZeroMQ

@Suite("SocketLoop flow control", .timeLimit(.minutes(1)))
struct SocketLoopFlowControlTests {
    @Test("sends are refused once outboxLimit messages wait for a socket that cannot send, and drain in order later")
    func outboxLimit() async throws {
        let context = ZMQContext()
        let endpoint = uniqueInproc("outbox")
        // A bound DEALER without a peer has no pipe to queue into, so every send would block.
        let lonely = SocketSpec(name: "dealer", type: .dealer, attachment: .bind(endpoint))
        try await withLoop("dealer", context: context, [lonely], outboxLimit: 4) { dealer in
            for index in 0..<4 { #expect(dealer.send(frames("\(index)"), on: 0)) }
            // Let the thread take the queue and fail to send it: held messages still count.
            try await Task.sleep(for: .milliseconds(20))
            #expect(dealer.outboxDepth == 4)
            #expect(!dealer.send(frames("refused-1"), on: 0))
            #expect(!dealer.send(frames("refused-2"), on: 0))
            #expect(dealer.counters.outboxRejections == 2)
            #expect(dealer.counters.messagesSent == 0)

            // A peer arrives: the held messages go out in order and the outbox takes messages again.
            try await withLoop("router", context: context, [.router(bind: endpoint).connecting()]) { router in
                let inbox = Inbox(router)
                let held = try await inbox.messages(4)
                #expect(held.map { Array($0.dropFirst()) } == (0..<4).map { frames("\($0)") })
                try await waitUntil("the outbox to drain") { dealer.outboxDepth == 0 }
                #expect(dealer.counters.messagesSent == 4)
                #expect(dealer.send(frames("after"), on: 0))
                let after = try await inbox.messages(1)
                #expect(after.map { Array($0.dropFirst()) } == [frames("after")])
                #expect(dealer.counters.outboxRejections == 2)
            }
        }
    }

    @Test("the loop stops reading at inboundLimit unread messages and resumes when the consumer reads")
    func inboundBackpressure() async throws {
        let context = ZMQContext()
        let limit = 5
        let total = 50
        let endpoint = uniqueInproc("backpressure")
        try await withLoop("router", context: context, [.router(bind: endpoint)], inboundLimit: limit) { router in
            try await withLoop("dealer", context: context, [.dealer(connect: endpoint, routingID: "d1")]) { dealer in
                for index in 0..<total { #expect(dealer.send(frames("\(index)"), on: 0)) }
                // Over inproc a sent message is already in the router's pipe.
                try await waitUntil("the dealer to send everything") { dealer.counters.messagesSent == total }
                try await waitUntil("the router to read up to its limit") { router.counters.messagesReceived >= limit }
                // Give the loop several poll rounds: it must not read past the limit.
                try await Task.sleep(for: .milliseconds(50))
                #expect(router.counters.messagesReceived == limit)

                var iterator = router.inbound.makeAsyncIterator()
                var overLimit: [Int] = []
                for taken in 0..<total {
                    try await waitUntil("message \(taken) to be read") { router.counters.messagesReceived > taken }
                    let item = await iterator.next()
                    guard case .message(_, let received, _)? = item else {
                        Issue.record("expected message \(taken), got \(String(describing: item))")
                        return
                    }
                    #expect(received == frames("d1", "\(taken)"))
                    // Unread = received - taken: never more than the limit.
                    if router.counters.messagesReceived > taken + 1 + limit { overLimit.append(taken) }
                    if taken == 0 {
                        try await waitUntil("the loop to resume reading") { router.counters.messagesReceived > limit }
                    }
                }
                #expect(overLimit.isEmpty, "more than \(limit) unread after taking messages \(overLimit)")
                #expect(router.counters.messagesReceived == total)
            }
        }
    }

    @Test("a screen that answers some messages and hands on the rest: answers need no credit, the rest stop at inboundLimit")
    func screenThatDelivers() async throws {
        let context = ZMQContext()
        let limit = 5
        let total = 20
        let endpoint = uniqueInproc("screen-delivers")
        var spec = SocketSpec.router(bind: endpoint)
        spec.screen = { received, _ in received.last?.text == "ping" ? .reply([received[0], Data(text: "pong")]) : .deliver }
        spec.screenDelivers = true
        try await withLoop("router", context: context, [spec], inboundLimit: limit) { router in
            try await withLoop("dealer", context: context, [.dealer(connect: endpoint, routingID: "d1")]) { dealer in
                let answers = Inbox(dealer)
                for index in 0..<total { #expect(dealer.send(frames("\(index)"), on: 0)) }
                try await waitUntil("the router to read up to its limit") { router.counters.messagesReceived >= limit }
                try await Task.sleep(for: .milliseconds(50))
                // Not read past the limit: what the screen hands on waits for credit like any message.
                #expect(router.counters.messagesReceived == limit)

                let inbox = Inbox(router)
                let delivered = try await inbox.messages(total)
                #expect(delivered == (0..<total).map { frames("d1", "\($0)") })
                // Answered on the loop's thread, and never handed on.
                #expect(dealer.send(frames("ping"), on: 0))
                let pong = try await answers.messages(1)
                #expect(pong == [frames("pong")])
                let extra = try await inbox.poll(timeout: .milliseconds(50))
                #expect(extra == nil, "the answered ping was also delivered: \(String(describing: extra))")
            }
        }
    }

    @Test("taking a message after shutdown does not write to the loop's closed wake descriptor")
    func noSignalAfterClose() async throws {
        let context = ZMQContext()
        let endpoint = uniqueInproc("closed-wake")
        try await withLoop("router", context: context, [.router(bind: endpoint)], inboundLimit: 1) { router in
            var iterator = router.inbound.makeAsyncIterator()
            try await withLoop("dealer", context: context, [.dealer(connect: endpoint, routingID: "d1")]) { dealer in
                #expect(dealer.send(frames("one"), on: 0))
                try await waitUntil("the router to read the message") { router.counters.messagesReceived == 1 }
            }
            await router.shutdown()

            // Descriptors opened now reuse the numbers the loop closed, its wake eventfd among them.
            var pairs: [Int32] = []
            defer { pairs.forEach { _ = close($0) } }
            for _ in 0..<64 {
                var fds: [Int32] = [-1, -1]
                guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0 else { break }
                pairs += fds
            }
            // The consumer was at the limit, so taking this message frees room and wakes the loop.
            let item = await iterator.next()
            guard case .message(_, let received, _)? = item else {
                Issue.record("expected the buffered message, got \(String(describing: item))")
                return
            }
            #expect(received == frames("d1", "one"))
            let end = await iterator.next()
            #expect(end == nil, "the sequence should end after the buffered message")
            for fd in pairs {
                var byte: UInt8 = 0
                #expect(recv(fd, &byte, 1, Int32(MSG_DONTWAIT)) == -1, "a stray write reached descriptor \(fd)")
            }
        }
    }
}

extension SocketSpec {
    /// The same socket, connecting to its endpoint instead of binding it.
    fileprivate func connecting() -> SocketSpec {
        guard case .bind(let endpoint) = attachment else { return self }
        var spec = self
        spec.attachment = .connect(endpoint)
        return spec
    }
}
