public import LabLoopCore

extension ParameterLimits {
    /// An operation's declared limits. A numeric limit is `low`/`high` (both 0 with categories listed
    /// means a categorical limit only; both 0 without categories means no limit on that parameter).
    public init(wire: [Labloop_V1_ParameterLimit]) {
        var limits: [String: Limit] = [:]
        for limit in wire where !limit.name.isEmpty {
            let numeric = !(limit.low == 0 && limit.high == 0) && limit.low.isFinite && limit.high.isFinite && limit.low <= limit.high
            limits[limit.name] = Limit(low: numeric ? limit.low : nil, high: numeric ? limit.high : nil,
                                       categories: limit.categories, unit: limit.unit)
        }
        self.init(limits)
    }
}
