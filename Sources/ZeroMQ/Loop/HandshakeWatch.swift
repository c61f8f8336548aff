internal import CZeroMQ
import Foundation

/// Reconnects a connecting CURVE socket whose handshake the server refused.
///
/// libzmq 4.3 treats a refused handshake (a ZAP denial, say) as a protocol error and gives up on
/// the endpoint for good, so a peer whose key is allowed a moment later would never connect.
/// This watches the socket's monitor and, after a refusal, disconnects and connects again with
/// the socket's reconnect back-off, reporting each refusal to the loop's consumer.
final class HandshakeWatch {
    let socketIndex: Int
    let endpoint: String
    let monitor: ZMQSocket
    private let initialDelay: Duration
    private let maximumDelay: Duration
    private var delay: Duration
    private(set) var retryAt: ContinuousClock.Instant?

    init(socket: ZMQSocket, index: Int, endpoint: String, context: ZMQContext, options: SocketOptions) throws(ZMQError) {
        let monitorEndpoint = "inproc://labloop-handshakes-\(UUID().uuidString)"
        try socket.monitorHandshakes(on: monitorEndpoint)
        var monitorOptions = SocketOptions()
        monitorOptions.lingerMs = 0
        monitor = try ZMQSocket(context: context, type: .pair, options: monitorOptions)
        do {
            try monitor.connect(monitorEndpoint)
        } catch {
            monitor.close()
            throw error
        }
        socketIndex = index
        self.endpoint = endpoint
        initialDelay = .milliseconds(Int(max(options.reconnectIntervalMs, 100)))
        maximumDelay = .milliseconds(Int(max(options.reconnectIntervalMaxMs, options.reconnectIntervalMs, 100)))
        delay = initialDelay
    }

    /// Reads the monitor's events; returns the refusals seen (ZAP status code, or 0 without one).
    func drain() -> [Int] {
        var refusals: [Int] = []
        while let message = try? monitor.receive() {
            guard let header = message.frames.first, header.count >= 6 else { continue }
            let event = Int32(header[header.startIndex]) | Int32(header[header.startIndex + 1]) << 8
            let value = header[(header.startIndex + 2)...].prefix(4).enumerated()
                .reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
            if event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED {
                delay = initialDelay
                retryAt = nil
            } else {
                refusals.append(event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH ? value : 0)
                if retryAt == nil { retryAt = .now + delay }
                delay = min(delay * 2, maximumDelay)
            }
        }
        return refusals
    }

    /// Connects again if a retry is due; returns true when it did.
    func retryIfDue(_ socket: ZMQSocket, now: ContinuousClock.Instant) -> Bool {
        guard let retryAt, now >= retryAt else { return false }
        self.retryAt = nil
        try? socket.disconnect(endpoint)
        try? socket.connect(endpoint)
        return true
    }

    func close() {
        monitor.close()
    }
}
