import LabLoopCore
import Yams

/// Reads a composed campaign file, collecting every problem with its position.
///
/// Each section reader reports what is wrong and returns nil for what it could not read; the
/// document is built only when nothing was reported.
struct CampaignReader {
    let file: String
    let source: SourceText
    /// Keys the composer renamed to get past a repeated key → the key as written.
    let renamedKeys: [String: String]
    private(set) var diagnostics: [Diagnostic] = []
    /// Where each field was found (by its dotted path), to place `CampaignSpec.problems()`.
    var locations: [String: Position] = [:]

    init(file: String, source: SourceText, renamedKeys: [String: String]) {
        self.file = file
        self.source = source
        self.renamedKeys = renamedKeys
    }

    static func read(_ text: String, file: String) -> (document: CampaignDocument?, diagnostics: [Diagnostic]) {
        let composed = Composer.compose(text)
        var reader = CampaignReader(file: file, source: composed.source, renamedKeys: composed.renamedKeys)
        for problem in composed.problems {
            reader.report("", at: problem.position, problem.message, hint: problem.hint, kind: .syntax)
        }
        var document: CampaignDocument?
        if composed.problems.isEmpty {
            if let root = composed.root {
                document = reader.document(root)
            } else {
                reader.report("", at: .start, "the file is empty",
                              hint: "a campaign file needs at least name, parameters, objective, instrument, budget and strategy")
            }
        }
        let diagnostics = reader.sortedDiagnostics
        return (diagnostics.isEmpty ? document : nil, diagnostics)
    }

    /// Diagnostics in file order; the same problem reported twice appears once.
    var sortedDiagnostics: [Diagnostic] {
        var seen = Set<Diagnostic>()
        let unique = diagnostics.filter { seen.insert($0).inserted }
        return unique.enumerated().sorted { a, b in
            (a.element.line, a.element.column, a.offset) < (b.element.line, b.element.column, b.offset)
        }.map(\.element)
    }

    var hasProblems: Bool { !diagnostics.isEmpty }

    mutating func report(_ field: String, at position: Position, _ message: String, hint: String? = nil,
                         kind: Diagnostic.Kind = .invalid) {
        let position = source.clamped(position)
        diagnostics.append(Diagnostic(file: file, line: position.line, column: position.column, field: field,
                                      message: message, hint: hint, kind: kind))
    }

    mutating func report(_ field: String, at node: Node, _ message: String, hint: String? = nil) {
        report(field, at: position(of: node), message, hint: hint)
    }

    func position(of node: Node) -> Position { source.original(node) }

    /// `parent.key`, or `key` at the top level.
    static func path(_ parent: String, _ key: String) -> String {
        parent.isEmpty ? key : "\(parent).\(key)"
    }

    /// How a message names what a node holds: `a mapping`, `the integer 5`, …
    static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): ScalarValue(scalar).described(as: scalar.string)
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    mutating func expected(_ what: String, _ field: String, found node: Node, hint: String? = nil) {
        report(field, at: node, "expected \(what), found \(Self.describe(node))", hint: hint)
    }

    /// Position of `offset` (in Unicode scalars) inside a one-line plain or quoted scalar, or the
    /// node's own position when the scalar's text is not what the file shows (escapes, folding).
    func position(in node: Node, offset: Int) -> Position {
        let start = position(of: node)
        guard case .scalar(let scalar) = node else { return start }
        let quoted: Int
        switch scalar.style {
        case .plain, .any: quoted = 0
        case .singleQuoted, .doubleQuoted: quoted = 1
        case .literal, .folded: return start
        }
        let rest = source.rest(of: source.current(start)).dropFirst(quoted)
        let value = Array(scalar.string.unicodeScalars)
        guard rest.count >= value.count, Array(rest.prefix(value.count)) == value else { return start }
        return Position(line: start.line, column: start.column + quoted + offset)
    }
}
