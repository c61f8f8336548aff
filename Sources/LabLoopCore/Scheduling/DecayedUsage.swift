import Foundation

/// Instrument time with exponential decay, kept exactly in closed form.
///
/// With `n` experiments running since `stamp`, the decayed integral moves from `u` to
/// `u·e^(-λΔ) + n·(1 - e^(-λΔ))/λ` after Δ seconds, where `λ = ln 2 / halfLife`; with λ = 0 (an infinite
/// half-life) it is plainly `u + n·Δ`. Nothing is sampled, so the result does not depend on how often
/// it is read.
struct DecayedUsage: Sendable, Hashable {
    /// Decayed instrument-seconds at `stamp`.
    private(set) var seconds: Double = 0
    private(set) var stamp: Double
    private(set) var running = 0

    init(at now: Double) {
        stamp = now
    }

    /// Per-second decay rate for a half-life: `ln 2 / halfLife`, zero for an infinite half-life.
    static func decayRate(halfLife: Double) -> Double {
        halfLife.isInfinite ? 0 : log(2) / halfLife
    }

    /// The decayed usage at `now`; a time before `stamp` reads as `stamp`.
    func seconds(at now: Double, decayRate: Double) -> Double {
        let elapsed = now - stamp
        guard elapsed > 0 else { return seconds }
        guard decayRate > 0 else { return seconds + Double(running) * elapsed }
        let factor = exp(-decayRate * elapsed)
        return seconds * factor + Double(running) * (1 - factor) / decayRate
    }

    mutating func advance(to now: Double, decayRate: Double) {
        seconds = seconds(at: now, decayRate: decayRate)
        stamp = max(stamp, now)
    }

    mutating func start(at now: Double, decayRate: Double) {
        advance(to: now, decayRate: decayRate)
        running += 1
    }

    mutating func stop(at now: Double, decayRate: Double) {
        advance(to: now, decayRate: decayRate)
        running = max(running - 1, 0)
    }

    /// Lifts the usage at `now` to at least `floor` (never lowers it).
    mutating func raise(to floor: Double, at now: Double, decayRate: Double) {
        advance(to: now, decayRate: decayRate)
        seconds = max(seconds, floor)
    }
}
