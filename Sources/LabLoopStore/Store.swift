import Foundation
public import GRDB
import LabLoopProtocol

/// The results store: one SQLite file in WAL mode with `synchronous=FULL`.
///
/// Every change goes through `write(_:)`: concurrent writes are group-committed into one
/// transaction (one fsync), each in its own savepoint so one failing change does not undo the
/// others. Events a change appends get their `seq` inside that transaction and are handed to
/// `onCommit` in seq order, with their stored encoding, after the commit is durable, before any
/// writer is resumed.
public final class Store: Sendable {
    public let path: String
    let pool: DatabasePool
    let committer: GroupCommitter

    /// Opens (creating if needed) the store at `path` and applies pending migrations.
    public init(path: String, onCommit: @escaping @Sendable ([CommittedEvent]) -> Void = { _ in }) throws(StoreError) {
        self.path = path
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        configuration.busyMode = .timeout(5)
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            // GRDB sets synchronous=NORMAL on the writer when it turns WAL on, after prepareDatabase ran.
            // NORMAL may lose the last commits on power loss; acknowledged writes must survive it.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            try Migrations.migrator.migrate(pool)
        } catch {
            throw StoreError(error, operation: "open store at \(path)")
        }
        committer = GroupCommitter(pool: pool, onCommit: onCommit)
    }

    /// Opens an existing store for reading only (e.g. to export while a coordinator runs, or offline).
    public init(readingOnly path: String) throws(StoreError) {
        self.path = path
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError(.notFound, operation: "open store at \(path)", message: "no such file")
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            let applied = try pool.read { db in try Migrations.migrator.appliedIdentifiers(db) }
            guard applied.contains("v1-initial-schema") else {
                throw StoreError(.notFound, operation: "open store at \(path)", message: "not a LabLoop store")
            }
        } catch {
            throw StoreError(error, operation: "open store at \(path)")
        }
        committer = GroupCommitter(pool: pool, onCommit: { _ in })
    }

    /// Runs `change` inside the next group commit and returns its value once the commit is durable.
    public func write<T: Sendable>(_ change: @escaping @Sendable (StoreTransaction) throws -> T) async throws(StoreError) -> T {
        do {
            let value = try await committer.submit { transaction in try change(transaction) }
            guard let typed = value as? T else { preconditionFailure("group commit returned the wrong type") }
            return typed
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(error, operation: "write")
        }
    }

    /// Reads a consistent snapshot.
    public func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do {
            return try await pool.read(body)
        } catch {
            throw StoreError(error, operation: "read")
        }
    }

    /// Why the last commit failed (disk full, read-only, I/O error), or nil once one succeeds again.
    /// While it is set nothing new is committed, so nothing new is acknowledged.
    public var writeFailure: StoreError? { committer.health.current }

    /// Stops accepting writes after those already submitted are committed, then closes the file.
    public func close() async {
        await committer.drain()
        try? pool.close()
    }
}

extension StoreError {
    init(_ error: any Error, operation: String) {
        if let error = error as? StoreError {
            self = error
        } else if let error = error as? DatabaseError {
            let code: Code = error.resultCode == .SQLITE_CONSTRAINT ? .conflict : .io
            self.init(code, operation: operation, message: error.message ?? "\(error)",
                      sqliteCode: error.extendedResultCode.rawValue)
        } else {
            self.init(.io, operation: operation, message: "\(error)")
        }
    }
}
