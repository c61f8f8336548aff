public import Foundation
public import SwiftProtobuf

/// An envelope body already encoded, e.g. an event as the store wrote it: framing it costs only the
/// envelope's header, not encoding the body a second time.
public struct EncodedBody: Sendable {
    /// The body's field number in `Envelope` (envelope.proto).
    public enum Field: Int, Sendable {
        case proposalRequest = 42
        case event = 60
    }

    public var field: Field
    /// The body message's protobuf encoding.
    public var bytes: Data

    public init(_ field: Field, _ bytes: Data) {
        self.field = field
        self.bytes = bytes
    }
}

extension Labloop_V1_ProposalRequest {
    /// The encoding of this request with `pendingPoints` (each an encoded `PendingPoint`) as its
    /// `pending` list: what setting `pending` and encoding gives, without encoding the points again.
    /// The request's own `pending` must be empty.
    public func serialized(pendingPoints: [Data]) -> Data {
        precondition(pending.isEmpty, "pending points are passed encoded")
        // The fields before `pending` (5), the points, then the fields after it: swift-protobuf's order.
        var head = self
        head.proposedSoFar = 0
        head.asOfSeq = 0
        head.rejectedSoFar = 0
        let encodedHead = head.frameBytes()
        var request = FieldWriter(capacity: encodedHead.count + 32 + pendingPoints.reduce(0) { $0 + $1.count + 4 })
        request.append(encodedHead)
        for point in pendingPoints { request.lengthDelimited(field: 5, point) }
        request.varint(field: 6, UInt64(proposedSoFar))
        request.varint(field: 7, asOfSeq)
        request.varint(field: 8, UInt64(rejectedSoFar))
        return Data(request.bytes)
    }
}

extension SwiftProtobuf.Message {
    /// The binary encoding. Encoding a well-formed message cannot fail.
    public func frameBytes() -> Data {
        do {
            return try serializedBytes()
        } catch {
            preconditionFailure("encoding \(Self.protoMessageName) failed: \(error)")
        }
    }
}

/// Protobuf fields written by hand, into an array (appending to `Data` a byte at a time is slow).
struct FieldWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    /// One length-delimited field (wire type 2): tag, length, bytes.
    mutating func lengthDelimited(field: Int, _ data: Data) {
        varint(UInt64(field) << 3 | 2)
        varint(UInt64(data.count))
        bytes.append(contentsOf: data)
    }

    /// Bytes already encoded (whole fields).
    mutating func append(_ data: Data) {
        bytes.append(contentsOf: data)
    }

    /// A proto3 string field, unless it is empty (the default, which proto3 does not write).
    mutating func string(field: Int, _ text: String) {
        guard !text.isEmpty else { return }
        varint(UInt64(field) << 3 | 2)
        varint(UInt64(text.utf8.count))
        bytes.append(contentsOf: text.utf8)
    }

    /// A proto3 varint field (wire type 0), unless it is zero.
    mutating func varint(field: Int, _ value: UInt64) {
        guard value != 0 else { return }
        varint(UInt64(field) << 3)
        varint(value)
    }

    private mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }
}
