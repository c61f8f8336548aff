public import Foundation
public import LabLoopCore
public import ZeroMQ
public import LabLoopProtocol

/// What a peer needs to talk to a CURVE-secured coordinator: its own key file and the
/// coordinator's pinned public key. The envelope sender must be the key's principal.
public struct PeerCredentials: Sendable, Hashable {
    public var key: KeyFile
    public var serverKey: String

    public init(key: KeyFile, serverKey: String) {
        self.key = key
        self.serverKey = serverKey
    }

    /// The principal this peer acts as.
    public var principal: String { key.principal }

    /// Socket options for every connection to the coordinator.
    public var curve: CurveSecurity {
        .client(serverKey: serverKey, publicKey: key.publicKey, secretKey: key.secretKey ?? "")
    }

    /// Loads a secret key file and resolves the server key (Z85 text, or a `.pub` file).
    public static func load(keyFile path: String, serverKey: String) throws(CredentialError) -> PeerCredentials {
        PeerCredentials(key: try KeyFile.loadSecret(path), serverKey: try resolveServerKey(serverKey))
    }

    /// A server key given as Z85 text or as the path of a public key file.
    public static func resolveServerKey(_ text: String) throws(CredentialError) -> String {
        if CurveKeyPair.isKey(text) { return text }
        guard FileManager.default.fileExists(atPath: text) else {
            throw CredentialError("server key '\(text)' is neither 40 characters of Z85 nor an existing .pub file")
        }
        return try KeyFile.loadPublic(text).publicKey
    }
}

/// Keys that cannot be used, with what to do about it. Never contains a secret key.
public struct CredentialError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension KeyFile {
    /// Reads a `.key` file: it must hold a secret key that matches its public key and be private
    /// to its owner (like ssh, a key others can read is refused).
    public static func loadSecret(_ path: String) throws(CredentialError) -> KeyFile {
        let key = try read(path)
        guard let secretKey = key.secretKey else {
            throw CredentialError("\(path) holds no secret-key: give the .key file, not the .pub file")
        }
        guard CurveKeyPair.publicKey(forSecret: secretKey) == key.publicKey else {
            throw CredentialError("\(path): the secret-key does not belong to the public-key in the same file")
        }
        if let mode = (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int,
           mode & 0o077 != 0 {
            throw CredentialError("\(path) is readable by others (mode \(String(mode, radix: 8))); run: chmod 600 \(path)")
        }
        return key
    }

    /// Reads a `.pub` (or `.key`) file for its public half.
    public static func loadPublic(_ path: String) throws(CredentialError) -> KeyFile {
        try read(path).publicHalf
    }

    private static func read(_ path: String) throws(CredentialError) -> KeyFile {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CredentialError("cannot read key file \(path): \((error as NSError).localizedDescription)")
        }
        do {
            return try KeyFile(parsing: text, source: path)
        } catch {
            throw CredentialError(error.description)
        }
    }

    /// A new key pair for `principal`.
    public static func generate(principal: String, role: PeerRole) throws(CredentialError) -> KeyFile {
        guard KeyFile.isPrincipalName(principal) else {
            throw CredentialError("'\(principal)' is not a valid name: 1–64 letters, digits, '.', '_' or '-'")
        }
        do {
            let pair = try CurveKeyPair.generate()
            return KeyFile(principal: principal, role: role, publicKey: pair.publicKey, secretKey: pair.secretKey)
        } catch {
            throw CredentialError("cannot generate a key pair: \(error)")
        }
    }

    /// Writes `DIR/NAME.key` (mode 0600, created private, never world-readable even briefly) and
    /// `DIR/NAME.pub`. Refuses to overwrite an existing key unless `replace`.
    public func write(to directory: URL, name: String, replace: Bool = false) throws(CredentialError) -> (secret: URL, public: URL) {
        let secretURL = directory.appendingPathComponent("\(name).key")
        let publicURL = directory.appendingPathComponent("\(name).pub")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw CredentialError("cannot create \(directory.path): \((error as NSError).localizedDescription)")
        }
        if !replace, FileManager.default.fileExists(atPath: secretURL.path) {
            throw CredentialError("\(secretURL.path) exists; remove it first or choose another name")
        }
        try Self.writePrivately(rendered(), to: secretURL)
        do {
            try publicHalf.rendered().write(to: publicURL, atomically: true, encoding: .utf8)
        } catch {
            throw CredentialError("cannot write \(publicURL.path): \((error as NSError).localizedDescription)")
        }
        return (secretURL, publicURL)
    }

    private static func writePrivately(_ text: String, to url: URL) throws(CredentialError) {
        let temporary = url.path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw CredentialError("cannot create \(temporary): \(String(cString: strerror(errno)))") }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced, rename(temporary, url.path) == 0 else {
            unlink(temporary)
            throw CredentialError("cannot write \(url.path): \(String(cString: strerror(errno)))")
        }
    }
}

extension PeerCredentials {
    /// The credentials a command line peer uses, or nil when the coordinator runs without security.
    ///
    /// The server key is `serverKey` (Z85 or a `.pub` file) or the one in the coordinator's
    /// endpoints file; without either the coordinator is taken to be insecure. The key file is
    /// `keyPath`, else `$LABLOOP_KEY`, else `fallbackKeyPath` when that file exists.
    public static func resolve(keyPath: String?, serverKey: String?, endpoints: CoordinatorEndpoints,
                               fallbackKeyPath: String? = nil) throws(CredentialError) -> PeerCredentials? {
        guard let server = serverKey ?? endpoints.serverKey else { return nil }
        let environment = ProcessInfo.processInfo.environment["LABLOOP_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        let fallback = fallbackKeyPath.flatMap { FileManager.default.fileExists(atPath: $0) ? $0 : nil }
        guard let path = keyPath ?? environment ?? fallback else {
            throw CredentialError("""
                the coordinator requires CURVE keys: pass --key FILE (a .key file made by \
                `labloop keys generate NAME --role ROLE` and allowed with `labloop keys allow`), or set LABLOOP_KEY
                """)
        }
        return try load(keyFile: path, serverKey: server)
    }
}
