import Foundation
import LabLoopCore
import LabLoopProtocol

/// One connected (or recently connected) instrument agent.
struct InstrumentSession: Sendable {
    /// What the agent declared; its operations' names and effective limits are derived once, here.
    var hello: Labloop_V1_AgentHello {
        didSet { derive() }
    }
    /// The names of the operations it offers.
    private(set) var operations: Set<String> = []
    /// What it may run, per operation: its declared limits narrowed by the lab's for its kind.
    private(set) var limits: [String: ParameterLimits] = [:]
    private var labLimits: ParameterLimits
    var routingID: Data
    var connected = true
    /// Experiments the coordinator has placed on this instrument and not yet seen finish.
    var assigned: Set<String> = []
    /// Experiments dispatched ahead: committed to this instrument while all its slots were busy, and
    /// sent the moment one frees (see `InstrumentRegistry+Ahead.swift`). Not counted in `assigned`.
    var held: [HeldAssignment] = []
    var lastSeen: ContinuousClock.Instant
    var lastSeenUnixMs: Int64
    var draining = false
    /// Failed results in a row (reset by a success or by an operator's `drain --undo`).
    var consecutiveFailures = 0
    /// Why the instrument was quarantined (it is draining until an operator clears it), or nil.
    var quarantine: String?
    /// Slot-seconds busy so far, and when `assigned` last changed: for utilisation.
    var busySlotSeconds = 0.0
    var lastChange: ContinuousClock.Instant

    var instrumentID: String { hello.instrumentID }
    var capacity: Int { Int(hello.capacity) }

    init(hello: Labloop_V1_AgentHello, labLimits: ParameterLimits, routingID: Data, connected: Bool = true,
         lastSeen: ContinuousClock.Instant, lastSeenUnixMs: Int64, lastChange: ContinuousClock.Instant) {
        self.hello = hello
        self.labLimits = labLimits
        self.routingID = routingID
        self.connected = connected
        self.lastSeen = lastSeen
        self.lastSeenUnixMs = lastSeenUnixMs
        self.lastChange = lastChange
        derive()
    }

    private mutating func derive() {
        operations = Set(hello.operations.map(\.name))
        limits = Dictionary(hello.operations.map { ($0.name, ParameterLimits(wire: $0.limits).intersected(with: labLimits)) },
                            uniquingKeysWith: { first, _ in first })
    }

    /// Counts `experimentID` on the instrument (its busy time accrued first, so utilisation stays right).
    mutating func place(_ experimentID: String, at now: ContinuousClock.Instant) {
        accumulate(now: now)
        assigned.insert(experimentID)
    }

    mutating func accumulate(now: ContinuousClock.Instant) {
        busySlotSeconds += Double(assigned.count) * InstrumentRegistry.seconds(now - lastChange)
        lastChange = now
    }
}

/// Owns the instrument sessions: who is connected, what each can do, and its free capacity.
actor InstrumentRegistry {
    var sessions: [String: InstrumentSession] = [:]
    private var byRouting: [Data: String] = [:]
    /// How many experiments may be dispatched ahead to each instrument (`CoordinatorConfig.dispatchAhead`).
    let aheadLimit: Int
    /// The instruments with assignments held ahead (`InstrumentSession.held` not empty), so the
    /// dispatcher's passes look at those only.
    var holding: Set<String> = []
    /// Lab-wide limits per instrument kind, from the coordinator's configuration; they override
    /// (narrow) what every instrument of that kind declares.
    let labLimits: [String: ParameterLimits]
    let clock = ContinuousClock()
    private let started = ContinuousClock.now
    /// `capable` answers per "kind/operation", cleared whenever an agent's declaration may change
    /// (a hello, or one remembered from the store): campaigns ask once per result.
    private var capableCache: [CapableKey: Capable] = [:]
    /// The connected sessions, for the heartbeats the gateway's thread answers itself.
    private let table: SessionTable

    private struct CapableKey: Hashable {
        let kind: String
        let operation: String
    }

    /// The instruments offering one operation, with their limits, and the union of those limits.
    struct Capable: Sendable {
        let instruments: [(instrumentID: String, limits: ParameterLimits)]
        /// What at least one of them accepts (`ParameterLimits.union`).
        let envelope: ParameterLimits
    }

    /// Reservations on the unix clock (seconds): a held assignment starts only where its project may.
    let reservations: [Reservation]

    init(labLimits: [String: ParameterLimits] = [:], sessions: SessionTable, aheadLimit: Int = 0,
         reservations: [Reservation] = []) {
        self.labLimits = labLimits
        table = sessions
        self.aheadLimit = aheadLimit
        self.reservations = reservations
    }

    /// Every known instrument (connected or not) that offers `operation` on an instrument of `kind`
    /// (any kind when empty), with its effective limits for it.
    func capable(kind: String, operation: String) -> [(instrumentID: String, limits: ParameterLimits)] {
        capableSet(kind: kind, operation: operation).instruments
    }

    /// `capable(kind:operation:)` with the union of their limits, computed once per change of the instruments.
    func capableSet(kind: String, operation: String) -> Capable {
        let key = CapableKey(kind: kind, operation: operation)
        if let cached = capableCache[key] { return cached }
        let instruments = sessions.values.filter { (kind.isEmpty || $0.hello.kind == kind) && $0.operations.contains(operation) }
            .sorted { $0.instrumentID < $1.instrumentID }
            .map { (instrumentID: $0.instrumentID, limits: $0.limits[operation] ?? ParameterLimits()) }
        let answer = Capable(instruments: instruments, envelope: ParameterLimits.union(instruments.map(\.limits)))
        capableCache[key] = answer
        return answer
    }

    /// Registers (or re-registers after a reconnect) an agent. Returns the experiments the
    /// coordinator believed were on this instrument before this hello.
    func register(hello: Labloop_V1_AgentHello, routingID: Data) -> Set<String> {
        let previous = sessions[hello.instrumentID]
        if let old = previous?.routingID, old != routingID {
            byRouting[old] = nil
            table.remove(routingID: old, on: .agent)
        }
        var session = InstrumentSession(hello: hello, labLimits: labLimits[hello.kind] ?? ParameterLimits(),
                                        routingID: routingID, lastSeen: clock.now, lastSeenUnixMs: Self.nowUnixMs(),
                                        lastChange: clock.now)
        session.assigned = previous?.assigned ?? []
        session.held = previous?.held ?? []
        session.draining = previous?.draining ?? false
        session.consecutiveFailures = previous?.consecutiveFailures ?? 0
        session.quarantine = previous?.quarantine
        session.busySlotSeconds = previous?.busySlotSeconds ?? 0
        sessions[hello.instrumentID] = session
        byRouting[routingID] = hello.instrumentID
        table.register(hello.instrumentID, routingID: routingID, on: .agent)
        capableCache = [:]
        return session.assigned
    }

    /// Records life from a peer; returns its instrument id, or nil if it never said hello.
    func touch(routingID: Data) -> String? {
        guard let id = byRouting[routingID], var session = sessions[id], session.connected else { return nil }
        session.lastSeen = clock.now
        session.lastSeenUnixMs = Self.nowUnixMs()
        sessions[id] = session
        return id
    }

    func routingID(of instrumentID: String) -> Data? {
        guard let session = sessions[instrumentID], session.connected else { return nil }
        return session.routingID
    }

    /// The routing ids of every connected agent.
    func connectedRoutingIDs() -> [Data] { sessions.values.filter(\.connected).map(\.routingID) }

    func isRepeatable(instrumentID: String, operation: String) -> Bool {
        sessions[instrumentID]?.hello.operations.first { $0.name == operation }?.repeatable ?? false
    }

    func freeInstruments() -> [FreeInstrument] {
        sessions.values.filter { $0.connected && !$0.draining }.map {
            FreeInstrument(instrumentID: $0.instrumentID, kind: $0.hello.kind, operations: $0.operations,
                           freeSlots: max(0, $0.capacity - $0.assigned.count), limits: $0.limits)
        }
    }

    /// Every connected, non-draining instrument with all its slots, as if idle: what could ever run work.
    func registeredInstruments() -> [FreeInstrument] {
        sessions.values.filter { $0.connected && !$0.draining }.map {
            FreeInstrument(instrumentID: $0.instrumentID, kind: $0.hello.kind, operations: $0.operations,
                           freeSlots: $0.capacity, limits: $0.limits)
        }
    }

    /// Takes one slot of `instrumentID` for `experimentID`; nil if it is gone or full.
    func reserve(instrumentID: String, experimentID: String) -> Data? {
        guard var session = sessions[instrumentID], session.connected, !session.draining,
              session.assigned.count < session.capacity else { return nil }
        session.place(experimentID, at: clock.now)
        sessions[instrumentID] = session
        return session.routingID
    }

    /// Marks an experiment as on an instrument without checking capacity (recovery).
    func attach(instrumentID: String, experimentID: String) {
        sessions[instrumentID]?.place(experimentID, at: clock.now)
    }

    /// The experiment left the instrument. Returns the assignment held ahead for the freed slot, if
    /// one is ready: the caller must send it (`Promotion.deliver`).
    func release(instrumentID: String, experimentID: String) -> Promotion? {
        sessions[instrumentID]?.accumulate(now: clock.now)
        sessions[instrumentID]?.assigned.remove(experimentID)
        return promote(instrumentID)
    }

    /// Stops (or, with `undo`, resumes) giving the instrument new work.
    /// `undo` also clears a quarantine.
    /// Returns the assignments held ahead for it, taken back: the caller withdraws them.
    func drain(_ instrumentID: String, undo: Bool) throws(WireError) -> [HeldAssignment] {
        guard sessions[instrumentID] != nil else { throw WireError(.unknownID, "unknown instrument \(instrumentID)") }
        sessions[instrumentID]?.draining = !undo
        if undo {
            sessions[instrumentID]?.quarantine = nil
            sessions[instrumentID]?.consecutiveFailures = 0
            return []
        }
        return takeHeld(instrumentID)
    }

    /// Counts a result from `instrumentID`. After `limit` failures in a row (0: never) the instrument is
    /// quarantined: it drains until an operator clears it. Returns the reason when this result did it.
    func noteResult(instrumentID: String, failed: Bool, limit: Int) -> String? {
        guard var session = sessions[instrumentID] else { return nil }
        session.consecutiveFailures = failed ? session.consecutiveFailures + 1 : 0
        var reason: String?
        if limit > 0, session.consecutiveFailures >= limit, session.quarantine == nil {
            reason = "\(session.consecutiveFailures) failed experiments in a row"
            session.quarantine = reason
            session.draining = true
        }
        sessions[instrumentID] = session
        return reason
    }

    /// After a restart: quarantines recorded in the store hold until an operator clears them.
    func restoreQuarantine(_ instrumentID: String, reason: String) {
        sessions[instrumentID]?.quarantine = reason
        sessions[instrumentID]?.draining = true
    }

    /// What a departed agent leaves behind: the experiments sent to it (they may have run), and those
    /// held ahead for it (never sent: the caller withdraws them).
    struct Departure: Sendable {
        var instrumentID: String
        var assigned: Set<String>
        var held: [HeldAssignment]
    }

    /// Agents silent longer than `timeout`: marked disconnected and returned with what they held.
    func sweep(timeout: Duration) -> [Departure] {
        takeSightings()
        let now = clock.now
        // Filtered first: looping over the sessions themselves would copy each one, every second.
        let silent = sessions.filter { $0.value.connected && now - $0.value.lastSeen > timeout }
        return silent.keys.map { disconnect($0) }
    }

    /// The agent said goodbye or vanished: it holds nothing any more. Returns what it held.
    func disconnect(_ instrumentID: String) -> Departure {
        guard var session = sessions[instrumentID] else { return Departure(instrumentID: instrumentID, assigned: [], held: []) }
        let departure = Departure(instrumentID: instrumentID, assigned: session.assigned, held: session.held)
        session.accumulate(now: clock.now)
        session.connected = false
        session.assigned = []
        session.held = []
        holding.remove(instrumentID)
        byRouting[session.routingID] = nil
        table.remove(routingID: session.routingID, on: .agent)
        sessions[instrumentID] = session
        return departure
    }

    /// After a restart: instruments known from the store, disconnected until they say hello,
    /// so their declared capabilities (e.g. which operations are repeatable) are known.
    func remember(hello: Labloop_V1_AgentHello) {
        guard sessions[hello.instrumentID] == nil else { return }
        sessions[hello.instrumentID] = InstrumentSession(
            hello: hello, labLimits: labLimits[hello.kind] ?? ParameterLimits(), routingID: Data(), connected: false,
            lastSeen: clock.now, lastSeenUnixMs: 0, lastChange: clock.now)
        capableCache = [:]
    }

    func summaries() -> [Labloop_V1_InstrumentSummary] {
        takeSightings()
        return sessions.values.sorted { $0.instrumentID < $1.instrumentID }.map { session in
            var summary = Labloop_V1_InstrumentSummary()
            summary.instrumentID = session.instrumentID
            summary.kind = session.hello.kind
            summary.connected = session.connected
            summary.capacity = session.hello.capacity
            summary.running = UInt32(session.assigned.count)
            summary.operations = session.hello.operations.map(\.name)
            summary.lastSeenUnixMs = session.lastSeenUnixMs
            summary.currentExperiments = session.assigned.sorted()
            summary.draining = session.draining
            var current = session
            current.accumulate(now: clock.now)
            let available = Double(max(1, session.capacity)) * Self.seconds(clock.now - started)
            summary.utilisation = available > 0 ? min(1, current.busySlotSeconds / available) : 0
            return summary
        }
    }

    /// Heartbeats the gateway's thread answered count as signs of life like any other message.
    private func takeSightings() {
        for (routingID, seen) in table.takeSightings(on: .agent) {
            guard let id = byRouting[routingID], let index = sessions.index(forKey: id),
                  sessions.values[index].connected, seen.instant > sessions.values[index].lastSeen else { continue }
            // In place: a session is large, and a thousand idle agents are sighted every second.
            sessions.values[index].lastSeen = seen.instant
            sessions.values[index].lastSeenUnixMs = seen.unixMs
        }
    }

    private static func nowUnixMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
