import Foundation

/// Reading a campaign file from disk into text, with a diagnostic for every way that fails.
enum SourceFile {
    enum Result {
        case text(String)
        case failure(Diagnostic)
    }

    static func read(path: String) -> Result {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return .failure(unreadable(path, "no such file", hint: "check the path"))
        }
        if isDirectory.boolValue {
            return .failure(unreadable(path, "is a directory, not a campaign file", hint: nil))
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(unreadable(path, "the file cannot be read", hint: "check its permissions"))
        }
        return decode(data, path: path)
    }

    /// The bytes as UTF-8 text, or a syntax diagnostic at the first byte that is not UTF-8.
    static func decode(_ data: Data, path: String) -> Result {
        let bytes = [UInt8](data)
        if let text = String(validating: bytes, as: UTF8.self) { return .text(text) }
        let (line, column) = firstInvalidPosition(in: bytes)
        return .failure(Diagnostic(file: path, line: line, column: column, field: "",
                                   message: "the file is not UTF-8 text",
                                   hint: "save it as UTF-8", kind: .syntax))
    }

    private static func unreadable(_ path: String, _ message: String, hint: String?) -> Diagnostic {
        Diagnostic(file: path, line: 1, column: 1, field: "", message: message, hint: hint, kind: .unreadable)
    }

    /// Line and column (in characters) of the first byte that does not decode as UTF-8.
    private static func firstInvalidPosition(in bytes: [UInt8]) -> (Int, Int) {
        var line = 1
        var column = 1
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                if scalar == "\n" {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
            case .emptyInput, .error:
                break loop
            }
        }
        return (line, column)
    }
}
