#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Named points where a test can make the process die abruptly, as `kill -9` would: no cleanup,
/// no flushing, no goodbye. For fault-injection tests only.
///
/// `LABLOOP_FAILPOINT=<name>` arms one point; `<name>:<n>` fires at its n-th hit (default the first).
/// The variable is read once, on the first hit of any point; when it is unset a hit costs one load
/// and one comparison. Before dying the process writes `failpoint <name> hit` to standard error.
public enum Failpoint: String, CaseIterable, Sendable {
    /// Coordinator: a result's row is inserted, its transaction not yet committed.
    case resultInsertedBeforeCommit = "result-inserted-before-commit"
    /// Coordinator: a result is durable, its acknowledgement not yet sent.
    case resultCommittedBeforeAck = "result-committed-before-ack"
    /// Coordinator: a dispatch is durable, the assignment is being sent.
    case assignmentSending = "assignment-sending"
    /// Coordinator: a catch-up request is being answered.
    case catchUpSending = "catch-up-sending"
    /// Agent SDK: the coordinator's acknowledgement of a result arrived; the result is still in the
    /// outbox (so the agent restarts believing the result unacknowledged).
    case agentResultAckArriving = "agent-result-ack-arriving"

    /// Dies here if this point is armed and its hit count is reached.
    @inline(__always)
    public func hit() {
        guard let armed = armedPoint, armed.point == self else { return }
        let count = hits.add(1, ordering: .relaxed).newValue
        guard count == armed.atHit else { return }
        let line = "failpoint \(rawValue) hit: killing the process\n"
        line.utf8CString.withUnsafeBufferPointer { bytes in _ = write(2, bytes.baseAddress, bytes.count - 1) }
        kill(getpid(), SIGKILL)
        _exit(137)  // not reached: SIGKILL cannot be caught
    }

    /// Parses `name` or `name:n`; nil for anything else.
    public static func parse(_ text: String) -> (point: Failpoint, atHit: Int)? {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard let first = parts.first, let point = Failpoint(rawValue: first) else { return nil }
        guard parts.count == 2 else { return (point, 1) }
        guard let n = Int(parts[1]), n >= 1 else { return nil }
        return (point, n)
    }

    /// The environment variable that arms a point.
    public static let environmentVariable = "LABLOOP_FAILPOINT"
}

/// Read once (Swift initialises globals lazily and thread-safely).
private let armedPoint: (point: Failpoint, atHit: Int)? = {
    guard let raw = getenv(Failpoint.environmentVariable) else { return nil }
    let text = String(cString: raw)
    guard !text.isEmpty else { return nil }
    guard let parsed = Failpoint.parse(text) else {
        let known = Failpoint.allCases.map(\.rawValue).joined(separator: ", ")
        let line = "warning: \(Failpoint.environmentVariable)=\(text) names no failpoint (known: \(known)); ignored\n"
        line.utf8CString.withUnsafeBufferPointer { bytes in _ = write(2, bytes.baseAddress, bytes.count - 1) }
        return nil
    }
    return parsed
}()

private let hits = Atomic<Int>(0)
