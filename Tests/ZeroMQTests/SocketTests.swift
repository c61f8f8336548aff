import Foundation
import Glibc
import Testing
import ZeroMQ

/// One message from `socket`, waiting up to `timeout` for it to arrive.
private func receiveWaiting(_ socket: ZMQSocket, timeout: TimeInterval = 10) throws -> [Data] {
    let deadline = Date(timeIntervalSinceNow: timeout)
    while true {
        if let message = try socket.receive() { return message.frames }
        guard Date() < deadline else { throw TimedOut(what: "a message on a \(socket.type) socket") }
        Thread.sleep(forTimeInterval: 0.001)
    }
}

@Suite("ZMQSocket on one thread")
struct SocketTests {
    @Test("DEALER and ROUTER exchange multipart messages, empty frames included", arguments: ["inproc", "tcp"])
    func dealerRouterRoundTrip(transport: String) throws {
        let context = ZMQContext()
        let router = try ZMQSocket(context: context, type: .router)
        defer { router.close() }
        var options = SocketOptions()
        options.routingID = Array("dealer-1".utf8)
        let dealer = try ZMQSocket(context: context, type: .dealer, options: options)
        defer { dealer.close() }

        try router.bind(transport == "tcp" ? "tcp://127.0.0.1:*" : uniqueInproc("basics"))
        let endpoint = router.lastEndpoint
        if transport == "tcp" {
            #expect(endpoint.hasPrefix("tcp://127.0.0.1:"))
            let port = endpoint.split(separator: ":").last.flatMap { Int($0) }
            #expect(port.map { $0 > 0 } == true, "no resolved port in \(endpoint)")
        } else {
            #expect(endpoint.hasPrefix("inproc://basics-"))
        }
        try dealer.connect(endpoint)

        #expect(try dealer.send(frames("", "request", "")))
        #expect(try receiveWaiting(router) == frames("dealer-1", "", "request", ""))
        #expect(try dealer.send([Data()]))
        #expect(try receiveWaiting(router) == frames("dealer-1", ""))

        #expect(try router.send(frames("dealer-1", "reply", "", "end")))
        #expect(try receiveWaiting(dealer) == frames("reply", "", "end"))

        #expect(try router.receive() == nil)
        #expect(try dealer.receive() == nil)
    }

    @Test("receive() returns nil when no message waits")
    func receiveWithoutMessage() throws {
        let context = ZMQContext()
        let socket = try ZMQSocket(context: context, type: .dealer)
        defer { socket.close() }
        try socket.bind(uniqueInproc("idle"))
        #expect(try socket.receive() == nil)
    }

    @Test("binding an invalid endpoint throws a ZMQError naming zmq_bind")
    func invalidBind() throws {
        let context = ZMQContext()
        let socket = try ZMQSocket(context: context, type: .router)
        defer { socket.close() }
        for endpoint in ["tcp://127.0.0.1:notaport", "nonsense://x", "tcp://"] {
            do throws(ZMQError) {
                try socket.bind(endpoint)
                Issue.record("binding \(endpoint) succeeded")
            } catch {
                #expect(error.operation.contains("zmq_bind"))
                #expect(error.operation.contains(endpoint))
                #expect(error.code != 0)
                #expect(!error.message.isEmpty)
            }
        }
    }

    @Test("binding a port that is taken reports EADDRINUSE")
    func portInUse() throws {
        let context = ZMQContext()
        let first = try ZMQSocket(context: context, type: .router)
        defer { first.close() }
        let second = try ZMQSocket(context: context, type: .router)
        defer { second.close() }
        try first.bind("tcp://127.0.0.1:*")
        do throws(ZMQError) {
            try second.bind(first.lastEndpoint)
            Issue.record("bound \(first.lastEndpoint) twice")
        } catch {
            #expect(error.code == EADDRINUSE)
            #expect(error.operation.hasPrefix("zmq_bind"))
        }
    }

    @Test("a ROUTER with routerMandatory refuses an unknown routing id; without it the message vanishes")
    func unroutable() throws {
        let context = ZMQContext()
        let strict = try ZMQSocket(context: context, type: .router)
        defer { strict.close() }
        try strict.bind(uniqueInproc("strict"))
        do throws(ZMQError) {
            _ = try strict.send(frames("nobody", "hello"))
            Issue.record("sending to an unknown routing id succeeded")
        } catch {
            #expect(error.isUnroutable)
            #expect(!error.isWouldBlock)
            #expect(error.operation == "zmq_send")
        }

        var options = SocketOptions()
        options.routerMandatory = false
        let lax = try ZMQSocket(context: context, type: .router, options: options)
        defer { lax.close() }
        try lax.bind(uniqueInproc("lax"))
        #expect(try lax.send(frames("nobody", "hello")))
    }
}
