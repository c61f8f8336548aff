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

    /// Columns by position: the coordinator re-reads the list twice a second, and looking a thousand
    /// keys' columns up by name was most of an idle coordinator's store time.
    static func accessList(_ db: Database) throws -> AccessList {
        let rows = try Row.fetchCursor(db, sql: """
            SELECT public_key, principal, role, scope, expires_at, revoked_at, added_at
            FROM access_keys ORDER BY principal, public_key
            """)
        var entries: [AccessEntry] = []
        while let row = try rows.next() {
            entries.append(AccessEntry(publicKey: row[0], principal: row[1], role: PeerRole(rawValue: row[2]) ?? .observer,
                                       scope: (try? AccessScope(parsing: row[3])) ?? AccessScope(campaigns: ["-"]),
                                       expiresAtMs: row[4], revokedAtMs: row[5], addedAtMs: row[6]))
        }
        return AccessList(entries)
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
