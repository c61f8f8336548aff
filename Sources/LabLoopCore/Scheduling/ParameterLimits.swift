import Foundation

/// Hard limits on parameter values: what an instrument (or the lab, per instrument kind) allows.
/// Parameters not listed are not limited. The safety envelope is checked against these before an
/// experiment is queued and again before it is dispatched.
public struct ParameterLimits: Sendable, Hashable {
    public struct Limit: Sendable, Hashable {
        public var low: Double?
        public var high: Double?
        /// Allowed categories; empty = any.
        public var categories: [String]
        public var unit: String

        public init(low: Double? = nil, high: Double? = nil, categories: [String] = [], unit: String = "") {
            self.low = low
            self.high = high
            self.categories = categories
            self.unit = unit
        }

        var range: String {
            let suffix = unit.isEmpty ? "" : " \(unit)"
            switch (low, high) {
            case let (low?, high?): return "\(formatReal(low))–\(formatReal(high))\(suffix)"
            case let (low?, nil): return "≥ \(formatReal(low))\(suffix)"
            case let (nil, high?): return "≤ \(formatReal(high))\(suffix)"
            case (nil, nil): return categories.isEmpty ? "anything" : categories.joined(separator: ", ")
            }
        }
    }

    public var limits: [String: Limit]

    public init(_ limits: [String: Limit] = [:]) {
        self.limits = limits
    }

    /// Why `point` is outside these limits, one line per parameter; empty when it is inside.
    public func violations(of point: Point) -> [String] {
        limits.keys.sorted().compactMap { name in
            guard let limit = limits[name], let value = point[name] else { return nil }
            if let x = value.numeric {
                if let low = limit.low, x < low { return "\(name) = \(formatReal(x)) is below \(limit.range)" }
                if let high = limit.high, x > high { return "\(name) = \(formatReal(x)) is above \(limit.range)" }
                if !x.isFinite { return "\(name) is not a finite number" }
            } else if case .category(let c) = value, !limit.categories.isEmpty, !limit.categories.contains(c) {
                return "\(name) = \(c) is not one of \(limit.categories.joined(separator: ", "))"
            }
            return nil
        }
    }

    /// The tighter of two sets of limits, parameter by parameter (lab-wide limits override an instrument's).
    public func intersected(with other: ParameterLimits) -> ParameterLimits {
        var merged = limits
        for (name, limit) in other.limits {
            guard var mine = merged[name] else {
                merged[name] = limit
                continue
            }
            mine.low = [mine.low, limit.low].compactMap { $0 }.max()
            mine.high = [mine.high, limit.high].compactMap { $0 }.min()
            if !limit.categories.isEmpty {
                mine.categories = mine.categories.isEmpty ? limit.categories : mine.categories.filter(limit.categories.contains)
            }
            if mine.unit.isEmpty { mine.unit = limit.unit }
            merged[name] = mine
        }
        return ParameterLimits(merged)
    }

    /// "temperature 30–90 °C" style summary of one parameter's limit.
    public func describe(_ name: String) -> String? { limits[name].map { "\(name) \($0.range)" } }
}

extension ParameterLimits.Limit {
    /// Parses `LOW..HIGH` (either side may be empty) or a comma-separated category list.
    public init?(parsing text: String, unit: String = "") {
        if let range = text.range(of: "..") {
            let low = String(text[..<range.lowerBound]).trimmingCharacters(in: .whitespaces)
            let high = String(text[range.upperBound...]).trimmingCharacters(in: .whitespaces)
            let lowValue = low.isEmpty ? nil : Double(low), highValue = high.isEmpty ? nil : Double(high)
            guard low.isEmpty || lowValue != nil, high.isEmpty || highValue != nil, lowValue != nil || highValue != nil
            else { return nil }
            if let lowValue, let highValue, lowValue > highValue { return nil }
            self.init(low: lowValue, high: highValue, unit: unit)
        } else {
            let categories = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !categories.isEmpty else { return nil }
            self.init(categories: categories, unit: unit)
        }
    }
}

extension ParameterLimits {
    /// Why no point of `space` can satisfy these limits (a parameter's whole range or every category
    /// outside them), or nil when some point might.
    public func excludes(_ space: ParameterSpace) -> String? {
        for definition in space.parameters {
            guard let limit = limits[definition.name] else { continue }
            switch definition.domain {
            case .continuous(let low, let high, _, _):
                if let top = limit.high, low > top { return "\(definition.name) from \(formatReal(low)) is above \(limit.range)" }
                if let bottom = limit.low, high < bottom { return "\(definition.name) up to \(formatReal(high)) is below \(limit.range)" }
            case .integer(let low, let high, _):
                if let top = limit.high, Double(low) > top { return "\(definition.name) from \(low) is above \(limit.range)" }
                if let bottom = limit.low, Double(high) < bottom { return "\(definition.name) up to \(high) is below \(limit.range)" }
            case .categorical(let values):
                if !limit.categories.isEmpty, !values.contains(where: limit.categories.contains) {
                    return "no \(definition.name) value is among \(limit.categories.joined(separator: ", "))"
                }
            case .fixed(let value):
                let point = Point([(definition.name, value)])
                if let problem = violations(of: point).first { return problem }
            }
        }
        return nil
    }
}

extension ParameterLimits {
    /// The loosest limits covering all of `instruments` (what at least one of them accepts), per parameter:
    /// a parameter limited by only some of them is not limited.
    public static func union(_ instruments: [ParameterLimits]) -> ParameterLimits {
        guard let first = instruments.first else { return ParameterLimits() }
        var merged: [String: Limit] = [:]
        for name in first.limits.keys where instruments.allSatisfy({ $0.limits[name] != nil }) {
            let all = instruments.compactMap { $0.limits[name] }
            merged[name] = Limit(
                low: all.contains { $0.low == nil } ? nil : all.compactMap(\.low).min(),
                high: all.contains { $0.high == nil } ? nil : all.compactMap(\.high).max(),
                categories: all.contains { $0.categories.isEmpty } ? [] : Array(Set(all.flatMap(\.categories))).sorted(),
                unit: all[0].unit)
        }
        return ParameterLimits(merged)
    }
}

extension ParameterSpace {
    /// The space with each parameter's range (or categories) narrowed to `limits`, where that leaves
    /// something; a parameter the limits would empty is left as it is (the coordinator rejects its points).
    public func narrowed(to limits: ParameterLimits) -> ParameterSpace {
        var copy = self
        copy.parameters = parameters.map { definition in
            guard let limit = limits.limits[definition.name] else { return definition }
            var narrowed = definition
            switch definition.domain {
            case .continuous(let low, let high, let unit, let scale):
                let newLow = max(low, limit.low ?? low), newHigh = min(high, limit.high ?? high)
                if newLow < newHigh { narrowed.domain = .continuous(low: newLow, high: newHigh, unit: unit, scale: scale) }
            case .integer(let low, let high, let step):
                // Stay on the original step grid.
                var newLow = low
                if let bottom = limit.low, Double(newLow) < bottom {
                    newLow = low + Int64((bottom - Double(low)) / Double(step)).advanced(by: 0) * step
                    if Double(newLow) < bottom { newLow += step }
                }
                let newHigh = min(high, limit.high.map { Int64($0.rounded(.down)) } ?? high)
                if newLow < newHigh { narrowed.domain = .integer(low: newLow, high: newHigh, step: step) }
            case .categorical(let values):
                let kept = limit.categories.isEmpty ? values : values.filter(limit.categories.contains)
                if !kept.isEmpty { narrowed.domain = .categorical(kept) }
            case .fixed:
                break
            }
            return narrowed
        }
        return copy
    }
}
