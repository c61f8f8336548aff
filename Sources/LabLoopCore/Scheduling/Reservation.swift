/// A window during which an instrument takes only one project's work.
///
/// Reservations are strict: from `start` (inclusive) to `end` (exclusive) the instrument starts only
/// `project`'s experiments, and it idles when that project has nothing it can run. Strict is the
/// only kind that protects anything, because the scheduler never preempts: had the instrument taken
/// another project's long experiment a minute before the owner's work arrived, the owner would wait
/// for it to end. For the same reason a reservation does not clear work that is already running
/// when the window opens; reserve from a little earlier when that matters.
///
/// Work run under a reservation is charged to the project like any other: a reservation grants
/// access, not free time. Two reservations of one instrument that overlap let either project in.
public struct Reservation: Sendable, Hashable {
    public var instrumentID: String
    public var project: String
    /// Seconds, on the same clock as the scheduler's `now`.
    public var start: Double
    public var end: Double

    public init(instrumentID: String, project: String, start: Double, end: Double) {
        self.instrumentID = instrumentID
        self.project = project
        self.start = start
        self.end = end
    }

    public func isActive(at now: Double) -> Bool {
        start <= now && now < end
    }
}

extension [Reservation] {
    /// Instrument ID → the projects holding a reservation on it at `now`. Unreserved instruments are absent.
    public func holders(at now: Double) -> [String: Set<String>] {
        var holders: [String: Set<String>] = [:]
        for reservation in self where reservation.isActive(at: now) {
            holders[reservation.instrumentID, default: []].insert(reservation.project)
        }
        return holders
    }
}
