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
        envelope.sentUnixMs = nowUnixMs
        envelope.body = body
        return envelope
    }

    /// The frame of an envelope whose body is already encoded: the same bytes as `make(...).frame()`
    /// with that body decoded and set, without encoding the body again or building the message.
    public static func frame(
        sender: String, sessionSeq: UInt64, correlationID: String = "", messageID: String = MessageID.next(),
        _ body: EncodedBody
    ) -> Data {
        var frame = FieldWriter(capacity: 48 + messageID.utf8.count + sender.utf8.count + correlationID.utf8.count
                                    + body.bytes.count)
        // The header's fields in field order without the default (zero, empty) ones, then the body:
        // what swift-protobuf writes.
        frame.varint(field: 1, UInt64(labloopProtocolVersion))
        frame.string(field: 2, messageID)
        frame.string(field: 3, sender)
        frame.varint(field: 4, sessionSeq)
        frame.string(field: 5, correlationID)
        frame.varint(field: 6, UInt64(bitPattern: nowUnixMs))
        frame.lengthDelimited(field: body.field.rawValue, body.bytes)
        return Data(frame.bytes)
    }

    private static var nowUnixMs: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

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
