public import LabLoopCore
import LabLoopProtocol

extension OperationSpec {
    /// An operation whose hard limits are exactly the bounds of `space`.
    public init(name: String, space: ParameterSpace, measurements: [String], repeatable: Bool) {
        let limits = space.parameters.compactMap { definition -> Labloop_V1_ParameterLimit? in
            var limit = Labloop_V1_ParameterLimit()
            limit.name = definition.name
            switch definition.domain {
            case .continuous(let low, let high, let unit, _):
                limit.low = low
                limit.high = high
                limit.unit = unit
            case .integer(let low, let high, _):
                limit.low = Double(low)
                limit.high = Double(high)
            case .categorical(let values):
                limit.categories = values
            case .fixed:
                return nil
            }
            return limit
        }
        self.init(name: name, limits: limits, measurements: measurements, repeatable: repeatable)
    }
}
