public import Foundation
import Glibc

/// A child process that is always reaped: `stop()` sends SIGTERM, waits, then SIGKILLs.
/// Children get `LABLOOP_DIE_WITH_PARENT=1`, so they also shut down if this process dies.
public final class ChildProcess: @unchecked Sendable {
    // @unchecked: `Process` is used only through its thread-safe run/terminate/isRunning calls.
    public let name: String
    public let process: Process
    public let logFile: URL?

    /// Starts `executable` with `arguments`; output goes to `logFile` (or is discarded).
    public init(name: String, executable: URL, arguments: [String], logFile: URL?,
                environment: [String: String] = [:]) throws {
        self.name = name
        self.logFile = logFile
        process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["LABLOOP_DIE_WITH_PARENT"] = "1"
        env.merge(environment) { _, new in new }
        process.environment = env
        if let logFile {
            _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
            let handle = try FileHandle(forWritingTo: logFile)
            process.standardOutput = handle
            process.standardError = handle
        } else {
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
        }
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    /// Sends a signal (e.g. SIGKILL or SIGSTOP for fault tests).
    public func signal(_ number: Int32) {
        if process.isRunning { _ = kill(process.processIdentifier, number) }
    }

    /// Waits up to `timeout` for the process to exit by itself. Returns its status, or nil if still running.
    public func wait(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// SIGTERM, up to `grace` to exit, then SIGKILL. Returns the exit status.
    @discardableResult
    public func stop(grace: Duration = .seconds(5)) async -> Int32 {
        if process.isRunning { process.terminate() }
        if let status = await wait(timeout: grace) { return status }
        signal(SIGKILL)
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// The executable named `name` beside the running one (SwiftPM puts all products in one folder).
    public static func sibling(_ name: String) -> URL {
        let own = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let beside = Bundle.main.executableURL?.deletingLastPathComponent() ?? own.deletingLastPathComponent()
        return beside.appendingPathComponent(name)
    }
}
