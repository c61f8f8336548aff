/// What a key may do. Each coordinator socket accepts only some roles (see `CoordinatorSocket`).
public enum PeerRole: String, Sendable, Hashable, CaseIterable, Codable {
    /// An instrument agent: reports on the experiments assigned to it.
    case agent
    /// A model server: proposes experiments for the campaigns it serves.
    case model
    /// A person or script steering campaigns: submit, pause, approve, drain, …
    case `operator`
    /// Read-only: status, exports and the event stream, within its scope.
    case observer
}

/// The coordinator's five sockets, each its own ZAP domain.
public enum CoordinatorSocket: String, Sendable, Hashable, CaseIterable {
    case agents
    case models
    case control
    case events
    case catchUp = "catch-up"

    /// The ZAP domain the socket presents; the name above.
    public var zapDomain: String { rawValue }

    /// Roles that may connect to this socket at all.
    public var admittedRoles: Set<PeerRole> {
        switch self {
        case .agents: [.agent]
        case .models: [.model]
        case .control: [.operator, .observer]
        case .events, .catchUp: [.model, .operator, .observer]
        }
    }
}
