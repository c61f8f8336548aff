import LabLoopCore
import Testing

@Suite("Key files, scopes and the allowlist's decisions")
struct SecurityPolicyTests {
    static let publicKey = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
    static let secretKey = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"

    @Test("a key file renders and parses back; the public half drops the secret")
    func roundTrip() throws {
        let key = KeyFile(principal: "reactor-1", role: .agent, publicKey: Self.publicKey, secretKey: Self.secretKey)
        #expect(try KeyFile(parsing: key.rendered(), source: "r.key") == key)
        let half = try KeyFile(parsing: key.publicHalf.rendered(), source: "r.pub")
        #expect(half.secretKey == nil)
        #expect(!key.publicHalf.rendered().contains(Self.secretKey))
    }

    @Test("a broken key file names the file, the line and the problem, never the secret", arguments: [
        ("principal = a\nrole = robot\npublic-key = \(publicKey)\n", "k.key:2: role 'robot' is not one of agent, model, operator, observer"),
        ("principal = a\nrole = agent\n", "k.key: missing 'public-key'"),
        ("principal = a\nrole = agent\npublic-key = short\n", "k.key:3: public-key must be 40 characters of Z85"),
        ("# c\nprincipal = a b\nrole = agent\npublic-key = \(publicKey)\n", "k.key:2: principal 'a b' must be 1–64 letters, digits, '.', '_' or '-'"),
        ("principal = a\ncolour = red\n", "k.key:2: unknown field 'colour' (expected one of principal, role, public-key, secret-key)"),
        ("principal = a\nprincipal = b\n", "k.key:2: 'principal' is given twice"),
        ("just words\n", "k.key:1: expected 'name = value'"),
        ("principal = a\nrole = agent\npublic-key = \(publicKey)\nsecret-key = not-a-key-but-secret\n", "k.key:4: secret-key must be 40 characters of Z85"),
    ])
    func errors(text: String, message: String) {
        #expect(throws: KeyFileError.self) { try KeyFile(parsing: text, source: "k.key") }
        do {
            _ = try KeyFile(parsing: text, source: "k.key")
        } catch {
            #expect(error.description == message)
            #expect(!error.description.contains("not-a-key-but-secret"))
        }
    }

    @Test("scopes parse, print and cover campaigns by id or project")
    func scopes() throws {
        let scope = try AccessScope(parsing: "campaign:c1, project:catalysis")
        #expect(scope.description == "campaign:c1,project:catalysis")
        #expect(scope.covers(campaignID: "c1", project: "other"))
        #expect(scope.covers(campaignID: "c9", project: "catalysis"))
        #expect(!scope.covers(campaignID: "c9", project: "other"))
        #expect(AccessScope.unlimited.covers(campaignID: "any", project: "thing"))
        #expect(try AccessScope(parsing: "") == .unlimited)
        #expect(throws: AccessScopeError.self) { try AccessScope(parsing: "team:x") }
        #expect(throws: AccessScopeError.self) { try AccessScope(parsing: "campaign:") }
    }

    @Test("the allowlist denies by default and admits each role only on its sockets")
    func admission() {
        let now: Int64 = 1_000_000
        let list = AccessList([
            AccessEntry(publicKey: "agent-key", principal: "r1", role: .agent),
            AccessEntry(publicKey: "model-key", principal: "m", role: .model),
            AccessEntry(publicKey: "op-key", principal: "ada", role: .operator),
            AccessEntry(publicKey: "obs-key", principal: "eve", role: .observer),
            AccessEntry(publicKey: "old-key", principal: "old", role: .agent, expiresAtMs: now),
            AccessEntry(publicKey: "gone-key", principal: "gone", role: .agent, revokedAtMs: now - 5),
        ])
        func admitted(_ key: String, _ socket: CoordinatorSocket) -> Bool {
            if case .success = list.admit(publicKey: key, on: socket, atMs: now) { return true }
            return false
        }
        let expected: [String: Set<CoordinatorSocket>] = [
            "agent-key": [.agents], "model-key": [.models, .events, .catchUp],
            "op-key": [.control, .events, .catchUp], "obs-key": [.control, .events, .catchUp],
            "old-key": [], "gone-key": [], "unknown-key": [],
        ]
        for (key, sockets) in expected {
            for socket in CoordinatorSocket.allCases {
                #expect(admitted(key, socket) == sockets.contains(socket), "\(key) on \(socket)")
            }
        }
        #expect(list.admit(publicKey: "old-key", on: .agents, atMs: now) == .failure(.expired))
        #expect(list.admit(publicKey: "old-key", on: .agents, atMs: now - 1).map(\.principal) == .success("old"))
        #expect(list.admit(publicKey: "gone-key", on: .agents, atMs: now) == .failure(.revoked))
        #expect(list.admit(publicKey: "unknown-key", on: .agents, atMs: now) == .failure(.unknownKey))
        #expect(list.admit(publicKey: "agent-key", on: .control, atMs: now) == .failure(.roleNotAdmitted(.agent, .control)))
    }
}
