import GRDB
import Synchronization

/// Whether the last commit failed, and why: a full disk or a read-only data directory stops
/// every write (and so every acknowledgement) until a commit succeeds again.
final class StoreHealth: Sendable {
    private let failure = Mutex<StoreError?>(nil)

    var current: StoreError? { failure.withLock { $0 } }

    func failed(_ error: StoreError) { failure.withLock { $0 = error } }

    func committed() { failure.withLock { $0 = nil } }

    /// SQLite could not write at all (as opposed to a change that contradicts what is stored).
    static func isStorageFailure(_ error: any Error) -> Bool {
        guard let error = error as? DatabaseError else { return false }
        switch error.resultCode {
        case .SQLITE_FULL, .SQLITE_IOERR, .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_CORRUPT, .SQLITE_NOTADB: return true
        default: return false
        }
    }
}
