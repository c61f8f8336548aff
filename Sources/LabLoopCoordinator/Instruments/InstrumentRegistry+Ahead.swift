import Foundation
import LabLoopCore
import LabLoopFailpoints
import LabLoopProtocol

/// An assignment ready to leave: what to send and the message id every copy of it carries.
struct ReadyAssignment: Sendable {
    var assignment: Labloop_V1_Assignment
    var messageID: String
}

/// An experiment dispatched ahead: committed as `dispatched` to an instrument whose slots were all busy,
/// and kept here, unsent, until one frees. Then it leaves at once, without waiting for a commit: that
/// is what makes the turn-around short. Whoever takes one back (pause, cancel, a lost or drained
/// instrument, a free slot elsewhere) withdraws it through its campaign (`CampaignActor.withdraw`).
struct HeldAssignment: Sendable {
    /// The instrument it is held for.
    var instrumentID: String
    /// Its place in the queue, kept so a withdrawn experiment goes back where it was.
    var entry: QueuedExperiment
    var campaign: CampaignActor
    /// Nil while its dispatch is being committed.
    var ready: ReadyAssignment?
    /// When its place was taken.
    var since: ContinuousClock.Instant

    var experimentID: String { entry.experimentID }

    /// Withdraws assignments taken back from the registry before they were sent, concurrently, so
    /// their commits share group commits (at shutdown a thousand agents may each hold one).
    static func withdraw(_ taken: [HeldAssignment], reason: String) async {
        await withDiscardingTaskGroup { group in
            for held in taken {
                group.addTask { await held.campaign.withdraw(held.entry, from: held.instrumentID, to: .queued, reason: reason) }
            }
        }
    }
}

/// A held assignment whose slot just freed, now counted on the instrument: send it.
struct Promotion: Sendable {
    var routingID: Data
    var experimentID: String
    var campaign: CampaignActor
    var ready: ReadyAssignment

    /// Sends it, then tells its campaign it has left (from then on it is resent like any other).
    func deliver(through gateway: Gateway) async {
        Failpoint.assignmentSending.hit()
        gateway.send(.assignment(ready.assignment), to: routingID, on: .agent, messageID: ready.messageID)
        await campaign.heldSent(experimentID)
    }
}

extension InstrumentRegistry {
    /// What `hold` found once the dispatch ahead was committed.
    enum HoldOutcome: Sendable {
        /// Still no free slot: it waits, held.
        case held
        /// A slot freed while the dispatch was committed: it is now placed there; send it.
        case send(Data)
        /// Taken back meanwhile (instrument lost, drained, or the place withdrawn): the taker withdraws it.
        case gone
    }

    /// Instruments that are full but may still take work ahead: `freeSlots` counts the places left ahead.
    func aheadInstruments() -> [FreeInstrument] {
        guard aheadLimit > 0 else { return [] }
        return sessions.values.filter { $0.connected && !$0.draining && $0.assigned.count >= $0.capacity && $0.held.count < aheadLimit }
            .map {
                FreeInstrument(instrumentID: $0.instrumentID, kind: $0.hello.kind, operations: $0.operations,
                               freeSlots: aheadLimit - $0.held.count, limits: $0.limits)
            }
    }

    /// Takes a place ahead on a full instrument for `entry`, before its dispatch is committed.
    /// Nil when the instrument is gone, draining, has a free slot after all, or no place is left.
    func stage(instrumentID: String, entry: QueuedExperiment, campaign: CampaignActor) -> Data? {
        guard var session = sessions[instrumentID], session.connected, !session.draining,
              session.assigned.count >= session.capacity, session.held.count < aheadLimit else { return nil }
        session.held.append(HeldAssignment(instrumentID: instrumentID, entry: entry, campaign: campaign, ready: nil,
                                           since: clock.now))
        sessions[instrumentID] = session
        holding.insert(instrumentID)
        return session.routingID
    }

    /// The dispatch ahead of `experimentID` is committed: hold it ready, or place it if a slot freed meanwhile.
    func hold(instrumentID: String, experimentID: String, ready: ReadyAssignment) -> HoldOutcome {
        guard var session = sessions[instrumentID], session.connected,
              let index = session.held.firstIndex(where: { $0.experimentID == experimentID }) else { return .gone }
        if session.assigned.count < session.capacity, !session.draining {
            session.held.remove(at: index)
            session.place(experimentID, at: clock.now)
            sessions[instrumentID] = session
            noteHeld(instrumentID)
            return .send(session.routingID)
        }
        session.held[index].ready = ready
        sessions[instrumentID] = session
        return .held
    }

    /// Takes back one held assignment (not yet sent). Nil when it has already left or was taken.
    func unhold(instrumentID: String, experimentID: String) -> HeldAssignment? {
        guard let index = sessions[instrumentID]?.held.firstIndex(where: { $0.experimentID == experimentID }) else { return nil }
        defer { noteHeld(instrumentID) }
        return sessions[instrumentID]?.held.remove(at: index)
    }

    /// Takes back every assignment held for the instrument.
    func takeHeld(_ instrumentID: String) -> [HeldAssignment] {
        defer {
            sessions[instrumentID]?.held = []
            holding.remove(instrumentID)
        }
        return sessions[instrumentID]?.held ?? []
    }

    /// The first ready held assignment, placed on a free slot of a connected, non-draining instrument.
    func promote(_ instrumentID: String) -> Promotion? {
        let holders = reservationHolders[instrumentID]
        guard var session = sessions[instrumentID], session.connected, !session.draining,
              session.assigned.count < session.capacity,
              let index = session.held.firstIndex(where: { $0.ready != nil && holders?.contains($0.entry.project) ?? true })
        else { return nil }
        let held = session.held.remove(at: index)
        guard let ready = held.ready else { return nil }
        session.place(held.experimentID, at: clock.now)
        sessions[instrumentID] = session
        noteHeld(instrumentID)
        return Promotion(routingID: session.routingID, experimentID: held.experimentID, campaign: held.campaign, ready: ready)
    }

    /// Every held assignment that has a free slot under it (e.g. an agent came back with room): place them.
    func promoteReady() -> [Promotion] {
        var promotions: [Promotion] = []
        for id in holding {
            while let promotion = promote(id) { promotions.append(promotion) }
        }
        return promotions
    }

    /// Instrument → the projects whose reservation holds it now (`[Reservation].holders`).
    var reservationHolders: [String: Set<String>] {
        reservations.isEmpty ? [:] : reservations.holders(at: Date().timeIntervalSince1970)
    }

    /// Takes back held assignments whose project may not start on their instrument now (another
    /// project's reservation began): the caller withdraws them, so they can run elsewhere.
    func takeHeldBlockedByReservations() -> [HeldAssignment] {
        let holders = reservationHolders
        var taken: [HeldAssignment] = []
        for id in holding {
            guard let projects = holders[id], var session = sessions[id] else { continue }
            let blocked = session.held.filter { !projects.contains($0.entry.project) }
            guard !blocked.isEmpty else { continue }
            session.held.removeAll { !projects.contains($0.entry.project) }
            sessions[id] = session
            noteHeld(id)
            taken += blocked
        }
        return taken
    }

    /// Takes back every held assignment (graceful shutdown).
    func takeAllHeld() -> [HeldAssignment] {
        holding.flatMap { takeHeld($0) }
    }

    /// Keeps `holding` (the instruments with held assignments) in step with `id`'s session.
    func noteHeld(_ id: String) {
        if sessions[id]?.held.isEmpty ?? true { holding.remove(id) } else { holding.insert(id) }
    }

    /// Free slots, and the ready assignments held for at least `minimumHold` on busy instruments: when
    /// both exist the queue ran short, and a held experiment had better move. Empty when either is.
    /// (Held assignments normally leave within one experiment's time; moving one costs two commits, so
    /// only those that have waited a while are worth it.)
    func idleSlotsAndHeld(minimumHold: Duration) -> (idle: [FreeInstrument], held: [(instrumentID: String, entry: QueuedExperiment)]) {
        let now = clock.now
        let held = holding.compactMap { sessions[$0] }.filter(\.connected).flatMap { session in
            session.held.filter { $0.ready != nil && now - $0.since >= minimumHold }
                .map { (instrumentID: session.instrumentID, entry: $0.entry) }
        }
        guard !held.isEmpty else { return ([], []) }
        let idle = freeInstruments().filter { $0.freeSlots > 0 }
        return idle.isEmpty ? ([], []) : (idle, held)
    }
}
