import Foundation
@testable import LabLoopAgent
import LabLoopProtocol
import Testing

/// The Swift agent's on-disk outbox, in process. (`AgentKillTests` kills a real agent with a result in it.)
@Suite("Agent outbox")
struct OutboxTests {
    static func result(_ experimentID: String) -> Labloop_V1_Envelope {
        var result = Labloop_V1_ExperimentResult()
        result.experimentID = experimentID
        result.attempt = 1
        result.outcome = .succeeded
        result.measurements = [Labloop_V1_NamedValue(name: "yield", real: 12.5)]
        return Labloop_V1_Envelope.make(sender: "reactor-a", sessionSeq: 0, .result(result))
    }

    @Test("a result put in the outbox is read back by a new outbox on the same directory, byte for byte, until removed")
    func survivesReopening() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = Self.result("c1-0001"), second = Self.result("c1-0002")
        let outbox = try Outbox(directory: directory)
        try outbox.put(first)
        try outbox.put(second)
        // A crash in the middle of a later write leaves a temporary file: it is not an entry.
        try Data("partial".utf8).write(to: directory.appendingPathComponent("half-written.envelope.tmp"))

        let reopened = try Outbox(directory: directory)  // as after a restart of the agent
        let entries = reopened.entries()
        #expect(Set(entries.map(\.messageID)) == [first.messageID, second.messageID])
        let frames = Dictionary(uniqueKeysWithValues: entries.map { ($0.messageID, $0.frame) })
        #expect(frames[first.messageID] == first.frame(), "a resend must carry the identical bytes")
        #expect(entries.first { $0.messageID == second.messageID }?.experimentID == "c1-0002")

        reopened.remove(first.messageID)
        #expect(try Outbox(directory: directory).entries().map(\.messageID) == [second.messageID])
    }
}
