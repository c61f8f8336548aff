public import LabLoopCore
import Foundation

/// Campaign files: YAML text in, a validated `CampaignSpec` (or every problem at once) out,
/// and back again. The format is described in `Docs/campaign-format.md`.
///
/// Pure apart from `load(path:)`: no clock, no network. Never traps on malformed input.
public enum CampaignFile {
    /// Parses and validates campaign file text.
    ///
    /// - Parameter file: the name diagnostics report (usually the path the text came from).
    /// - Returns: the spec and no diagnostics, or no spec and at least one diagnostic, sorted by
    ///   position.
    public static func parse(_ text: String, file: String) -> (spec: CampaignSpec?, diagnostics: [Diagnostic]) {
        let result = parseDocument(text, file: file)
        return (result.document?.spec, result.diagnostics)
    }

    /// Like `parse(_:file:)`, but also returns `strategy.settings`.
    public static func parseDocument(_ text: String, file: String)
        -> (document: CampaignDocument?, diagnostics: [Diagnostic]) {
        CampaignReader.read(text, file: file)
    }

    /// Reads and parses the file at `path`. A file that cannot be read gives one diagnostic of
    /// kind `.unreadable` at 1:1; bytes that are not UTF-8 give one of kind `.syntax`.
    public static func load(path: String) -> (spec: CampaignSpec?, diagnostics: [Diagnostic]) {
        let result = loadDocument(path: path)
        return (result.document?.spec, result.diagnostics)
    }

    /// Like `load(path:)`, but also returns `strategy.settings`.
    public static func loadDocument(path: String) -> (document: CampaignDocument?, diagnostics: [Diagnostic]) {
        switch SourceFile.read(path: path) {
        case .text(let text): return parseDocument(text, file: path)
        case .failure(let diagnostic): return (nil, [diagnostic])
        }
    }

    /// The campaign as a campaign file. Parsing the result gives back an equal spec whenever
    /// the spec is one the format accepts; defaults are left out.
    public static func render(_ spec: CampaignSpec) -> String {
        CampaignRenderer.render(CampaignDocument(spec: spec))
    }

    /// The campaign and its strategy settings as a campaign file.
    public static func render(_ document: CampaignDocument) -> String {
        CampaignRenderer.render(document)
    }
}
