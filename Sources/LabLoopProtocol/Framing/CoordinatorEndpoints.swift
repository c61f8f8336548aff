public import Foundation

/// The coordinator's five endpoints and its public key. `labloop serve` writes the bound ones (wildcard ports
/// resolved) to `<data dir>/coordinator.json`; peers on the same host can read them from there.
public struct CoordinatorEndpoints: Sendable, Hashable, Codable {
    public var agents = "tcp://127.0.0.1:7750"
    public var models = "tcp://127.0.0.1:7751"
    public var control = "tcp://127.0.0.1:7752"
    public var events = "tcp://127.0.0.1:7753"
    public var catchUp = "tcp://127.0.0.1:7754"
    /// The coordinator's CURVE public key (Z85); nil when it runs without security (`--insecure`).
    public var serverKey: String?

    public init() {}

    /// All five on `host`, at `basePort` … `basePort + 4`; base port 0 lets the system pick free ports.
    public init(host: String, basePort: Int) {
        func endpoint(_ offset: Int) -> String { "tcp://\(host):\(basePort == 0 ? "*" : String(basePort + offset))" }
        agents = endpoint(0)
        models = endpoint(1)
        control = endpoint(2)
        events = endpoint(3)
        catchUp = endpoint(4)
    }

    /// The five endpoints, in socket order.
    public var all: [String] { [agents, models, control, events, catchUp] }

    public static func load(from file: URL) throws -> CoordinatorEndpoints {
        try JSONDecoder().decode(CoordinatorEndpoints.self, from: Data(contentsOf: file))
    }

    public func write(to file: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(self).write(to: file, options: .atomic)
    }
}
