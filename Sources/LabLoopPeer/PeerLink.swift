public import Foundation
public import LabLoopProtocol
public import Logging
import Synchronization
public import ZeroMQ

/// One DEALER connection to a coordinator socket, speaking envelopes.
///
/// Replies are matched to requests by `correlation_id`; everything else arrives on `messages`.
/// The socket lives on its own I/O thread; `run()` pumps it and must run while the link is used.
public final class PeerLink: Sendable {
    public let sender: String
    public let endpoint: String
    let loop: SocketLoop
    let logger: Logger
    private let seq = Atomic<UInt64>(0)
    private let waiters = Mutex<[String: CheckedContinuation<Labloop_V1_Envelope, any Error>]>([:])
    /// Set once `run()` has stopped pumping: nothing would ever answer a request made after it.
    private let pumpStopped = Mutex(false)
    /// The frames of requests awaiting a reply, to send again after a refused handshake.
    private let unanswered = Mutex<[String: Data]>([:])
    private let stream: AsyncStream<Labloop_V1_Envelope>
    private let continuation: AsyncStream<Labloop_V1_Envelope>.Continuation

    /// Connects (ZeroMQ connects lazily: this succeeds even if nothing listens yet).
    /// With `security`, the connection is CURVE-encrypted and authenticated.
    public static func connect(context: ZMQContext, endpoint: String, sender: String, security: CurveSecurity? = nil,
                               logger: Logger) async throws -> PeerLink {
        var options = SocketOptions()
        options.lingerMs = 500
        options.curve = security
        let loop = try await SocketLoop.start(
            name: "peer-\(sender)", context: context,
            sockets: [SocketSpec(name: "link", type: .dealer, attachment: .connect(endpoint), options: options)])
        return PeerLink(loop: loop, endpoint: endpoint, sender: sender, logger: logger)
    }

    private init(loop: SocketLoop, endpoint: String, sender: String, logger: Logger) {
        self.loop = loop
        self.endpoint = endpoint
        self.sender = sender
        self.logger = logger
        (stream, continuation) = AsyncStream<Labloop_V1_Envelope>.makeStream()
    }

    /// Messages that are not replies to a pending `request`.
    public var messages: AsyncStream<Labloop_V1_Envelope> { stream }

    /// Sends a message; returns its message id.
    @discardableResult
    public func send(_ body: Labloop_V1_Envelope.OneOf_Body, correlationID: String = "",
                     messageID: String = UUID().uuidString) -> String {
        let envelope = Labloop_V1_Envelope.make(sender: sender, sessionSeq: seq.add(1, ordering: .relaxed).newValue,
                                                correlationID: correlationID, messageID: messageID, body)
        send(frame: envelope.frame())
        return messageID
    }

    /// Sends an already encoded envelope (a resend keeps its message id).
    public func send(frame: Data) {
        if !loop.send([frame], on: 0) { logger.warning("outbox full: message not sent") }
    }

    /// Sends and waits for the reply. An ErrorReply becomes `PeerError.refused`.
    public func request(_ body: Labloop_V1_Envelope.OneOf_Body, timeout: Duration) async throws -> Labloop_V1_Envelope {
        let messageID = UUID().uuidString
        let reply = try await withThrowingTaskGroup(of: Labloop_V1_Envelope?.self) { group -> Labloop_V1_Envelope in
            group.addTask {
                try await withCheckedThrowingContinuation { continuation in
                    self.waiters.withLock { $0[messageID] = continuation }
                    // Cancelled, or the pump stopped, before the waiter was in place: the timeout task or
                    // the pump's final sweep may already have run and missed it, so fail it here.
                    if Task.isCancelled || self.pumpStopped.withLock({ $0 }) {
                        self.fail(messageID, Task.isCancelled ? CancellationError() : PeerError(.closed, "link closed"))
                        return
                    }
                    let envelope = Labloop_V1_Envelope.make(
                        sender: self.sender, sessionSeq: self.seq.add(1, ordering: .relaxed).newValue,
                        messageID: messageID, body)
                    let frame: Data = envelope.frame()
                    self.unanswered.withLock { $0[messageID] = frame }
                    self.send(frame: frame)
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                // Fails the waiter if it is still there; a no-op once the reply arrived.
                if Task.isCancelled {
                    self.fail(messageID, CancellationError())
                } else {
                    self.fail(messageID, PeerError(.timeout, "no reply from \(self.endpoint) within \(timeout)"))
                }
                return nil
            }
            while let next = try await group.next() {
                if let next {
                    group.cancelAll()
                    return next
                }
            }
            throw PeerError(.timeout, "no reply from \(endpoint) within \(timeout)")
        }
        if case .error(let error)? = reply.body { throw PeerError(.refused(error.code), error.reason) }
        return reply
    }

    private func fail(_ messageID: String, _ error: any Error) {
        unanswered.withLock { _ = $0.removeValue(forKey: messageID) }
        waiters.withLock { $0.removeValue(forKey: messageID) }?.resume(throwing: error)
    }

    /// Pumps inbound frames until the link is closed.
    public func run() async {
        for await item in loop.inbound {
            if case .handshakeRefused(_, let status) = item {
                logger.warning("the coordinator refused this peer's key; retrying", metadata: [
                    "endpoint": "\(endpoint)", "principal": "\(sender)", "status": "\(status)",
                    "hint": "is the key allowed (labloop keys allow), unexpired, and the server key right?",
                ])
                continue
            }
            if case .reconnected = item {
                // The refused connection took its queued requests with it; nothing of them arrived.
                for frame in unanswered.withLock({ Array($0.values) }) { send(frame: frame) }
                continue
            }
            guard case .message(_, let frames, _) = item else { continue }
            guard frames.count == 1, let envelope = try? Labloop_V1_Envelope.decode(frame: frames[0]) else {
                logger.warning("ignored a malformed frame from the coordinator")
                continue
            }
            if !envelope.correlationID.isEmpty,
               let waiter = waiters.withLock({ $0.removeValue(forKey: envelope.correlationID) }) {
                unanswered.withLock { _ = $0.removeValue(forKey: envelope.correlationID) }
                waiter.resume(returning: envelope)
            } else {
                continuation.yield(envelope)
            }
        }
        continuation.finish()
        pumpStopped.withLock { $0 = true }
        let pending = waiters.withLock { all in defer { all.removeAll() }; return all }
        for (_, waiter) in pending { waiter.resume(throwing: PeerError(.closed, "link closed")) }
    }

    /// Flushes (bounded by linger) and closes the socket; `run()` then returns.
    public func close() async {
        await loop.shutdown()
    }
}

/// Runs `body` with a link whose pump runs alongside; closes the link afterwards, also on error.
public func withPeerLink<T: Sendable>(
    context: ZMQContext, endpoint: String, sender: String, security: CurveSecurity? = nil, logger: Logger,
    _ body: @Sendable (PeerLink) async throws -> T
) async throws -> T {
    let link = try await PeerLink.connect(context: context, endpoint: endpoint, sender: sender, security: security,
                                          logger: logger)
    return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask {
            await link.run()
            return nil
        }
        do {
            let value = try await body(link)
            await link.close()
            while let next = try await group.next() { _ = next }
            return value
        } catch {
            await link.close()
            group.cancelAll()
            throw error
        }
    }
}
