import LabLoopCore
@testable import LabLoopModel
import Logging
import Synchronization

/// Builders for strategy inputs. `ProposalContext` and `Observation` have internal memberwise
/// initialisers, hence the testable import here and only here.
enum Fixtures {
    static func spec(space: ParameterSpace, direction: Direction = .minimize, initialDesign: Int = 0,
                     seed: UInt64 = 1, strategy: String = "gp-ei") -> CampaignSpec {
        var spec = CampaignSpec(name: "test", space: space,
                                objective: Objective(measurement: "value", direction: direction),
                                operation: "evaluate", maxExperiments: 1000, maxParallel: 4, strategy: strategy)
        spec.initialDesign = initialDesign
        spec.seed = seed
        return spec
    }

    static func observations(_ points: [Point], values: [Double?]) -> [Observation] {
        zip(points, values).enumerated().map { index, pair in
            Observation(experimentID: "e\(index)", point: pair.0, objective: pair.1,
                        measurements: pair.1.map { ["value": $0] } ?? [:])
        }
    }

    static func context(spec: CampaignSpec, observations: [Observation], count: Int, pending: [Point] = [],
                        proposedSoFar: Int? = nil, campaignID: String = "c1") -> ProposalContext {
        ProposalContext(campaignID: campaignID, spec: spec, count: count, pending: pending,
                        proposedSoFar: proposedSoFar ?? observations.count + pending.count, observations: observations)
    }
}

/// A log handler that keeps every message, to check what a strategy warned about.
struct RecordingLogHandler: LogHandler {
    struct Entry: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
    }

    final class Store: Sendable {
        let entries = Mutex<[Entry]>([])
        var warnings: [Entry] { entries.withLock { $0.filter { $0.level == .warning } } }
    }

    let store: Store
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    init(store: Store) {
        self.store = store
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        store.entries.withLock { $0.append(Entry(level: event.level, message: event.message.description, metadata: merged)) }
    }

    static func logger() -> (Logger, Store) {
        let store = Store()
        return (Logger(label: "test") { _ in RecordingLogHandler(store: store) }, store)
    }
}
