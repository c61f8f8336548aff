/// The units a continuous parameter may carry. Case matters (`M` is molar, `m` is not listed).
enum Units {
    /// The list documented in Docs/campaign-format.md, in the order suggestions prefer.
    static let known: [String] = [
        "°C", "K",
        "s", "min", "h", "ms",
        "mol/L", "mmol/L", "M", "mM", "µM", "uM",
        "mL", "µL", "uL", "L", "mL/min", "µL/min", "uL/min",
        "g", "mg", "µg", "ug", "kg",
        "%", "wt%", "ppm",
        "bar", "mbar", "Pa", "kPa", "MPa", "atm", "psi",
        "rpm", "Hz", "kHz",
        "nm", "µm", "um", "mm", "cm",
        "V", "mV", "A", "mA", "W", "mW",
        "equiv", "eq",
    ]

    /// Accepted silently: the same units written with the Greek letter mu (U+03BC) instead of
    /// the micro sign (U+00B5); they look identical.
    private static let greekMu: Set<String> = ["μM", "μL", "μL/min", "μg", "μm"]

    /// Common spellings that are not units here, and the unit meant.
    private static let aliases: [String: String] = [
        "degC": "°C", "deg C": "°C", "deg": "°C", "C": "°C", "oC": "°C", "ºC": "°C", "° C": "°C",
        "celsius": "°C", "Celsius": "°C", "kelvin": "K", "Kelvin": "K",
        "sec": "s", "secs": "s", "second": "s", "seconds": "s",
        "mins": "min", "minute": "min", "minutes": "min",
        "hr": "h", "hrs": "h", "hour": "h", "hours": "h", "msec": "ms",
        "percent": "%", "pct": "%", "wt.%": "wt%", "wt %": "wt%", "%wt": "wt%",
        "equiv.": "equiv", "eq.": "eq", "equivalents": "equiv",
    ]

    static func isKnown(_ unit: String) -> Bool {
        unit.isEmpty || known.contains(unit) || greekMu.contains(unit)
    }

    /// The unit `unit` was probably meant to be, if any.
    static func suggestion(for unit: String) -> String? {
        let trimmed = String(unit.unicodeScalars.filter { $0 != " " }.map(Character.init))
        if let alias = aliases[unit] ?? aliases[trimmed] { return alias }
        if trimmed != unit, isKnown(trimmed) { return trimmed }
        if let sameLetters = known.first(where: { $0.lowercased() == unit.lowercased() }) { return sameLetters }
        let length = unit.unicodeScalars.count
        guard length > 2 else { return nil }
        let limit = length <= 4 ? 1 : 2
        var best: (unit: String, distance: Int)?
        for candidate in known {
            let distance = Suggestions.editDistance(unit, candidate)
            if distance <= limit, distance < (best?.distance ?? .max) { best = (candidate, distance) }
        }
        return best?.unit
    }
}
