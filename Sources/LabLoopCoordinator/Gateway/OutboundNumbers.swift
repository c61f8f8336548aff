import Synchronization

/// The numbers on what the coordinator sends: one `session_seq` counter for all sockets, and the
/// latest published event seq that heartbeats and welcomes report. Shared by the gateway and the
/// heartbeats its thread answers itself.
final class OutboundNumbers: Sendable {
    private let sessionSeq = Atomic<UInt64>(0)
    private let publishedSeq = Atomic<UInt64>(0)

    func nextSessionSeq() -> UInt64 { sessionSeq.add(1, ordering: .relaxed).newValue }

    var latestPublishedSeq: UInt64 { publishedSeq.load(ordering: .relaxed) }

    func published(_ seq: UInt64) { publishedSeq.store(seq, ordering: .relaxed) }
}
