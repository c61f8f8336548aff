import Foundation
import GRDB
public import LabLoopCore

/// One line of the audit table.
public struct AuditRecord: Sendable, Hashable, Codable {
    public var id: Int64
    public var atUnixMs: Int64
    public var principal: String
    public var role: String
    public var action: String
    public var arguments: String
    public var outcome: String
}

extension Store {
    /// Every key ever allowed, revoked ones included.
    public func accessList() async throws(StoreError) -> AccessList {
        try await read { db in try Self.accessList(db) }
    }

    /// The allowlist, read synchronously: for the ZAP handler's own thread, which may block.
    public func accessListNow() throws(StoreError) -> AccessList {
        do {
            return try pool.read { db in try Self.accessList(db) }
        } catch {
            throw StoreError(error, operation: "read the allowlist")
        }
    }

    static func accessList(_ db: Database) throws -> AccessList {
        AccessList(try Row.fetchAll(db, sql: "SELECT * FROM access_keys ORDER BY principal, public_key").map { row in
            AccessEntry(publicKey: row["public_key"], principal: row["principal"],
                        role: PeerRole(rawValue: row["role"]) ?? .observer,
                        scope: (try? AccessScope(parsing: row["scope"])) ?? AccessScope(campaigns: ["-"]),
                        expiresAtMs: row["expires_at"], revokedAtMs: row["revoked_at"], addedAtMs: row["added_at"])
        })
    }

    /// Audit records, newest last; at most `limit` of the latest.
    public func auditRecords(limit: Int = 1_000) async throws(StoreError) -> [AuditRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM (SELECT * FROM audit ORDER BY id DESC LIMIT ?) ORDER BY id
                """, arguments: [limit]).map { row in
                AuditRecord(id: row["id"], atUnixMs: row["at"], principal: row["principal"], role: row["role"],
                            action: row["action"], arguments: row["arguments"], outcome: row["outcome"])
            }
        }
    }
}
