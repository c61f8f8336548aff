import Foundation

/// A LabLoop key file: `NAME.key` holds the secret key (mode 0600), `NAME.pub` only the public half.
///
/// UTF-8 lines; blank lines and `#` comments are ignored; every other line is `name = value`:
///
///     principal = reactor-1
///     role = agent
///     public-key = <40 characters of Z85>
///     secret-key = <40 characters of Z85>      (only in the .key file)
public struct KeyFile: Sendable, Hashable {
    public var principal: String
    public var role: PeerRole
    public var publicKey: String
    /// Nil in a public key file.
    public var secretKey: String?

    public init(principal: String, role: PeerRole, publicKey: String, secretKey: String? = nil) {
        self.principal = principal
        self.role = role
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// The public half, for copying to the coordinator host.
    public var publicHalf: KeyFile { KeyFile(principal: principal, role: role, publicKey: publicKey) }

    /// Reads a key file's text. `source` names the file in errors. Keys are checked for shape
    /// (40 characters of Z85) only; that the pair belongs together is checked by whoever loads it.
    public init(parsing text: String, source: String) throws(KeyFileError) {
        var values: [String: (value: String, line: Int)] = [:]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw KeyFileError(source: source, line: index + 1, message: "expected 'name = value'")
            }
            let name = line[..<equals].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard Self.names.contains(name) else {
                throw KeyFileError(source: source, line: index + 1,
                                   message: "unknown field '\(name)' (expected one of \(Self.names.joined(separator: ", ")))")
            }
            guard values[name] == nil else {
                throw KeyFileError(source: source, line: index + 1, message: "'\(name)' is given twice")
            }
            values[name] = (value, index + 1)
        }
        func required(_ name: String) throws(KeyFileError) -> (value: String, line: Int) {
            guard let found = values[name], !found.value.isEmpty else {
                throw KeyFileError(source: source, line: nil, message: "missing '\(name)'")
            }
            return found
        }
        let principal = try required("principal")
        guard Self.isPrincipalName(principal.value) else {
            throw KeyFileError(source: source, line: principal.line,
                               message: "principal '\(principal.value)' must be 1–64 letters, digits, '.', '_' or '-'")
        }
        let role = try required("role")
        guard let parsedRole = PeerRole(rawValue: role.value) else {
            throw KeyFileError(source: source, line: role.line,
                               message: "role '\(role.value)' is not one of \(PeerRole.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let publicKey = try required("public-key")
        guard Self.looksLikeKey(publicKey.value) else {
            throw KeyFileError(source: source, line: publicKey.line, message: "public-key must be 40 characters of Z85")
        }
        if let secret = values["secret-key"], !Self.looksLikeKey(secret.value) {
            // Never echo the value: it is a secret.
            throw KeyFileError(source: source, line: secret.line, message: "secret-key must be 40 characters of Z85")
        }
        self.init(principal: principal.value, role: parsedRole, publicKey: publicKey.value, secretKey: values["secret-key"]?.value)
    }

    /// The file's text: a comment saying what it is, then the fields.
    public func rendered() -> String {
        var lines: [String]
        if secretKey != nil {
            lines = ["# LabLoop secret key. Keep this file private (mode 0600); never copy it off this host."]
        } else {
            lines = ["# LabLoop public key. Allow it on the coordinator host: labloop keys allow FILE --data DIR"]
        }
        lines += ["principal = \(principal)", "role = \(role.rawValue)", "public-key = \(publicKey)"]
        if let secretKey { lines.append("secret-key = \(secretKey)") }
        return lines.joined(separator: "\n") + "\n"
    }

    static let names = ["principal", "role", "public-key", "secret-key"]
    static let z85Alphabet = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#")

    static func looksLikeKey(_ text: String) -> Bool {
        text.count == 40 && text.allSatisfy(z85Alphabet.contains)
    }

    /// Principals appear in envelopes, logs and the audit table: keep them plain.
    public static func isPrincipalName(_ name: String) -> Bool {
        (1...64).contains(name.count)
            && name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0)) }
    }
}

/// A key file that cannot be used: which file, which line, what is wrong.
public struct KeyFileError: Error, Sendable, CustomStringConvertible {
    public var source: String
    public var line: Int?
    public var message: String

    public var description: String {
        if let line { return "\(source):\(line): \(message)" }
        return "\(source): \(message)"
    }
}
