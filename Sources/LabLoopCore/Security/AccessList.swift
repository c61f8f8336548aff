/// The allowlist: every key the coordinator knows, and the pure decisions made from it.
///
/// Default deny: a key that is not listed, revoked or expired is refused, and each socket admits
/// only its roles. The coordinator holds one snapshot and replaces it whenever the store changes.
public struct AccessList: Sendable, Hashable {
    public private(set) var entries: [String: AccessEntry] = [:]

    public init(_ entries: [AccessEntry] = []) {
        for entry in entries { self.entries[entry.publicKey] = entry }
    }

    public subscript(publicKey: String) -> AccessEntry? { entries[publicKey] }

    /// The ZAP decision for a CURVE client presenting `publicKey` on `socket`.
    public func admit(publicKey: String, on socket: CoordinatorSocket, atMs nowMs: Int64) -> Result<AccessEntry, AccessRefusal> {
        guard let entry = entries[publicKey] else { return .failure(.unknownKey) }
        if let refusal = entry.refusal(atMs: nowMs) { return .failure(refusal) }
        guard socket.admittedRoles.contains(entry.role) else { return .failure(.roleNotAdmitted(entry.role, socket)) }
        return .success(entry)
    }

    /// The entry a message's authenticated key belongs to, if it may still be used.
    public func current(publicKey: String, atMs nowMs: Int64) -> Result<AccessEntry, AccessRefusal> {
        guard let entry = entries[publicKey] else { return .failure(.unknownKey) }
        if let refusal = entry.refusal(atMs: nowMs) { return .failure(refusal) }
        return .success(entry)
    }
}
