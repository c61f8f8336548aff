import Foundation
import GRDB
import LabLoopCore
import LabLoopProtocol
import LabLoopStore
import Testing

@Suite("Opening a store")
struct StoreOpeningTests {
    static let tables: Set<String> = [
        "campaigns", "proposals", "rejected_candidates", "experiments", "experiment_transitions",
        "results", "events", "instruments", "audit",
    ]

    @Test("opening a new file creates the schema, in WAL mode with synchronous=FULL on every connection")
    func schemaAndPragmas() async throws {
        try await withStore { store in
            let tables = try await store.read { db in
                try String.fetchSet(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            #expect(tables.isSuperset(of: Self.tables), "missing \(Self.tables.subtracting(tables))")
            #expect(FileManager.default.fileExists(atPath: store.path))

            let (journal, synchronous, foreignKeys) = try await store.read { db in
                (try String.fetchOne(db, sql: "PRAGMA journal_mode"),
                 try Int.fetchOne(db, sql: "PRAGMA synchronous"),
                 try Int.fetchOne(db, sql: "PRAGMA foreign_keys"))
            }
            #expect(journal == "wal")
            #expect(synchronous == 2)
            #expect(foreignKeys == 1)

            // The writer connection too: durability is decided where the commit happens.
            let (writerJournal, writerSynchronous) = try await store.write { tx in
                (try String.fetchOne(tx.db, sql: "PRAGMA journal_mode"), try Int.fetchOne(tx.db, sql: "PRAGMA synchronous"))
            }
            #expect(writerJournal == "wal")
            #expect(writerSynchronous == 2)
            #expect(try await store.latestSeq() == 0)
        }
    }

    @Test("reopening an existing file keeps its data and does not reapply migrations")
    func reopen() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/labloop.sqlite"
            try await withStore(at: path) { store in
                try await store.write { tx in try tx.insertCampaign(id: "c1", spec: Fixture.spec("first")) }
            }
            try await withStore(at: path) { store in
                let campaigns = try await store.campaigns()
                #expect(campaigns.map(\.id) == ["c1"])
                #expect(campaigns.first?.spec == Fixture.spec("first"))
                #expect(try await store.latestSeq() == 1)
                let migrations = try await store.read { db in
                    try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
                }
                #expect(migrations == ["v1-initial-schema", "v2-access-keys"])
                // Writing after a reopen continues the seq where it stopped.
                try await store.write { tx in try tx.insertCampaign(id: "c2", spec: Fixture.spec("second")) }
                #expect(try await store.allEvents().map(\.seq) == [1, 2])
            }
        }
    }

    @Test("a path in a missing directory fails with an io StoreError naming the path")
    func unopenable() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/missing/labloop.sqlite"
            do throws(StoreError) {
                let store = try Store(path: path)
                await store.close()
                Issue.record("opened \(path)")
            } catch {
                #expect(error.code == .io)
                #expect(error.operation.contains(path))
                #expect(error.sqliteCode != nil)
            }
        }
    }
}
