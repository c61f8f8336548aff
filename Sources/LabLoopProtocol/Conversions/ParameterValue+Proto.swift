public import LabLoopCore

extension ParameterValue {
    public init?(_ wire: Labloop_V1_Value) {
        switch wire.kind {
        case .real(let x)?: self = .real(x)
        case .integer(let x)?: self = .integer(x)
        case .category(let x)?: self = .category(x)
        case nil: return nil
        }
    }

    public var wire: Labloop_V1_Value {
        var value = Labloop_V1_Value()
        switch self {
        case .real(let x): value.real = x
        case .integer(let x): value.integer = x
        case .category(let x): value.category = x
        }
        return value
    }
}

extension Point {
    /// Converts named wire values; fails with the name of the first value that has no kind or repeats.
    public init(wire: [Labloop_V1_NamedValue]) throws(WireError) {
        var point = Point()
        for named in wire {
            guard !named.name.isEmpty else { throw WireError(.invalidValue, "a value has an empty name") }
            guard let value = ParameterValue(named.value) else {
                throw WireError(.invalidValue, "value '\(named.name)' has no kind set")
            }
            guard point[named.name] == nil else { throw WireError(.invalidValue, "value '\(named.name)' appears twice") }
            point[named.name] = value
        }
        self = point
    }

    public var wire: [Labloop_V1_NamedValue] {
        entries.map { entry in
            var named = Labloop_V1_NamedValue()
            named.name = entry.name
            named.value = entry.value.wire
            return named
        }
    }
}

extension Labloop_V1_NamedValue {
    public init(name: String, real: Double) {
        self.init()
        self.name = name
        self.value.real = real
    }
}
