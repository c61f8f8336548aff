internal import CProcessControl
import Dispatch
import Foundation
import Glibc
import Synchronization

/// Runs `body` until it returns or SIGINT/SIGTERM arrives, which cancels it (graceful shutdown).
/// A service returns normally after a signal; with `throwOnSignal` it throws `CancellationError`
/// instead, whatever `body` ended with, so a command can tell an interruption from a failure.
///
/// With `LABLOOP_DIE_WITH_PARENT=1` in the environment the process also shuts down gracefully when
/// its parent process goes away, so children of `labloop demo` or of a test never outlive it. (It
/// watches `getppid()`: `PR_SET_PDEATHSIG` fires when the parent *thread* that spawned the child exits,
/// which in a thread pool can be any moment.)
public func runUntilSignalled(throwOnSignal: Bool = false,
                              _ body: @escaping @Sendable () async throws -> Void) async throws {
    let watchParent = ProcessInfo.processInfo.environment["LABLOOP_DIE_WITH_PARENT"] == "1"
    let parent = getppid()
    if watchParent, parent == 1 { exit(0) }  // the parent is already gone
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
    // Created only when used: libdispatch traps when a source that was never resumed is released.
    var orphanWatch: (any DispatchSourceTimer)?
    if watchParent {
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + .milliseconds(200), repeating: .milliseconds(200))
        timer.setEventHandler {
            if getppid() != parent {
                signalled.store(true, ordering: .relaxed)
                task.cancel()
            }
        }
        timer.resume()
        orphanWatch = timer
    }
    defer {
        sources.forEach { $0.cancel() }
        orphanWatch?.cancel()
    }
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
