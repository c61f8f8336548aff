import Foundation

/// One setting of one parameter, or one measured value.
public enum ParameterValue: Sendable, Hashable, CustomStringConvertible {
    case real(Double)
    case integer(Int64)
    case category(String)

    /// The value as a number, for continuous and integer values.
    public var numeric: Double? {
        switch self {
        case .real(let value): value
        case .integer(let value): Double(value)
        case .category: nil
        }
    }

    public var description: String {
        switch self {
        case .real(let value): formatReal(value)
        case .integer(let value): String(value)
        case .category(let value): value
        }
    }
}

/// Formats a real compactly: up to 6 significant digits, no trailing zeros.
public func formatReal(_ value: Double) -> String {
    guard value.isFinite else { return String(value) }
    if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    var text = String(format: "%.6g", value)
    if text.contains("e") { return text }
    while text.contains("."), text.hasSuffix("0") { text.removeLast() }
    if text.hasSuffix(".") { text.removeLast() }
    return text
}

/// A point in a parameter space: values by parameter name, in the space's order.
public struct Point: Sendable, Hashable, Sequence {
    public private(set) var entries: [(name: String, value: ParameterValue)]

    public init(_ entries: [(name: String, value: ParameterValue)] = []) {
        self.entries = entries
    }

    public subscript(name: String) -> ParameterValue? {
        get { entries.first { $0.name == name }?.value }
        set {
            if let index = entries.firstIndex(where: { $0.name == name }) {
                if let newValue { entries[index].value = newValue } else { entries.remove(at: index) }
            } else if let newValue {
                entries.append((name, newValue))
            }
        }
    }

    public var names: [String] { entries.map(\.name) }
    public var count: Int { entries.count }

    public func makeIterator() -> IndexingIterator<[(name: String, value: ParameterValue)]> {
        entries.makeIterator()
    }

    public static func == (lhs: Point, rhs: Point) -> Bool {
        lhs.entries.count == rhs.entries.count
            && zip(lhs.entries, rhs.entries).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        for entry in entries {
            hasher.combine(entry.name)
            hasher.combine(entry.value)
        }
    }
}

extension Point: CustomStringConvertible {
    public var description: String {
        entries.map { "\($0.name)=\($0.value)" }.joined(separator: " ")
    }
}
