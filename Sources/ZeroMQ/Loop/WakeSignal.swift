internal import CZeroMQ
import Glibc
import Synchronization

/// An eventfd the loop polls beside its sockets, so other threads can wake it without touching a socket.
final class WakeSignal: Sendable {
    let fd: Int32
    /// Set by `close()`. `signal()` checks it under the lock, so it never writes to the number
    /// after the fd is closed, when it may already name another file (a database, a socket).
    private let closed = Mutex(false)

    init() throws(ZMQError) {
        let fd = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard fd >= 0 else { throw ZMQError(code: labloop_errno(), operation: "eventfd") }
        self.fd = fd
    }

    func signal() {
        closed.withLock { closed in
            guard !closed else { return }
            var one: UInt64 = 1
            _ = withUnsafeBytes(of: &one) { Glibc.write(fd, $0.baseAddress, 8) }
        }
    }

    func drain() {
        var value: UInt64 = 0
        _ = withUnsafeMutableBytes(of: &value) { Glibc.read(fd, $0.baseAddress, 8) }
    }

    func close() {
        closed.withLock { closed in
            guard !closed else { return }
            closed = true
            _ = Glibc.close(fd)
        }
    }
}
