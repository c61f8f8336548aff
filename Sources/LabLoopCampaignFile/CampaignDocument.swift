public import LabLoopCore

/// Everything a campaign file says: the campaign itself plus the strategy's free-form settings,
/// which `CampaignSpec` has no field for (the wire `Strategy.settings` map carries them).
public struct CampaignDocument: Sendable, Hashable {
    public var spec: CampaignSpec
    /// `strategy.settings`, each value as written in the file (numbers keep their spelling).
    public var strategySettings: [String: String]

    public init(spec: CampaignSpec, strategySettings: [String: String] = [:]) {
        self.spec = spec
        self.strategySettings = strategySettings
    }
}
