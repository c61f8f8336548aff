import Foundation
import Synchronization
import Testing
import ZeroMQ

/// A test gave up waiting for something that should have happened.
struct TimedOut: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}

/// Waits until `condition` holds, checking every millisecond, or throws after `timeout`.
func waitUntil(_ what: String, timeout: Duration = .seconds(10), _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else { throw TimedOut(what: what) }
        try await Task.sleep(for: .milliseconds(1))
    }
}

/// Starts a loop, runs `body`, and shuts the loop down however `body` ends.
func withLoop<T>(
    _ name: String, context: ZMQContext, _ specs: [SocketSpec],
    outboxLimit: Int = 100_000, inboundLimit: Int = 10_000,
    _ body: (SocketLoop) async throws -> T
) async throws -> T {
    let loop = try await SocketLoop.start(name: name, context: context, sockets: specs,
                                          outboxLimit: outboxLimit, inboundLimit: inboundLimit)
    do {
        let value = try await body(loop)
        await loop.shutdown()
        return value
    } catch {
        await loop.shutdown()
        throw error
    }
}

/// Reads a loop's inbound sequence on a task of its own, so a test can wait for messages with a deadline.
/// The task ends when the loop shuts down and finishes the sequence.
final class Inbox: Sendable {
    private final class Buffer: Sendable {
        let state = Mutex<(items: [SocketLoop.Inbound], finished: Bool)>(([], false))
    }

    private let shared: Buffer
    let reader: Task<Void, Never>

    init(_ loop: SocketLoop) {
        let buffer = Buffer()
        shared = buffer
        reader = Task {
            for await item in loop.inbound { buffer.state.withLock { $0.items.append(item) } }
            buffer.state.withLock { $0.finished = true }
        }
    }

    /// Whether the loop finished its inbound sequence.
    var isFinished: Bool { shared.state.withLock { $0.finished } }

    /// The next inbound item, or nil if none arrives within `timeout`.
    func poll(timeout: Duration) async throws -> SocketLoop.Inbound? {
        let deadline = ContinuousClock.now + timeout
        while true {
            let (item, finished) = shared.state.withLock { state -> (SocketLoop.Inbound?, Bool) in
                state.items.isEmpty ? (nil, state.finished) : (state.items.removeFirst(), state.finished)
            }
            if let item { return item }
            if finished || ContinuousClock.now >= deadline { return nil }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    /// The next inbound item; throws if none arrives within `timeout`.
    func next(timeout: Duration = .seconds(10)) async throws -> SocketLoop.Inbound {
        guard let item = try await poll(timeout: timeout) else { throw TimedOut(what: "an inbound message") }
        return item
    }

    /// The frames of the next `count` messages; throws on a timeout or an `.undeliverable`.
    func messages(_ count: Int, timeout: Duration = .seconds(10)) async throws -> [[Data]] {
        var frames: [[Data]] = []
        for _ in 0..<count {
            let item = try await next(timeout: timeout)
            guard case .message(_, let message, _) = item else {
                throw TimedOut(what: "a message, got \(item)")
            }
            frames.append(message)
        }
        return frames
    }
}

extension Data {
    init(text: String) { self.init(text.utf8) }
    var text: String { String(decoding: self, as: UTF8.self) }
}

func frames(_ texts: String...) -> [Data] { texts.map(Data.init(text:)) }

func uniqueInproc(_ label: String) -> String { "inproc://\(label)-\(UUID().uuidString)" }

extension SocketSpec {
    static func router(bind endpoint: String = "tcp://127.0.0.1:*", options: SocketOptions = SocketOptions()) -> SocketSpec {
        SocketSpec(name: "router", type: .router, attachment: .bind(endpoint), options: options)
    }

    static func dealer(connect endpoint: String, routingID: String = "") -> SocketSpec {
        var options = SocketOptions()
        options.routingID = Array(routingID.utf8)
        return SocketSpec(name: "dealer", type: .dealer, attachment: .connect(endpoint), options: options)
    }
}
