import Foundation
import LabLoopPeer

/// Runs the `labloop` executable to completion and captures its output (through files, so a large
/// export cannot fill a pipe and stall).
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

func labloop(_ arguments: [String], user: String = "tester", timeout: Duration = .seconds(120)) async throws -> CLIResult {
    try await runProcess(Binaries.url("labloop"), arguments, environment: ["USER": user, "LABLOOP_DIE_WITH_PARENT": "1"],
                         timeout: timeout)
}

/// Runs any executable to completion (terminated after `timeout`), with `environment` added to this one's.
func runProcess(_ executable: URL, _ arguments: [String], environment: [String: String] = [:],
                timeout: Duration) async throws -> CLIResult {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString)")
    let out = base.appendingPathExtension("out"), err = base.appendingPathExtension("err")
    defer {
        try? FileManager.default.removeItem(at: out)
        try? FileManager.default.removeItem(at: err)
    }
    _ = FileManager.default.createFile(atPath: out.path, contents: nil)
    _ = FileManager.default.createFile(atPath: err.path, contents: nil)
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = try FileHandle(forWritingTo: err)
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let deadline = ContinuousClock.now + timeout
    while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
    if process.isRunning {
        process.terminate()
        process.waitUntilExit()
    }
    return CLIResult(status: process.terminationStatus,
                     stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                     stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
}
