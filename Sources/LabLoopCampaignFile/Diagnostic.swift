/// One problem with a campaign file: where it is, which field, what is wrong and how to fix it.
///
/// `description` is the one-line form every tool prints:
///
///     FILE:LINE:COLUMN: error: FIELD: MESSAGE — hint: HINT
///
/// `FIELD: ` is left out when `field` is empty (YAML syntax errors, unreadable files) and
/// ` — hint: HINT` when there is no hint.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure a diagnostic reports, so a command can pick its exit code.
    public enum Kind: Sendable, Hashable {
        /// The file could not be read at all (missing, a directory, no permission).
        case unreadable
        /// The file is not well-formed YAML (or not text).
        case syntax
        /// The YAML is well-formed but does not describe a valid campaign.
        case invalid
    }

    /// The file name as given to `CampaignFile.parse(_:file:)` or `load(path:)`.
    public var file: String
    /// 1-based line of the offending node.
    public var line: Int
    /// 1-based column of the offending node, counted in Unicode scalars (characters).
    public var column: Int
    /// Dotted path of the field, e.g. `parameters.temperature.low` or `constraints[1]`.
    public var field: String
    /// What is wrong.
    public var message: String
    /// How to fix it, when there is something specific to say.
    public var hint: String?
    public var kind: Kind

    public init(file: String, line: Int, column: Int, field: String, message: String,
                hint: String? = nil, kind: Kind = .invalid) {
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.message = message
        self.hint = hint
        self.kind = kind
    }

    public var description: String {
        var text = "\(file):\(line):\(column): error: "
        if !field.isEmpty { text += "\(field): " }
        text += message
        if let hint { text += " — hint: \(hint)" }
        return text
    }
}
