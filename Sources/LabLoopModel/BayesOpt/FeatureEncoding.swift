public import LabLoopCore
import Foundation

/// Maps points of a parameter space to feature vectors in [0, 1]^D and back.
///
/// Continuous parameters take one feature scaled to the unit interval (in the logarithm for
/// log-scaled ones); integer parameters one feature spread evenly over their step grid;
/// categorical parameters one feature per value (one-hot); fixed parameters none. Decoding
/// rounds to the step grid and picks the categorical value with the largest feature, so any
/// vector decodes to a point that satisfies every domain (constraints are not considered).
public struct FeatureEncoding: Sendable, Hashable {
    /// How one varying parameter is encoded, starting at feature `offset`.
    struct Slot: Sendable, Hashable {
        enum Kind: Sendable, Hashable {
            case continuous(low: Double, high: Double, logScale: Bool)
            /// Values low + step·i for i in 0...lastIndex; feature i/lastIndex.
            case integer(low: Int64, step: UInt64, lastIndex: UInt64)
            case categorical([String])
        }

        var name: String
        var offset: Int
        var kind: Kind
    }

    /// The space encoded.
    public let space: ParameterSpace
    /// The length of every feature vector.
    public let featureCount: Int
    let slots: [Slot]
    /// Features of continuous and integer parameters, which local search moves continuously.
    let numericFeatures: [Int]

    /// The encoding of `space`'s varying parameters, in declared order.
    public init(space: ParameterSpace) {
        self.space = space
        var slots: [Slot] = []
        var numeric: [Int] = []
        var offset = 0
        for definition in space.varying {
            switch definition.domain {
            case .continuous(let low, let high, _, let scale):
                slots.append(Slot(name: definition.name, offset: offset,
                                  kind: .continuous(low: low, high: high, logScale: scale == .log && low > 0)))
                numeric.append(offset)
                offset += 1
            case .integer(let low, let high, let step):
                // Like the space's own validation, a step below 1 counts as 1.
                let step = UInt64(max(step, 1))
                let lastIndex = high > low ? UInt64(bitPattern: high &- low) / step : 0
                slots.append(Slot(name: definition.name, offset: offset,
                                  kind: .integer(low: low, step: step, lastIndex: lastIndex)))
                numeric.append(offset)
                offset += 1
            case .categorical(let values):
                slots.append(Slot(name: definition.name, offset: offset, kind: .categorical(values)))
                offset += max(values.count, 1)
            case .fixed:
                continue
            }
        }
        self.slots = slots
        numericFeatures = numeric
        featureCount = offset
    }

    /// The features of `point`, or nil when a varying parameter is missing, of the wrong kind,
    /// not finite or an unknown category. Values outside a range are clamped to it.
    public func encode(_ point: Point) -> [Double]? {
        var features = [Double](repeating: 0, count: featureCount)
        for slot in slots {
            guard let value = point[slot.name] else { return nil }
            switch slot.kind {
            case .continuous(let low, let high, let logScale):
                guard let x = value.numeric, x.isFinite else { return nil }
                let u: Double
                if high <= low {
                    u = 0
                } else if logScale {
                    u = (log(max(x, low)) - log(low)) / (log(high) - log(low))
                } else {
                    u = (x - low) / (high - low)
                }
                features[slot.offset] = min(max(u, 0), 1)
            case .integer(let low, let step, let lastIndex):
                guard case .integer(let x) = value else { return nil }
                guard lastIndex > 0 else { continue }
                // Unsigned differences are exact for any Int64 range; round to the nearest grid index.
                let difference = x <= low ? 0 : UInt64(bitPattern: x &- low)
                let nearest = difference / step + (difference % step > (step - 1) / 2 ? 1 : 0)
                let index = min(nearest, lastIndex)
                features[slot.offset] = Double(index) / Double(lastIndex)
            case .categorical(let values):
                guard case .category(let name) = value, let index = values.firstIndex(of: name) else { return nil }
                features[slot.offset + index] = 1
            }
        }
        return features
    }

    /// The point that `features` stand for, in the space's parameter order with fixed values.
    public func decode(_ features: [Double]) -> Point {
        precondition(features.count == featureCount, "a feature vector for this space has \(featureCount) entries")
        var values: [String: ParameterValue] = [:]
        for slot in slots {
            values[slot.name] = Self.value(of: slot, in: features)
        }
        return Point(space.parameters.map { definition in
            if case .fixed(let value) = definition.domain { return (definition.name, value) }
            return (definition.name, values[definition.name] ?? .real(0))
        })
    }

    private static func value(of slot: Slot, in features: [Double]) -> ParameterValue {
        let raw = features[slot.offset]
        let u = raw.isNaN ? 0 : min(max(raw, 0), 1)
        switch slot.kind {
        case .continuous(let low, let high, let logScale):
            // The ends map exactly to the bounds, which rounding in exp/log could miss.
            if u == 0 || high <= low { return .real(low) }
            if u == 1 { return .real(high) }
            let x = logScale ? exp(log(low) + u * (log(high) - log(low))) : low + u * (high - low)
            return .real(min(max(x, low), high))
        case .integer(let low, let step, let lastIndex):
            let scaled = (u * Double(lastIndex)).rounded()
            // Double(lastIndex) may round up past it; compare before converting to avoid a trap.
            let index = scaled >= Double(lastIndex) ? lastIndex : min(UInt64(scaled), lastIndex)
            return .integer(low &+ Int64(bitPattern: index &* step))
        case .categorical(let values):
            guard !values.isEmpty else { return .category("") }
            var best = 0
            for index in values.indices where features[slot.offset + index] > features[slot.offset + best] {
                best = index
            }
            return .category(values[best])
        }
    }
}
