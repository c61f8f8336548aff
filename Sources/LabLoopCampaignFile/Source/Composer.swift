import Yams

/// Turns text into a YAML node tree with Yams, reporting syntax errors as diagnostics.
///
/// Yams refuses a mapping with a repeated key outright, which would hide every other problem
/// in the file. So the composer renames the first occurrence (appending a private-use marker)
/// and tries again; the reader maps renamed keys back and reports the repetition itself.
struct Composer {
    struct Result {
        var root: Node?
        var source: SourceText
        /// Renamed key text → the key as written.
        var renamedKeys: [String: String]
        /// Syntax problems; non-empty means `root` is nil.
        var problems: [(position: Position, message: String, hint: String?)]
    }

    /// Marks a renamed key; private use, so it cannot clash with anything a YAML file means.
    static let renameMarker: Unicode.Scalar = "\u{E000}"
    /// More repeated keys than this in one file are reported without composing further.
    static let maximumRenames = 200

    static func compose(_ text: String) -> Result {
        var result = Result(root: nil, source: SourceText(text), renamedKeys: [:], problems: [])
        var current = text
        while true {
            do {
                result.root = try Yams.compose(yaml: current, .default, .default, .utf8)
                return result
            } catch let YamlError.duplicatedKeysInMapping(duplicates, context) {
                guard result.renamedKeys.count < maximumRenames,
                      let key = duplicates.first, key != "<uncovertable>",
                      rename(key, at: context.mark, in: &result) else {
                    let position = result.source.original(context.mark)
                    let names = duplicates.map { "'\($0)'" }.joined(separator: ", ")
                    result.problems.append((position, "repeated key \(names) in one mapping",
                                            "each key may appear only once in a mapping"))
                    return result
                }
                current = result.source.text
            } catch let error as YamlError {
                result.problems.append(describe(error, text: current, source: result.source))
                return result
            } catch {
                result.problems.append((.start, "invalid YAML: \(error)", nil))
                return result
            }
        }
    }

    /// Appends a unique marker to the key written at `mark`; false when the text there is not
    /// that key written plainly or in quotes on one line.
    private static func rename(_ key: String, at mark: Mark, in result: inout Result) -> Bool {
        let position = Position(line: mark.line, column: mark.column)
        let rest = result.source.rest(of: position)
        let keyScalars = Array(key.unicodeScalars)
        var offset = 0
        if let first = rest.first, first == "\"" || first == "'" { offset = 1 }
        guard !keyScalars.isEmpty, rest.count >= offset + keyScalars.count,
              Array(rest.dropFirst(offset).prefix(keyScalars.count)) == keyScalars else { return false }
        let renamed = key + String(renameMarker) + String(result.renamedKeys.count + 1)
        let suffix = Array(renamed.unicodeScalars.dropFirst(keyScalars.count))
        guard result.source.insert(suffix, line: position.line, column: position.column + offset + keyScalars.count)
        else { return false }
        result.renamedKeys[renamed] = key
        return true
    }

    private static func describe(_ error: YamlError, text: String, source: SourceText)
        -> (position: Position, message: String, hint: String?) {
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let position = source.original(mark)
            // Two of libyaml's and Yams's phrasings read badly on their own; say what they mean.
            let nested = problem.hasPrefix("Maximum nesting level")
            let secondDocument = problem == "but found another document"
            var message = "invalid YAML: " + (nested ? "nested too deeply" : secondDocument ? "a second document starts here" : problem)
            if let context, !context.text.isEmpty, context.text != problem, !nested, !secondDocument {
                let where_ = source.original(context.mark)
                message += " (\(context.text) started at line \(where_.line), column \(where_.column))"
            }
            return (position, message, hint(for: problem, at: mark, source: source))
        case .reader(let problem, let offset, _, _):
            var position = Position.start
            if let offset {
                position = source.original(SourceText.position(ofUTF8Offset: offset, in: text))
            }
            return (position, "invalid YAML: \(problem)", "remove control characters from the file")
        default:
            return (.start, "invalid YAML: \(error)", nil)
        }
    }

    private static func hint(for problem: String, at mark: Mark, source: SourceText) -> String? {
        let here = source.rest(of: Position(line: mark.line, column: mark.column)).first
        if here == "\t" || problem.contains("tab") {
            return "indent with spaces; YAML does not allow tabs for indentation"
        }
        if problem.contains("mapping values are not allowed") {
            return "quote text that contains ': ', or check the indentation"
        }
        if problem.contains("did not find expected key") || problem.contains("did not find expected '-'") {
            return "check the indentation of this line and the one before"
        }
        if problem.contains("found undefined alias") {
            return "define the anchor (&name) before using it (*name)"
        }
        if problem.contains("another document") {
            return "a campaign file holds one document; remove the '---' line"
        }
        return nil
    }
}
