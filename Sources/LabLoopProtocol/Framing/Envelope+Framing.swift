public import Foundation
import SwiftProtobuf

/// The protocol version this build speaks. Peers with another version are refused.
public let labloopProtocolVersion: UInt32 = 1
/// Largest envelope accepted from the wire (libzmq's MAXMSGSIZE is set to the same).
public let maxEnvelopeBytes = 4 << 20

extension Labloop_V1_Envelope {
    /// Builds an envelope around `body`.
    public static func make(
        sender: String, sessionSeq: UInt64, correlationID: String = "", messageID: String = MessageID.next(),
        _ body: Labloop_V1_Envelope.OneOf_Body
    ) -> Labloop_V1_Envelope {
        var envelope = Labloop_V1_Envelope()
        envelope.protocolVersion = labloopProtocolVersion
        envelope.messageID = messageID
        envelope.sender = sender
        envelope.sessionSeq = sessionSeq
        envelope.correlationID = correlationID
        envelope.sentUnixMs = Int64(Date().timeIntervalSince1970 * 1000)
        envelope.body = body
        return envelope
    }

    /// Decodes and checks one application frame: size, protobuf, version, ids and body.
    public static func decode(frame: Data) throws(WireError) -> Labloop_V1_Envelope {
        guard !frame.isEmpty else { throw WireError(.malformed, "empty frame") }
        guard frame.count <= maxEnvelopeBytes else {
            throw WireError(.malformed, "frame of \(frame.count) bytes exceeds \(maxEnvelopeBytes)")
        }
        let envelope: Labloop_V1_Envelope
        do {
            envelope = try Labloop_V1_Envelope(serializedBytes: frame)
        } catch {
            throw WireError(.malformed, "frame is not a protobuf Envelope (\(error))")
        }
        guard envelope.protocolVersion == labloopProtocolVersion else {
            throw WireError(.unsupportedVersion,
                            "protocol_version \(envelope.protocolVersion) is not supported; this coordinator speaks \(labloopProtocolVersion)")
        }
        guard !envelope.messageID.isEmpty else { throw WireError(.malformed, "message_id is empty") }
        guard !envelope.sender.isEmpty else { throw WireError(.malformed, "sender is empty") }
        guard envelope.body != nil else { throw WireError(.malformed, "envelope has no body (or an unknown body type)") }
        return envelope
    }

    /// The serialized frame. Encoding a well-formed message cannot fail.
    public func frame() -> Data {
        do {
            return try serializedBytes()
        } catch {
            preconditionFailure("encoding an Envelope failed: \(error)")
        }
    }

    /// A short name of the body's type for logs and error replies.
    public var bodyName: String {
        guard let body else { return "none" }
        let text = String(describing: body)
        return String(text.prefix { $0 != "(" })
    }
}
