import Synchronization

/// Messages handed to the consumer but not yet taken by it.
final class InboundCredit: Sendable {
    let unread = Atomic<Int>(0)
}

extension SocketLoop {
    /// The loop's inbound messages. Each message taken frees room for the loop to read another.
    public struct InboundSequence: AsyncSequence, Sendable {
        public typealias Element = SocketLoop.Inbound
        let base: AsyncStream<SocketLoop.Inbound>
        let credit: InboundCredit
        let wake: WakeSignal
        let limit: Int

        public func makeAsyncIterator() -> Iterator {
            Iterator(base: base.makeAsyncIterator(), credit: credit, wake: wake, limit: limit)
        }

        public struct Iterator: AsyncIteratorProtocol {
            var base: AsyncStream<SocketLoop.Inbound>.Iterator
            let credit: InboundCredit
            let wake: WakeSignal
            let limit: Int

            public mutating func next() async -> SocketLoop.Inbound? {
                guard let element = await base.next() else { return nil }
                if case .message = element {
                    let before = credit.unread.subtract(1, ordering: .relaxed).oldValue
                    // The loop stopped reading at the limit: tell it there is room again.
                    if before >= limit { wake.signal() }
                }
                return element
            }
        }
    }
}
