/// One allowed public key: who it is, what it may do, where, and until when.
public struct AccessEntry: Sendable, Hashable {
    /// The CURVE public key, Z85 (40 characters).
    public var publicKey: String
    /// The name the key acts as: an agent's instrument id, a model id, a person.
    public var principal: String
    public var role: PeerRole
    public var scope: AccessScope
    /// Unix ms after which the key is refused; nil never expires.
    public var expiresAtMs: Int64?
    /// Unix ms when it was revoked; nil while allowed.
    public var revokedAtMs: Int64?
    public var addedAtMs: Int64

    public init(publicKey: String, principal: String, role: PeerRole, scope: AccessScope = .unlimited,
                expiresAtMs: Int64? = nil, revokedAtMs: Int64? = nil, addedAtMs: Int64 = 0) {
        self.publicKey = publicKey
        self.principal = principal
        self.role = role
        self.scope = scope
        self.expiresAtMs = expiresAtMs
        self.revokedAtMs = revokedAtMs
        self.addedAtMs = addedAtMs
    }

    /// Why the key may not be used at `nowMs`, or nil when it may.
    public func refusal(atMs nowMs: Int64) -> AccessRefusal? {
        if revokedAtMs != nil { return .revoked }
        if let expiresAtMs, nowMs >= expiresAtMs { return .expired }
        return nil
    }

    /// A short, non-secret name for logs: the first 8 characters of the public key.
    public var fingerprint: String { AccessEntry.fingerprint(of: publicKey) }

    public static func fingerprint(of publicKey: String) -> String { String(publicKey.prefix(8)) }
}

/// Why a key or a message was refused.
public enum AccessRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    case unknownKey
    case revoked
    case expired
    case roleNotAdmitted(PeerRole, CoordinatorSocket)
    case notCurve(String)

    public var description: String {
        switch self {
        case .unknownKey: "key not in the allowlist"
        case .revoked: "key revoked"
        case .expired: "key expired"
        case .roleNotAdmitted(let role, let socket): "role \(role.rawValue) may not use the \(socket.rawValue) socket"
        case .notCurve(let mechanism): "mechanism \(mechanism) is not accepted (CURVE only)"
        }
    }
}
