import Foundation
import Testing
import ZeroMQ

@Suite("PUB and SUB loops", .timeLimit(.minutes(1)))
struct PubSubTests {
    @Test("a SUB loop subscribed to a prefix receives only the topics that start with it")
    func prefixSubscription() async throws {
        let context = ZMQContext()
        let publisher = SocketSpec(name: "pub", type: .pub, attachment: .bind("tcp://127.0.0.1:*"))
        try await withLoop("pub", context: context, [publisher]) { pub in
            var options = SocketOptions()
            options.subscriptions = [Array("wanted.".utf8)]
            let subscriber = SocketSpec(name: "sub", type: .sub, attachment: .connect(pub.endpoints[0]), options: options)
            try await withLoop("sub", context: context, [subscriber]) { sub in
                let inbox = Inbox(sub)
                var received: [[Data]] = []
                // PUB drops messages until the subscription reaches it: publish until one arrives.
                let deadline = ContinuousClock.now + .seconds(10)
                while received.isEmpty {
                    guard ContinuousClock.now < deadline else { throw TimedOut(what: "the subscription to take effect") }
                    #expect(pub.send(frames("other.warmup", "x"), on: 0))
                    #expect(pub.send(frames("wanted.warmup", "x"), on: 0))
                    if let item = try await inbox.poll(timeout: .milliseconds(5)), case .message(_, let message, _) = item {
                        received.append(message)
                    }
                }

                for topic in ["other.a", "wanted.b", "want", "wanted", "WANTED.c", "wanted.d", "xwanted.e", "wanted.end"] {
                    #expect(pub.send(frames(topic, "payload"), on: 0))
                }
                while received.last?.first?.text != "wanted.end" {
                    received += try await inbox.messages(1)
                }

                let topics = received.compactMap { $0.first?.text }
                #expect(topics.allSatisfy { $0.hasPrefix("wanted.") }, "unexpected topics in \(topics)")
                #expect(topics.filter { $0 != "wanted.warmup" } == ["wanted.b", "wanted.d", "wanted.end"])
                #expect(received.allSatisfy { $0.count == 2 })
            }
        }
    }
}
