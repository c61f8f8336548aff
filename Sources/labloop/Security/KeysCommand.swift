import ArgumentParser
import Foundation
import LabLoopCore
import LabLoopPeer
import LabLoopStore

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "CURVE keys: make them, and decide which ones the coordinator accepts.",
        discussion: """
            Every peer proves itself with a key pair. Make one with `keys generate` where the peer runs, copy \
            the .pub file to the coordinator host and `keys allow` it there. Changes take effect on a running \
            coordinator within a second; a revoked key's connections are closed.
            """,
        subcommands: [Generate.self, Allow.self, Revoke.self, List.self])

    /// Opens the data directory's store for key changes (creating it if the coordinator never ran).
    static func openStore(_ data: String) throws -> Store {
        let directory = URL(fileURLWithPath: data)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            return try Store(path: directory.appendingPathComponent("labloop.sqlite").path)
        } catch {
            throw CLIError("cannot open the store in \(data): \(error)")
        }
    }

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a key pair: NAME.key (secret, mode 0600) and NAME.pub (to copy to the coordinator host).")
        @Argument(help: "The principal: an instrument id, model id or person (letters, digits, '.', '_', '-').") var name: String
        @Option(help: "agent, model, operator or observer.") var role: String
        @Option(help: "Directory to write the files to.") var out = "."

        func run() async throws {
            try await reportingErrors {
                guard let role = PeerRole(rawValue: role) else {
                    throw CLIError("--role \(role): expected one of \(PeerRole.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                do {
                    let key = try KeyFile.generate(principal: name, role: role)
                    let files = try key.write(to: URL(fileURLWithPath: out), name: name)
                    print("secret key  \(files.secret.path)  (mode 0600: keep it on this host)")
                    print("public key  \(files.public.path)")
                    print("allow it on the coordinator host with: labloop keys allow \(files.public.lastPathComponent) --data DIR")
                } catch let error as CredentialError {
                    throw CLIError(error.description)
                }
            }
        }
    }

    struct Allow: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Accept a public key (its principal and role come from the file).")
        @Argument(help: "The peer's NAME.pub file.") var file: String
        @Option(help: "The coordinator's data directory.") var data: String
        @Option(help: "Limit the key to campaigns and projects: campaign:ID,project:NAME (default: unlimited).") var scope = ""
        @Option(help: "Refuse the key after this time: ISO 8601 (2027-01-31T18:00:00Z) or a duration from now (90d, 12h, 30m).")
        var expires: String?

        func run() async throws {
            try await reportingErrors {
                let key: KeyFile
                let parsedScope: AccessScope
                do {
                    key = try KeyFile.loadPublic(file)
                    parsedScope = try AccessScope(parsing: scope)
                } catch let error as CredentialError {
                    throw CLIError(error.description)
                } catch let error as AccessScopeError {
                    throw CLIError("--scope: \(error)")
                }
                let expiry = try expires.map(Self.parseExpiry)
                let entry = AccessEntry(publicKey: key.publicKey, principal: key.principal, role: key.role,
                                        scope: parsedScope, expiresAtMs: expiry)
                let store = try openStore(data)
                try await store.write { tx in
                    try tx.allow(entry)
                    try tx.audit(principal: LocalAdministrator.name, role: LocalAdministrator.role, action: "keys-allow",
                                 arguments: Self.describe(entry), outcome: "ok")
                }
                await store.close()
                print("allowed \(Self.describe(entry))")
            }
        }

        static func describe(_ entry: AccessEntry) -> String {
            var text = "\(entry.principal) (\(entry.role.rawValue)) key \(entry.fingerprint)"
            if !entry.scope.isUnlimited { text += " scope \(entry.scope)" }
            if let expires = entry.expiresAtMs { text += " until \(formatTime(expires))" }
            return text
        }

        static func parseExpiry(_ text: String) throws -> Int64 {
            if let date = ISO8601DateFormatter().date(from: text) { return Int64(date.timeIntervalSince1970 * 1000) }
            let units: [Character: Double] = ["d": 86_400, "h": 3_600, "m": 60, "s": 1]
            if let unit = text.last, let seconds = units[unit], let count = Double(text.dropLast()), count > 0 {
                return Int64((Date().timeIntervalSince1970 + count * seconds) * 1000)
            }
            throw CLIError("--expires \(text): expected an ISO 8601 time (2027-01-31T18:00:00Z) or a duration like 90d, 12h, 30m")
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop accepting a key: its connections are closed within a second and its messages refused.")
        @Argument(help: "A principal name (revokes all its keys) or a public key.") var nameOrKey: String
        @Option(help: "The coordinator's data directory.") var data: String

        func run() async throws {
            try await reportingErrors {
                let store = try openStore(data)
                let target = nameOrKey
                let revoked = try await store.write { tx in
                    let keys = try tx.revoke(target)
                    try tx.audit(principal: LocalAdministrator.name, role: LocalAdministrator.role, action: "keys-revoke",
                                 arguments: "\(target): \(keys.map(AccessEntry.fingerprint(of:)).joined(separator: ","))",
                                 outcome: keys.isEmpty ? "refused: no allowed key matches" : "ok")
                    return keys
                }
                await store.close()
                guard !revoked.isEmpty else { throw CLIError("no allowed key matches '\(target)' (see `labloop keys list --data \(data)`)") }
                print("revoked \(revoked.count) key(s) of \(target): \(revoked.map(AccessEntry.fingerprint(of:)).joined(separator: ", "))")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show every key the coordinator knows, revoked ones included.")
        @Option(help: "The coordinator's data directory.") var data: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await reportingErrors {
                let store = try openStore(data)
                let entries = try await store.accessList().entries.values.sorted { ($0.principal, $0.publicKey) < ($1.principal, $1.publicKey) }
                await store.close()
                let now = Int64(Date().timeIntervalSince1970 * 1000)
                if json {
                    let rows = entries.map { entry -> [String: String] in
                        ["principal": entry.principal, "role": entry.role.rawValue, "publicKey": entry.publicKey,
                         "scope": entry.scope.description, "status": entry.refusal(atMs: now).map { "\($0)" } ?? "allowed",
                         "expires": entry.expiresAtMs.map(formatTime) ?? "", "added": formatTime(entry.addedAtMs)]
                    }
                    try printJSON(rows)
                    return
                }
                let pad = CampaignText.pad
                print("PRINCIPAL         ROLE      KEY       STATUS           SCOPE                EXPIRES")
                for entry in entries {
                    let status = entry.refusal(atMs: now).map { "\($0)" } ?? "allowed"
                    print([pad(entry.principal, 17), pad(entry.role.rawValue, 9), pad(entry.fingerprint, 9), pad(status, 16),
                           pad(entry.scope.isUnlimited ? "-" : entry.scope.description, 20),
                           entry.expiresAtMs.map(formatTime) ?? "never"].joined(separator: " "))
                }
            }
        }
    }
}

/// A unix-ms time as ISO 8601 in UTC.
func formatTime(_ unixMs: Int64) -> String {
    ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(unixMs) / 1000))
}

/// Prints a value as pretty, key-sorted JSON.
func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
