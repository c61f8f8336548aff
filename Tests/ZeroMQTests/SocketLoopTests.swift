import Foundation
import Synchronization
import Testing
import ZeroMQ

@Suite("SocketLoop", .timeLimit(.minutes(1)))
struct SocketLoopTests {
    @Test("a ROUTER loop and a DEALER loop exchange messages over tcp://127.0.0.1:*")
    func roundTrip() async throws {
        let context = ZMQContext()
        try await withLoop("router", context: context, [.router()]) { router in
            #expect(router.endpoints.count == 1)
            let endpoint = try #require(router.endpoints.first)
            #expect(endpoint.hasPrefix("tcp://127.0.0.1:"))
            let port = endpoint.split(separator: ":").last.flatMap { Int($0) }
            #expect(port.map { $0 > 0 } == true, "no resolved port in \(endpoint)")
            let routerInbox = Inbox(router)

            try await withLoop("dealer", context: context, [.dealer(connect: endpoint, routingID: "d1")]) { dealer in
                #expect(dealer.endpoints == [endpoint])
                let dealerInbox = Inbox(dealer)

                #expect(dealer.send(frames("hello", ""), on: 0))
                let request = try await routerInbox.next()
                guard case .message(let socket, let received, let peer) = request else {
                    Issue.record("expected a message, got \(request)")
                    return
                }
                #expect(socket == 0)
                #expect(received == frames("d1", "hello", ""))
                #expect(peer.userID == nil)

                #expect(router.send(frames("d1", "world"), on: 0))
                #expect(try await dealerInbox.messages(1) == [frames("world")])

                #expect(dealer.counters.messagesSent == 1)
                #expect(dealer.counters.messagesReceived == 1)
                #expect(router.counters.messagesSent == 1)
                #expect(router.counters.messagesReceived == 1)
            }
        }
    }

    @Test("1,000 messages each way arrive in the order they were sent")
    func orderPreserved() async throws {
        let context = ZMQContext()
        let count = 1_000
        try await withLoop("router", context: context, [.router()]) { router in
            let routerInbox = Inbox(router)
            try await withLoop("dealer", context: context, [.dealer(connect: router.endpoints[0], routingID: "d1")]) { dealer in
                let dealerInbox = Inbox(dealer)
                for index in 0..<count { #expect(dealer.send(frames("\(index)"), on: 0)) }
                let requests = try await routerInbox.messages(count)
                #expect(requests == (0..<count).map { frames("d1", "\($0)") })

                for index in 0..<count { #expect(router.send(frames("d1", "\(index)"), on: 0)) }
                let replies = try await dealerInbox.messages(count)
                #expect(replies == (0..<count).map { frames("\($0)") })
                #expect(dealer.counters.messagesSent == count)
                #expect(router.counters.messagesReceived == count)
            }
        }
    }

    @Test("a send to an unknown routing id comes back as .undeliverable")
    func undeliverable() async throws {
        let context = ZMQContext()
        try await withLoop("router", context: context, [.router(bind: uniqueInproc("undeliverable"))]) { router in
            let inbox = Inbox(router)
            #expect(router.send(frames("nobody", "hello"), on: 0))
            let item = try await inbox.next()
            guard case .undeliverable(let socket, let refused, let error) = item else {
                Issue.record("expected .undeliverable, got \(item)")
                return
            }
            #expect(socket == 0)
            #expect(refused == frames("nobody", "hello"))
            #expect(error.isUnroutable)
            #expect(router.counters.undeliverableMessages == 1)
            #expect(router.counters.messagesSent == 0)
        }
    }

    @Test("a socket that cannot be attached makes start() throw")
    func startFailure() async throws {
        let context = ZMQContext()
        do {
            let loop = try await SocketLoop.start(name: "bad", context: context, sockets: [.router(bind: "nonsense://x")])
            await loop.shutdown()
            Issue.record("start() succeeded with an invalid endpoint")
        } catch let error as ZMQError {
            #expect(error.operation.contains("zmq_bind"))
        }
    }

    @Test("shutdown() returns, finishes the inbound sequence, and later sends are refused")
    func shutdownFinishesInbound() async throws {
        let context = ZMQContext()
        let loop = try await SocketLoop.start(name: "router", context: context, sockets: [.router()])
        let inbox = Inbox(loop)
        await loop.shutdown()
        await inbox.reader.value
        #expect(inbox.isFinished)
        #expect(!loop.send(frames("d1", "late"), on: 0))
        await loop.shutdown()
    }

    @Test("concurrent shutdown() calls all return")
    func concurrentShutdown() async throws {
        let context = ZMQContext()
        let loop = try await SocketLoop.start(name: "router", context: context, sockets: [.router()])
        let inbox = Inbox(loop)
        let returned = Counter()
        let callers = (0..<8).map { _ in
            Task {
                await loop.shutdown()
                returned.increment()
            }
        }
        try await waitUntil("8 shutdown() calls to return") { returned.value == 8 }
        for caller in callers { await caller.value }
        await inbox.reader.value
        #expect(inbox.isFinished)
    }
}

final class Counter: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func increment() { count.withLock { $0 += 1 } }
}
