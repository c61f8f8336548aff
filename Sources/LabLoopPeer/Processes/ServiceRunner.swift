internal import CProcessControl
import Dispatch
import Foundation
import Glibc
import Synchronization

/// Runs `body` until it returns or SIGINT/SIGTERM arrives, which cancels it (graceful shutdown).
/// A service returns normally after a signal; with `throwOnSignal` it throws `CancellationError`
/// instead, whatever `body` ended with, so a command can tell an interruption from a failure.
///
/// With `LABLOOP_DIE_WITH_PARENT=1` in the environment the process also receives SIGTERM when
/// its parent dies, so children of `labloop demo` or of a test never outlive it.
public func runUntilSignalled(throwOnSignal: Bool = false,
                              _ body: @escaping @Sendable () async throws -> Void) async throws {
    if ProcessInfo.processInfo.environment["LABLOOP_DIE_WITH_PARENT"] == "1" {
        _ = labloop_set_parent_death_signal(SIGTERM)
        if getppid() == 1 { exit(0) }  // the parent is already gone
    }
    let task = Task { try await body() }
    let signalled = Atomic<Bool>(false)
    signal(SIGINT, SIG_IGN)
    signal(SIGTERM, SIG_IGN)
    let sources = [SIGINT, SIGTERM].map { number -> any DispatchSourceSignal in
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler {
            signalled.store(true, ordering: .relaxed)
            task.cancel()
        }
        source.resume()
        return source
    }
    defer { sources.forEach { $0.cancel() } }
    let outcome = await task.result
    if signalled.load(ordering: .relaxed) {
        if throwOnSignal { throw CancellationError() }
        return
    }
    try outcome.get()
}

/// Makes standard output line-buffered when it is a file or pipe, so each printed line is visible at once.
public func lineBufferStandardOutput() {
    labloop_line_buffer_stdout()
}
