extension ParameterSpace {
    /// `point` in the space's parameter order, with continuous values as reals, so equal settings
    /// compare equal however a peer ordered or typed them. Call on valid points.
    public func canonical(_ point: Point) -> Point {
        Point(parameters.compactMap { definition -> (name: String, value: ParameterValue)? in
            guard let value = point[definition.name] else { return nil }
            if case .continuous = definition.domain, let number = value.numeric { return (definition.name, .real(number)) }
            return (definition.name, value)
        })
    }
}
