import Foundation
import LabLoopPeer
import Testing

@Suite("labloop demo", .serialized)
struct DemoTests {
    @Test("runs to completion, prints the summary and leaves no process behind")
    func demoCompletes() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("labloop-demo-\(UUID().uuidString)")
        let output = directory.appendingPathExtension("out")
        let demo = try ChildProcess(name: "demo", executable: Binaries.url("labloop"),
                                    arguments: ["demo", "--data", directory.path, "--experiments", "12",
                                                "--duration-ms", "20"],
                                    logFile: output)
        var children: [Int32] = []
        // Watch its children while it runs so we can check afterwards that they are gone.
        let deadline = ContinuousClock.now + .seconds(120)
        while demo.isRunning, ContinuousClock.now < deadline {
            children = Array(Set(children + ProcessTree.children(of: demo.pid)))
            try await Task.sleep(for: .milliseconds(100))
        }
        let status = await demo.stop()
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        #expect(status == 0, "demo exited with \(status):\n\(text)")
        #expect(children.count >= 4, "expected coordinator, two reactors and a model server as child processes")
        for label in ["experiments run   12", "best yield", "known optimum", "wall time", "database"] {
            #expect(text.contains(label), "summary lacks '\(label)':\n\(text)")
        }
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("labloop.sqlite").path))
        for pid in children { #expect(!ProcessTree.isAlive(pid), "child \(pid) outlived the demo") }
    }

    @Test("Ctrl-C stops the demo and every child cleanly")
    func interruptStopsEverything() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("labloop-demo-\(UUID().uuidString)")
        let output = directory.appendingPathExtension("out")
        let demo = try ChildProcess(name: "demo", executable: Binaries.url("labloop"),
                                    arguments: ["demo", "--data", directory.path, "--experiments", "500",
                                                "--duration-ms", "200"],
                                    logFile: output)
        var children: [Int32] = []
        let deadline = ContinuousClock.now + .seconds(60)
        var submitted = false
        while demo.isRunning, ContinuousClock.now < deadline, !submitted {
            children = Array(Set(children + ProcessTree.children(of: demo.pid)))
            submitted = ((try? String(contentsOf: output, encoding: .utf8)) ?? "").contains("submitted campaign")
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(submitted, "the demo never submitted its campaign")
        children = Array(Set(children + ProcessTree.children(of: demo.pid)))
        demo.signal(SIGINT)
        let status = await demo.wait(timeout: .seconds(30))
        if status == nil { await demo.stop() }
        #expect(status == 130, "expected exit status 130 after SIGINT, got \(String(describing: status))")
        #expect(children.count >= 4)
        for pid in children { #expect(!ProcessTree.isAlive(pid), "child \(pid) outlived the interrupted demo") }
    }
}

/// Reads the process tree from /proc.
enum ProcessTree {
    static func children(of parent: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && Int32(fields[1]) == parent
        }
    }

    /// Alive and not a zombie.
    static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(after: close)...].split(separator: " ").first
        return state != "Z"
    }
}
