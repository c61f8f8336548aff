import Foundation
import LabLoopCore
import LabLoopPeer
import LabLoopStore
import ZeroMQ

/// The keys a coordinator's data directory holds, in `DIR/keys/`:
/// `coordinator.key`/`.pub` (the server's pair) and, made on first start and allowed at once,
/// `admin.key`/`.pub`: an unlimited operator for the person who can read the data directory.
struct DataDirectoryKeys {
    let directory: URL

    init(dataDirectory: URL) {
        directory = dataDirectory.appendingPathComponent("keys")
    }

    var coordinatorKeyPath: String { directory.appendingPathComponent("coordinator.key").path }
    var adminKeyPath: String { directory.appendingPathComponent("admin.key").path }

    /// Loads the coordinator's key pair, creating it (and the admin key) on first use.
    func prepare(store: Store) async throws -> CurveKeyPair {
        let server: KeyFile
        if FileManager.default.fileExists(atPath: coordinatorKeyPath) {
            server = try KeyFile.loadSecret(coordinatorKeyPath)
        } else {
            // The coordinator's own pair: the role is never checked (no one connects as it).
            server = try KeyFile.generate(principal: "coordinator", role: .operator)
            _ = try server.write(to: directory, name: "coordinator")
        }
        _ = try await localPeerKey("admin", role: .operator, store: store, note: "created by serve")
        return CurveKeyPair(publicKey: server.publicKey, secretKey: server.secretKey ?? "")
    }

    /// A key for a peer started on this host (the admin key, the demo's reactors and model), kept in
    /// DIR/keys and allowed; made and allowed on first use. Returns the secret key file's path.
    func localPeerKey(_ name: String, role: PeerRole, store: Store, note: String = "for a local peer") async throws -> String {
        let path = directory.appendingPathComponent("\(name).key").path
        if FileManager.default.fileExists(atPath: path) { return path }
        let key = try KeyFile.generate(principal: name, role: role)
        _ = try key.write(to: directory, name: name)
        try await store.write { tx in
            try tx.allow(AccessEntry(publicKey: key.publicKey, principal: key.principal, role: role))
            try tx.audit(principal: LocalAdministrator.name, role: LocalAdministrator.role, action: "keys-allow",
                         arguments: "\(name) (\(role.rawValue)) \(AccessEntry.fingerprint(of: key.publicKey)) \(note)",
                         outcome: "ok")
        }
        return path
    }
}

/// Who changes keys from the coordinator host's shell: the login name, since no key is involved.
enum LocalAdministrator {
    static var name: String {
        if let entry = getpwuid(getuid()), let login = entry.pointee.pw_name { return "local:" + String(cString: login) }
        return "local:uid-\(getuid())"
    }
    static let role = "host-admin"
}
