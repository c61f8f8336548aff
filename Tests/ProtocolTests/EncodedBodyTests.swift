import Foundation
import LabLoopProtocol
import SwiftProtobuf
import Testing

/// Frames built around bytes encoded earlier must be the frames encoding the whole envelope gives.
@Suite("Encoded bodies")
struct EncodedBodyTests {
    static func named(_ name: String, _ value: Double) -> Labloop_V1_NamedValue {
        var named = Labloop_V1_NamedValue()
        named.name = name
        named.value.real = value
        return named
    }

    /// Checks `frame` decodes to `make(...)` of `body` with the same header, byte for byte.
    func expectSameFrame(_ frame: Data, as body: Labloop_V1_Envelope.OneOf_Body, messageID: String,
                         correlationID: String = "asked", sourceLocation: SourceLocation = #_sourceLocation) throws {
        let decoded = try Labloop_V1_Envelope.decode(frame: frame)
        var expected = Labloop_V1_Envelope.make(sender: "coordinator", sessionSeq: 300, correlationID: correlationID,
                                                messageID: messageID, body)
        expected.sentUnixMs = decoded.sentUnixMs  // the clock may tick between the two
        #expect(decoded == expected, sourceLocation: sourceLocation)
        #expect(frame == expected.frame(), sourceLocation: sourceLocation)
    }

    @Test("an event framed from its stored bytes is the envelope encoding the event gives")
    func event() throws {
        var recorded = Labloop_V1_ResultRecorded()
        recorded.experimentID = "camp-0001"
        recorded.outcome = .succeeded
        recorded.parameters = (0..<8).map { Self.named("x\($0)", Double($0) / 3) }
        recorded.measurements = [Self.named("yield", 0.75)]
        var event = Labloop_V1_Event()
        event.seq = 1_234_567
        event.atUnixMs = 1_760_000_000_000
        event.campaignID = "camp"
        event.kind = .resultRecorded(recorded)
        let stored = event.frameBytes()
        #expect(stored.count > 127, "the body's length should take more than one varint byte")
        let frame = Labloop_V1_Envelope.frame(sender: "coordinator", sessionSeq: 300, correlationID: "asked",
                                              messageID: "m-1", EncodedBody(.event, stored))
        try expectSameFrame(frame, as: .event(event), messageID: "m-1")
        // As published: no correlation id, a default message id.
        let published = Labloop_V1_Envelope.frame(sender: "coordinator", sessionSeq: 300, EncodedBody(.event, stored))
        let messageID = try Labloop_V1_Envelope.decode(frame: published).messageID
        try expectSameFrame(published, as: .event(event), messageID: messageID, correlationID: "")
    }

    @Test("a proposal request with encoded pending points is the request with those points set")
    func proposalRequest() throws {
        var request = Labloop_V1_ProposalRequest()
        request.requestID = "request-1"
        request.campaignID = "camp"
        request.spec.name = "screen"
        request.count = 16
        request.proposedSoFar = 40
        request.asOfSeq = 99_999
        request.rejectedSoFar = 3
        let points = (0..<5).map { index in
            var point = Labloop_V1_PendingPoint()
            point.experimentID = "camp-\(index)"
            point.parameters = [Self.named("temperature", 20 + Double(index)), Self.named("ph", 7)]
            return point
        }
        let serialized = request.serialized(pendingPoints: points.map { $0.frameBytes() })
        var full = request
        full.pending = points
        #expect(try Labloop_V1_ProposalRequest(serializedBytes: serialized) == full)
        #expect(serialized == full.frameBytes())

        let frame = Labloop_V1_Envelope.frame(sender: "coordinator", sessionSeq: 300, correlationID: "asked",
                                              messageID: "request-1", EncodedBody(.proposalRequest, serialized))
        try expectSameFrame(frame, as: .proposalRequest(full), messageID: "request-1")
    }

    @Test("a proposal request without pending points encodes as swift-protobuf does")
    func proposalRequestWithoutPendingPoints() throws {
        var request = Labloop_V1_ProposalRequest()
        request.requestID = "request-2"
        request.count = 1
        request.asOfSeq = 7
        let serialized = request.serialized(pendingPoints: [])
        #expect(serialized == request.frameBytes())
    }
}
