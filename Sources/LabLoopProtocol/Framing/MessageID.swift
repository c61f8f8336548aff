import Foundation
import Synchronization

/// Unique message ids, cheaply: a random UUID drawn once per process, then a counter. Unique across
/// processes and restarts like a fresh UUID per message, without asking the kernel for randomness
/// for every message a busy coordinator sends.
public enum MessageID {
    private static let prefix = UUID().uuidString
    private static let counter = Atomic<UInt64>(0)

    public static func next() -> String {
        "\(prefix)-\(String(counter.add(1, ordering: .relaxed).newValue, radix: 16))"
    }
}
