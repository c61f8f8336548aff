internal import CZeroMQ

/// A libzmq context. libzmq documents contexts as thread-safe, so one may be shared.
public final class ZMQContext: @unchecked Sendable {
    // @unchecked: the only state is the context pointer, which libzmq allows from any thread.
    let handle: UnsafeMutableRawPointer

    public init(ioThreads: Int32 = 1) {
        handle = zmq_ctx_new()
        zmq_ctx_set(handle, ZMQ_IO_THREADS, ioThreads)
    }

    deinit {
        // Blocks until every socket is closed; sockets are closed by their owning threads.
        _ = zmq_ctx_term(handle)
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
