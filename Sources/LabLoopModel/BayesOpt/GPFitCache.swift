import Synchronization

/// What `GPStrategy` remembers about the last model it built for a campaign.
public struct GPFitSummary: Sendable, Hashable {
    /// Successful observations the model was conditioned on.
    public var observationCount: Int
    /// How many of them the hyperparameters were fitted on.
    public var fitPointCount: Int
    /// The fitted hyperparameters (for standardised outputs).
    public var hyperparameters: GPHyperparameters
    /// The strategy name and observation count, e.g. "gp-ei/n37", to record with proposals.
    public var modelVersion: String
}

/// The last fit per campaign, so the next fit can start from it (a warm start usually converges
/// in a few iterations, and keeps the model from jumping between likelihood modes).
///
/// Holds at most `capacity` campaigns, forgetting the least recently stored.
final class GPFitCache: Sendable {
    static let capacity = 64

    private struct State {
        var summaries: [String: GPFitSummary] = [:]
        var order: [String] = []
    }

    private let state = Mutex(State())

    func summary(for campaignID: String) -> GPFitSummary? {
        state.withLock { $0.summaries[campaignID] }
    }

    func store(_ summary: GPFitSummary, for campaignID: String) {
        state.withLock { state in
            if state.summaries.updateValue(summary, forKey: campaignID) != nil {
                state.order.removeAll { $0 == campaignID }
            }
            state.order.append(campaignID)
            while state.order.count > Self.capacity {
                state.summaries[state.order.removeFirst()] = nil
            }
        }
    }
}
