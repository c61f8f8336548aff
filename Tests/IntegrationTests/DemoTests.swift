import Foundation
import Glibc
import LabLoopPeer
import Testing

@Suite("labloop demo", .serialized)
struct DemoTests {
    static let childLogs = ["coordinator.log", "reactor-1.log", "reactor-2.log", "model.log"]

    @Test("runs to completion, prints the summary and leaves no process behind")
    func demoCompletes() async throws {
        try await LabLock.exclusively { try await runDemoToCompletion() }
    }

    func runDemoToCompletion() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("labloop-demo-\(UUID().uuidString)")
        let output = directory.appendingPathExtension("out")
        // As a user runs it: without the parent watch (its absence once crashed every plain run at exit).
        let demo = try ChildProcess(name: "demo", executable: Binaries.url("labloop"),
                                    arguments: ["demo", "--data", directory.path, "--experiments", "12",
                                                "--duration-ms", "20"],
                                    logFile: output, environment: ["LABLOOP_DIE_WITH_PARENT": "0"])
        var status = await demo.wait(timeout: .seconds(120))
        if status == nil { status = await demo.stop() }
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        #expect(status == 0, "demo exited with \(String(describing: status)):\n\(text)")
        for label in ["experiments run   12 ", "best yield", "known optimum", "gap to optimum", "wall time", "database"] {
            #expect(text.contains(label), "summary lacks '\(label)':\n\(text)")
        }
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("labloop.sqlite").path))
        // Its children were separate processes (each wrote its own log) and none outlived it.
        for log in Self.childLogs {
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("logs/\(log)").path), "no \(log)")
        }
        #expect(ProcessTree.processes(mentioning: directory.path).isEmpty, "processes outlived the demo")
    }

    @Test("Ctrl-C stops the demo and every child cleanly")
    func interruptStopsEverything() async throws {
        try await LabLock.exclusively { try await interruptDemo() }
    }

    func interruptDemo() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("labloop-demo-\(UUID().uuidString)")
        let output = directory.appendingPathExtension("out")
        let demo = try ChildProcess(name: "demo", executable: Binaries.url("labloop"),
                                    arguments: ["demo", "--data", directory.path, "--experiments", "500",
                                                "--duration-ms", "200"],
                                    logFile: output)
        let deadline = ContinuousClock.now + .seconds(60)
        var submitted = false
        while demo.isRunning, ContinuousClock.now < deadline, !submitted {
            submitted = ((try? String(contentsOf: output, encoding: .utf8)) ?? "").contains("submitted campaign")
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(submitted, "the demo never submitted its campaign")
        #expect(ProcessTree.processes(mentioning: directory.path).count >= 5, "demo and its four children should be running")
        demo.signal(SIGINT)
        let status = await demo.wait(timeout: .seconds(30))
        if status == nil { await demo.stop() }
        #expect(status == 130, "expected exit status 130 after SIGINT, got \(String(describing: status))")
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        #expect(text.contains("interrupted: stopping every process"))
        #expect(ProcessTree.processes(mentioning: directory.path).isEmpty, "processes outlived the interrupted demo")
    }
}

/// Reads the process tree from /proc.
enum ProcessTree {
    /// Live (non-zombie) processes whose command line contains `text`.
    static func processes(mentioning text: String) -> [Int32] {
        pids().filter { pid in
            guard isAlive(pid), let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return String(decoding: data, as: UTF8.self).contains(text)
        }
    }

    /// Every pid in /proc. readdir, not FileManager: entries vanish while other tests run, and
    /// FileManager gives up on the whole listing when one does.
    static func pids() -> [Int32] {
        guard let directory = opendir("/proc") else { return [] }
        defer { closedir(directory) }
        var pids: [Int32] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if let pid = Int32(name) { pids.append(pid) }
        }
        return pids
    }

    /// Alive and not a zombie.
    static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(after: close)...].split(separator: " ").first
        return state != "Z"
    }
}
