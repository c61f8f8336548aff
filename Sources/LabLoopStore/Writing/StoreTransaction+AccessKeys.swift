import Foundation
import GRDB
public import LabLoopCore

extension StoreTransaction {
    /// Allows a key, or replaces what is known about it (un-revoking it).
    public func allow(_ entry: AccessEntry) throws {
        try db.execute(
            sql: """
                INSERT INTO access_keys (public_key, principal, role, scope, expires_at, revoked_at, added_at)
                VALUES (?, ?, ?, ?, ?, NULL, ?)
                ON CONFLICT(public_key) DO UPDATE SET principal = excluded.principal, role = excluded.role,
                    scope = excluded.scope, expires_at = excluded.expires_at, revoked_at = NULL, added_at = excluded.added_at
                """,
            arguments: [entry.publicKey, entry.principal, entry.role.rawValue, entry.scope.description,
                        entry.expiresAtMs, now])
    }

    /// Revokes every allowed key matching `keyOrPrincipal` (a public key or a principal name).
    /// Returns the keys revoked.
    public func revoke(_ keyOrPrincipal: String) throws -> [String] {
        let keys = try String.fetchAll(db, sql: """
            SELECT public_key FROM access_keys WHERE revoked_at IS NULL AND (public_key = ? OR principal = ?)
            ORDER BY public_key
            """, arguments: [keyOrPrincipal, keyOrPrincipal])
        for key in keys {
            try db.execute(sql: "UPDATE access_keys SET revoked_at = ? WHERE public_key = ?", arguments: [now, key])
        }
        return keys
    }
}
