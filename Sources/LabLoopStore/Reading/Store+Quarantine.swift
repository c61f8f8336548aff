import Foundation
import GRDB

extension Store {
    /// Instruments quarantined (audit action `quarantine`) and not cleared since (`undrain`), so a
    /// quarantine outlives a restart of the coordinator. Returns instrument id → reason.
    public func quarantinedInstruments() async throws(StoreError) -> [String: String] {
        try await read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT a.arguments, a.outcome FROM audit a
                WHERE a.action = 'quarantine'
                  AND NOT EXISTS (SELECT 1 FROM audit b WHERE b.arguments = a.arguments AND b.id > a.id
                                  AND b.action IN ('undrain', 'quarantine'))
                """)
            return Dictionary(rows.map { ($0["arguments"] as String, $0["outcome"] as String) }, uniquingKeysWith: { _, last in last })
        }
    }
}
