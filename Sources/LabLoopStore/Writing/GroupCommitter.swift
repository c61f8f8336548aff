import GRDB
import LabLoopProtocol

/// Batches concurrent writes into one SQLite transaction.
actor GroupCommitter {
    typealias Change = @Sendable (StoreTransaction) throws -> any Sendable

    private struct Job {
        var change: Change
        var continuation: CheckedContinuation<any Sendable, any Error>
    }

    private let pool: DatabasePool
    private let onCommit: @Sendable ([CommittedEvent]) -> Void
    let health = StoreHealth()
    private var pending: [Job] = []
    private var flushing = false
    private var closed = false
    private var drainWaiters: [CheckedContinuation<Void, Never>] = []

    init(pool: DatabasePool, onCommit: @escaping @Sendable ([CommittedEvent]) -> Void) {
        self.pool = pool
        self.onCommit = onCommit
    }

    func submit(_ change: @escaping Change) async throws -> any Sendable {
        if closed { throw StoreError(.io, operation: "write", message: "the store is closing") }
        return try await withCheckedThrowingContinuation { continuation in
            pending.append(Job(change: change, continuation: continuation))
            if !flushing {
                flushing = true
                Task { await self.flush() }
            }
        }
    }

    /// Refuses new writes and waits for submitted ones to finish.
    func drain() async {
        closed = true
        if !flushing, pending.isEmpty { return }
        await withCheckedContinuation { drainWaiters.append($0) }
    }

    private func flush() async {
        while !pending.isEmpty {
            let batch = pending
            pending = []
            let changes = batch.map(\.change)
            do {
                let (outcomes, events) = try await pool.write { db -> ([Result<any Sendable, any Error>], [CommittedEvent]) in
                    let transaction = try StoreTransaction(db: db)
                    var outcomes: [Result<any Sendable, any Error>] = []
                    for change in changes {
                        let mark = transaction.events.count
                        let seqMark = transaction.nextSeq
                        // Each change in its own savepoint, so one that fails leaves the others. The
                        // statements are prepared once: a batch runs them for every change.
                        try transaction.execute(sql: "SAVEPOINT change", arguments: [])
                        do {
                            let value = try change(transaction)
                            try transaction.execute(sql: "RELEASE SAVEPOINT change", arguments: [])
                            outcomes.append(.success(value))
                        } catch {
                            // Disk full or I/O errors may roll back the whole transaction; carrying on
                            // would run the next changes outside it, so the batch fails as a whole.
                            if !db.isInsideTransaction || StoreHealth.isStorageFailure(error) { throw error }
                            try transaction.execute(sql: "ROLLBACK TO SAVEPOINT change", arguments: [])
                            try transaction.execute(sql: "RELEASE SAVEPOINT change", arguments: [])
                            transaction.events.removeSubrange(mark...)
                            transaction.nextSeq = seqMark
                            outcomes.append(.failure(error))
                        }
                    }
                    return (outcomes, transaction.events)
                }
                // Durable now: publish in seq order, then let the writers acknowledge.
                health.committed()
                if !events.isEmpty { onCommit(events) }
                for (job, outcome) in zip(batch, outcomes) { job.continuation.resume(with: outcome) }
            } catch {
                // The transaction did not commit: nothing in this batch happened.
                let failure = StoreError(error, operation: "commit")
                health.failed(failure)
                for job in batch { job.continuation.resume(throwing: failure) }
            }
        }
        flushing = false
        for waiter in drainWaiters { waiter.resume() }
        drainWaiters = []
    }
}
