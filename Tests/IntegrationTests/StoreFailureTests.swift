import Foundation
import GRDB
import LabLoopCore
import LabLoopPeer
import LabLoopProtocol
import Testing

/// A small tmpfs, so a test can fill the coordinator's disk or make it read-only (needs root).
struct SmallDisk {
    let mountPoint: URL

    static let available: Bool = {
        guard geteuid() == 0 else { return false }
        let probe = FileManager.default.temporaryDirectory.appendingPathComponent("labloop-mount-probe-\(getpid())")
        try? FileManager.default.createDirectory(at: probe, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: probe) }
        guard run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", probe.path) == 0 else { return false }
        return run("umount", probe.path) == 0
    }()

    @discardableResult
    static func run(_ arguments: String...) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }

    init(at mountPoint: URL, megabytes: Int) throws {
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        guard Self.run("mount", "-t", "tmpfs", "-o", "size=\(megabytes)m", "tmpfs", mountPoint.path) == 0 else {
            throw LabError("could not mount a tmpfs at \(mountPoint.path)")
        }
        self.mountPoint = mountPoint
    }

    /// A lab whose coordinator keeps its data on a fresh 16 MB disk (logs and outboxes stay outside it).
    static func lab() throws -> (Lab, SmallDisk) {
        let lab = try Lab()
        let disk = try SmallDisk(at: lab.directory.appendingPathComponent("data"), megabytes: 16)
        lab.dataDirectory = disk.mountPoint
        return (lab, disk)
    }

    var filler: URL { mountPoint.appendingPathComponent("filler") }

    /// Takes every free byte.
    func fill() {
        Self.run("dd", "if=/dev/zero", "of=\(filler.path)", "bs=64k")
    }

    func free() { try? FileManager.default.removeItem(at: filler) }

    func remount(readOnly: Bool) -> Bool {
        Self.run("mount", "-o", readOnly ? "remount,ro" : "remount,rw", mountPoint.path) == 0
    }

    func unmount() {
        // The coordinator has stopped by now; lazily, in case something still holds a file.
        Self.run("umount", "-l", mountPoint.path)
    }
}

@Suite("The store fails loudly, never silently", .serialized, .enabled(if: SmallDisk.available, "needs root and tmpfs mounts"))
struct StoreFailureTests {
    func completed(_ lab: Lab, _ campaignID: String) async throws -> Int {
        var get = Labloop_V1_GetCampaign()
        get.campaignID = campaignID
        let summary = try await lab.control(.getCampaign(get)).campaign
        return Int(summary.experiments.first { $0.state == .completed }?.count ?? 0)
    }

    func waitFor(_ what: String, timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw LabError("timed out waiting for \(what)")
    }

    /// Waits until the store has failed (the coordinator says so in its log), checks that no result
    /// is acknowledged meanwhile, then lets `repair` fix the disk and waits for progress again.
    func outage(_ lab: Lab, _ campaignID: String, cause: String, break: () -> Void, repair: () -> Void) async throws {
        let logLinesBefore = lab.log("coordinator").components(separatedBy: "the store stopped committing").count
        `break`()
        try await waitFor("the coordinator to report the \(cause)") {
            lab.log("coordinator").components(separatedBy: "the store stopped committing").count > logLinesBefore
        }
        let stalled = try await completed(lab, campaignID)
        try await Task.sleep(for: .seconds(3))
        let stillStalled = try await completed(lab, campaignID)
        #expect(stillStalled == stalled, "\(cause): results were acknowledged while the store could not commit")
        #expect(lab.log("honest").contains("store is failing"), "\(cause): the agent was not told why its result waits")
        #expect(!FileManager.default.fileExists(atPath: lab.dataDirectory.appendingPathComponent("health.json").path)
                    || (Health.read(lab)?.store.hasPrefix("failing") ?? false),
                "\(cause): health.json still says the store is fine")
        print("store: \(cause): \(stalled) results stored before; none acknowledged during 3 s of outage")
        repair()
        try await waitFor("progress after the \(cause) was repaired", timeout: .seconds(60)) {
            try await completed(lab, campaignID) > stalled
        }
        try await waitFor("the coordinator to say the store recovered") { lab.log("coordinator").contains("the store commits again") }
    }

    @Test("a full disk stops acknowledgements loudly; they resume when space returns; nothing acknowledged is lost")
    func diskFull() async throws {
        let (lab, disk) = try SmallDisk.lab()
        defer { disk.unmount() }
        let experiments = 16
        try await withLabProcesses(lab) {
            try await lab.startCoordinator()
            try await lab.startReactor("honest", capacity: 1, durationMs: 200)
            try await lab.startModel()
            let campaignID = try await lab.submit(ClosedLoopTests.reactorCampaign(experiments: experiments, parallel: 1))
            try await waitFor("three results") { try await completed(lab, campaignID) >= 3 }
            try await outage(lab, campaignID, cause: "full disk", break: disk.fill, repair: disk.free)
            let summary = try await lab.waitUntilFinished(campaignID, timeout: .seconds(120))
            #expect(CampaignState(summary.state) == .completed, "\(summary.state) \(summary.stateReason)")
            try await Task.sleep(for: .milliseconds(1_500))
            #expect(Health.read(lab)?.store == "ok")
        }
        let invariants = try StoreInvariants(path: lab.databasePath)
        try invariants.checkContiguousSeq()
        #expect(try invariants.checkHistories() == experiments)
        try invariants.checkResultsLinked()
        try invariants.checkNothingInvalid()
        // Every result the agent saw acknowledged is stored once: its outbox holds nothing unacknowledged.
        let outbox = lab.directory.appendingPathComponent("outbox-honest")
        let pending = (try? FileManager.default.contentsOfDirectory(atPath: outbox.path)) ?? []
        let results = try await invariants.db.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM results") ?? 0 }
        #expect(results == experiments, "\(results) results stored for \(experiments) experiments")
        #expect(pending.filter { $0.hasSuffix(".envelope") }.isEmpty, "unacknowledged results left in the outbox: \(pending)")
    }

    /// Linux refuses to remount a file system read-only while files on it are open for writing,
    /// so this is the read-only case a test can make: the data directory is read-only at start.
    @Test("a read-only data directory: the coordinator refuses to start and says why; the store is unchanged")
    func readOnlyDataDirectory() async throws {
        let (lab, disk) = try SmallDisk.lab()
        defer { disk.unmount() }
        _ = try await withLabProcesses(lab) { try await lab.startCoordinator() }
        let before = try Data(contentsOf: URL(fileURLWithPath: lab.databasePath))
        #expect(disk.remount(readOnly: true))
        let coordinator = try lab.start("coordinator-ro", "labloop", ["serve", "--data", lab.dataDirectory.path, "--port", "0"])
        let status = await coordinator.wait(timeout: .seconds(30))
        let log = lab.log("coordinator-ro")
        #expect(status != 0, "the coordinator started on a read-only data directory: \(log)")
        #expect(log.contains(lab.dataDirectory.path) && log.contains("Read-only file system"), "the error should name the directory and say it is read-only: \(log)")
        #expect(!log.contains("Fatal error") && !log.contains("Stack dump"), "a stack trace instead of an error: \(log)")
        print("store: read-only data directory: \(log.split(separator: "\n").last ?? "")")
        #expect(disk.remount(readOnly: false))
        #expect(try Data(contentsOf: URL(fileURLWithPath: lab.databasePath)) == before)
    }
}
