import LabLoopFailpoints
import Testing

@Suite("Failpoints")
struct FailpointTests {
    @Test("LABLOOP_FAILPOINT names a point, optionally with the hit at which it fires")
    func parsing() {
        #expect(Failpoint.parse("assignment-sending")! == (.assignmentSending, 1))
        #expect(Failpoint.parse("result-committed-before-ack:3")! == (.resultCommittedBeforeAck, 3))
        #expect(Failpoint.parse("catch-up-sending:0") == nil)
        #expect(Failpoint.parse("catch-up-sending:x") == nil)
        #expect(Failpoint.parse("no-such-point") == nil)
        #expect(Failpoint.parse("") == nil)
    }

    @Test("every point has a distinct name")
    func names() {
        #expect(Set(Failpoint.allCases.map(\.rawValue)).count == Failpoint.allCases.count)
    }

    @Test("an unarmed point does nothing")
    func unarmed() {
        // The test process runs without LABLOOP_FAILPOINT: hitting every point must return.
        for point in Failpoint.allCases { point.hit() }
    }
}
