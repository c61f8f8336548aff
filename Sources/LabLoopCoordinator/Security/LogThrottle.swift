import Logging
import Synchronization

/// Logs the first of each kind of message per interval and counts the rest, so a peer that
/// repeats a mistake (or retries a refused handshake) cannot flood the log.
final class LogThrottle: Sendable {
    private struct Window {
        var start: ContinuousClock.Instant
        var suppressed: Int
    }

    private let windows = Mutex<[String: Window]>([:])
    private let interval: Duration
    private let capacity: Int

    init(interval: Duration = .seconds(10), capacity: Int = 10_000) {
        self.interval = interval
        self.capacity = capacity
    }

    /// Calls `log` with the number of like messages suppressed since the last one logged,
    /// unless one with this `key` was logged less than the interval ago.
    func log(key: String, _ log: (_ suppressed: Int) -> Void) {
        let now = ContinuousClock.now
        let suppressed: Int? = windows.withLock { windows in
            if var window = windows[key], now - window.start < interval {
                window.suppressed += 1
                windows[key] = window
                return nil
            }
            // Forget old windows before the table grows past its bound.
            if windows.count >= capacity { windows = windows.filter { now - $0.value.start < interval } }
            let previous = windows[key]?.suppressed ?? 0
            windows[key] = Window(start: now, suppressed: 0)
            return previous
        }
        if let suppressed { log(suppressed) }
    }
}
