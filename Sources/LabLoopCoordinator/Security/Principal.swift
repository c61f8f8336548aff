import LabLoopCore

/// Who sent a message, as the coordinator established it: from the CURVE key, or (with
/// `--insecure`) from the envelope's sender and the socket it arrived on.
struct Principal: Sendable, Hashable {
    var name: String
    var role: PeerRole
    var scope: AccessScope

    /// Without CURVE nobody is authenticated: the socket decides the role and the scope is unlimited.
    static func unauthenticated(sender: String, socket: CoordinatorSocket) -> Principal {
        let role: PeerRole = switch socket {
        case .agents: .agent
        case .models: .model
        case .control, .events, .catchUp: .operator
        }
        return Principal(name: sender, role: role, scope: .unlimited)
    }
}

extension Principal {
    /// The principal an allowed key stands for.
    init(_ entry: AccessEntry) {
        self.init(name: entry.principal, role: entry.role, scope: entry.scope)
    }
}

extension Role {
    /// The socket (and ZAP domain) this gateway role is.
    var socket: CoordinatorSocket {
        switch self {
        case .agent: .agents
        case .model: .models
        case .control: .control
        case .events: .events
        case .catchUp: .catchUp
        }
    }
}
