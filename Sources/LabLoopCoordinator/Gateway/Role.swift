import LabLoopProtocol

/// The coordinator's sockets, in the order the gateway creates them.
public enum Role: Int, Sendable, CaseIterable {
    case agent = 0
    case model = 1
    case control = 2
    case events = 3
    case catchUp = 4

    /// Whether a peer on this socket may send a message with this body.
    func accepts(_ body: Labloop_V1_Envelope.OneOf_Body) -> Bool {
        switch (self, body) {
        case (_, .heartbeat), (_, .disconnect): self != .events
        case (.agent, .agentHello), (.agent, .assignmentAccepted), (.agent, .assignmentDeclined),
             (.agent, .progress), (.agent, .result):
            true
        case (.model, .modelHello), (.model, .proposals):
            true
        case (.control, .controlRequest):
            true
        case (.catchUp, .catchUpRequest):
            true
        default:
            false
        }
    }
}
