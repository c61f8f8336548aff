import Yams

/// A 1-based line and column (in Unicode scalars) in the original file.
struct Position: Sendable, Hashable, Comparable {
    var line: Int
    var column: Int

    static let start = Position(line: 1, column: 1)

    static func < (lhs: Position, rhs: Position) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }
}

/// The original text by lines, and the edits made to it before composing (duplicate keys are
/// renamed so the composer accepts them), so that marks can be mapped back to the original.
struct SourceText {
    /// One inserted run of text: `length` scalars at `column` of `line`.
    struct Insertion {
        var line: Int
        var column: Int
        var length: Int
    }

    private(set) var lines: [[Unicode.Scalar]]
    /// The line break after each line, as written (the last line has none).
    private let breaks: [[Unicode.Scalar]]
    private(set) var insertions: [Insertion] = []

    init(_ text: String) {
        (lines, breaks) = Self.split(text)
    }

    /// The current (edited) text.
    var text: String {
        var result = String.UnicodeScalarView()
        for (line, lineBreak) in zip(lines, breaks) {
            result.append(contentsOf: line)
            result.append(contentsOf: lineBreak)
        }
        return String(result)
    }

    /// The nearest position that is inside the text: libyaml reports the end of the stream one
    /// line past a last line without a line break.
    func clamped(_ position: Position) -> Position {
        guard let last = lines.indices.last else { return .start }
        let line = min(max(position.line, 1), last + 1)
        let length = lines[line - 1].count
        return Position(line: line, column: min(max(position.column, 1), length + 1))
    }

    /// Inserts `scalars` before `column` (1-based) of `line`; false when that is outside the text.
    mutating func insert(_ scalars: [Unicode.Scalar], line: Int, column: Int) -> Bool {
        guard lines.indices.contains(line - 1), (1...lines[line - 1].count + 1).contains(column) else { return false }
        lines[line - 1].insert(contentsOf: scalars, at: column - 1)
        insertions.append(Insertion(line: line, column: column, length: scalars.count))
        return true
    }

    /// The scalars of the current text from `position` to the end of its line.
    func rest(of position: Position) -> ArraySlice<Unicode.Scalar> {
        guard lines.indices.contains(position.line - 1) else { return [] }
        let line = lines[position.line - 1]
        guard position.column >= 1, position.column - 1 <= line.count else { return [] }
        return line[(position.column - 1)...]
    }

    /// Where a composer mark (in the current text) is in the original text.
    func original(_ mark: Mark?) -> Position {
        guard let mark else { return .start }
        return original(Position(line: mark.line, column: mark.column))
    }

    /// Where a position in the current text is in the original text.
    func original(_ current: Position) -> Position {
        var position = Position(line: max(current.line, 1), column: max(current.column, 1))
        for insertion in insertions.reversed() where insertion.line == position.line {
            if position.column >= insertion.column + insertion.length {
                position.column -= insertion.length
            } else if position.column > insertion.column {
                position.column = insertion.column
            }
        }
        return position
    }

    /// Where a node starts in the original text.
    func original(_ node: Node) -> Position {
        original(node.mark)
    }

    /// The current text's position for an original position (inverse of `original`).
    func current(_ position: Position) -> Position {
        var result = position
        for insertion in insertions where insertion.line == result.line && result.column >= insertion.column {
            result.column += insertion.length
        }
        return result
    }

    /// Lines and their breaks, split where libyaml starts a new line: LF, CR LF, lone CR, NEL,
    /// LS and PS.
    private static func split(_ text: String) -> ([[Unicode.Scalar]], [[Unicode.Scalar]]) {
        var lines: [[Unicode.Scalar]] = [[]]
        var breaks: [[Unicode.Scalar]] = []
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            if scalar == "\n", previousWasCR {
                breaks[breaks.count - 1].append(scalar)
                previousWasCR = false
                continue
            }
            previousWasCR = scalar == "\r"
            if isBreak(scalar) {
                breaks.append([scalar])
                lines.append([])
            } else {
                lines[lines.count - 1].append(scalar)
            }
        }
        breaks.append([])
        return (lines, breaks)
    }

    static func isBreak(_ scalar: Unicode.Scalar) -> Bool {
        ["\n", "\r", "\u{85}", "\u{2028}", "\u{2029}"].contains(scalar)
    }

    /// Line and column of a UTF-8 byte offset into `text` (libyaml's reader reports offsets).
    static func position(ofUTF8Offset offset: Int, in text: String) -> Position {
        var position = Position.start
        var consumed = 0
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            guard consumed < offset else { break }
            consumed += UTF8.width(scalar)
            if scalar == "\n", previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = scalar == "\r"
            if isBreak(scalar) {
                position = Position(line: position.line + 1, column: 1)
            } else {
                position.column += 1
            }
        }
        return position
    }
}
