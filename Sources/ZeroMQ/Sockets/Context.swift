internal import CZeroMQ
import Foundation
import Synchronization

/// A libzmq context. libzmq documents contexts as thread-safe, so one may be shared.
public final class ZMQContext: Sendable {
    // The context pointer is only ever passed to libzmq, which allows it from any thread.
    nonisolated(unsafe) let handle: UnsafeMutableRawPointer
    private let terminated = Atomic<Bool>(false)

    public init(ioThreads: Int32 = 1) {
        handle = zmq_ctx_new()
        zmq_ctx_set(handle, ZMQ_IO_THREADS, ioThreads)
    }

    deinit {
        // Blocks until every socket is closed; sockets are closed by their owning threads.
        if !terminated.load(ordering: .acquiring) { _ = zmq_ctx_term(handle) }
    }

    /// Ends the context once every socket is closed, letting messages still queued on closed sockets
    /// go out for at most their linger. Call it before the process exits: the I/O thread dies with the
    /// process, so what it has not yet written (a goodbye, a last acknowledgement) would be lost.
    /// Waits at most `bound` (a socket left open would otherwise block for ever); true if it ended.
    @discardableResult
    public func terminate(within bound: Duration) async -> Bool {
        guard !terminated.exchange(true, ordering: .acquiringAndReleasing) else { return true }
        let ended = Atomic<Bool>(false)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let once = Mutex<CheckedContinuation<Void, Never>?>(continuation)
            let thread = Thread { [self] in
                _ = zmq_ctx_term(handle)
                ended.store(true, ordering: .releasing)
                once.withLock { $0.take() }?.resume()
            }
            thread.name = "zmq-term"
            thread.start()
            Task.detached {
                try? await Task.sleep(for: bound)
                once.withLock { $0.take() }?.resume()
            }
        }
        return ended.load(ordering: .acquiring)
    }

    /// The libzmq version as (major, minor, patch).
    public static var version: (Int32, Int32, Int32) {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return (major, minor, patch)
    }

    /// Whether this libzmq was built with CURVE security.
    public static var hasCurve: Bool { zmq_has("curve") == 1 }
}
