import Foundation
import Synchronization

/// Benchmark instrumentation (`labloop serve --turnaround-trace FILE`): for each instrument, the
/// time from a result arriving at the gateway to the next assignment the gateway queues for it.
/// Off unless asked for; bounded to `limit` samples.
final class TurnAroundTrace: Sendable {
    private struct State {
        var arrived: [Data: ContinuousClock.Instant] = [:]
        var samples: [Int64] = []
    }

    private let state = Mutex(State())
    private let limit: Int

    init(limit: Int = 4_000_000) {
        self.limit = limit
    }

    /// A result from the peer `routingID` passed the gateway's checks.
    func resultArrived(from routingID: Data) {
        let now = ContinuousClock.now
        state.withLock { state in
            if state.arrived[routingID] == nil { state.arrived[routingID] = now }
        }
    }

    /// An assignment for the peer `routingID` was queued for sending.
    func assignmentSent(to routingID: Data) {
        let now = ContinuousClock.now
        state.withLock { state in
            guard let arrived = state.arrived.removeValue(forKey: routingID), state.samples.count < limit else { return }
            let elapsed = now - arrived
            state.samples.append(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        }
    }

    /// Writes the samples (nanoseconds) as little-endian 64-bit integers.
    func write(to url: URL) throws {
        let samples = state.withLock { $0.samples }
        var data = Data(capacity: samples.count * 8)
        for sample in samples { withUnsafeBytes(of: sample.littleEndian) { data.append(contentsOf: $0) } }
        try data.write(to: url)
    }
}
