public import Foundation
public import LabLoopProtocol

/// An event a commit made durable, with its encoding as stored (what a publisher can send as is).
public struct CommittedEvent: Sendable {
    public var event: Labloop_V1_Event
    /// `event`'s protobuf encoding: the events table's payload.
    public var payload: Data
}
