import Foundation
import LabLoopProtocol
import SwiftProtobuf
import Testing

@Suite("Envelope framing")
struct EnvelopeFramingTests {
    func heartbeat(version: UInt32 = labloopProtocolVersion) -> Labloop_V1_Envelope {
        var envelope = Labloop_V1_Envelope.make(sender: "reactor-1", sessionSeq: 1, .heartbeat(.init()))
        envelope.protocolVersion = version
        return envelope
    }

    func refusal(_ frame: Data) -> WireError? {
        do {
            _ = try Labloop_V1_Envelope.decode(frame: frame)
            return nil
        } catch {
            return error
        }
    }

    @Test func roundTrip() throws {
        let envelope = heartbeat()
        let decoded = try Labloop_V1_Envelope.decode(frame: envelope.frame())
        #expect(decoded == envelope)
        #expect(decoded.bodyName == "heartbeat")
    }

    @Test func refusesEmptyAndGarbage() {
        #expect(refusal(Data())?.code == .malformed)
        #expect(refusal(Data([0xFF, 0xFF, 0xFF, 0x01]))?.code == .malformed)
    }

    @Test func refusesOversizedFrames() {
        let error = refusal(Data(count: maxEnvelopeBytes + 1))
        #expect(error?.code == .malformed)
        #expect(error?.reason.contains("exceeds") == true)
    }

    @Test func refusesOtherVersions() throws {
        for version: UInt32 in [0, 2, 99] {
            let error = refusal(heartbeat(version: version).frame())
            #expect(error?.code == .unsupportedVersion, "version \(version)")
            #expect(error?.reason.contains("protocol_version \(version)") == true)
        }
    }

    @Test func refusesMissingFields() throws {
        var noID = heartbeat()
        noID.messageID = ""
        #expect(refusal(noID.frame())?.reason == "message_id is empty")
        var noSender = heartbeat()
        noSender.sender = ""
        #expect(refusal(noSender.frame())?.reason == "sender is empty")
        var noBody = heartbeat()
        noBody.body = nil
        #expect(refusal(noBody.frame())?.code == .malformed)
    }

    @Test func unknownBodyFieldIsRefusedAsMissingBody() throws {
        // A body field number v1 does not know (an unknown message type from a newer peer).
        var envelope = heartbeat()
        envelope.body = nil
        var bytes: [UInt8] = try envelope.serializedBytes()
        bytes += [0xBA, 0x3E, 0x00]  // field 999, wire type 2 (length-delimited), length 0
        #expect(refusal(Data(bytes))?.code == .malformed)
    }
}
