import Foundation
import GRDB
import LabLoopProtocol
import ZeroMQ

/// What the hardware and the libraries allow, measured in the same run as the scenarios.
struct Baselines: Sendable {
    var roundTrip = Latencies()
    var pipelinedPerSecond = 0.0
    var sqliteRowsPerSecond = 0.0
    var sqliteCommit = Latencies()
    var sqliteBytesPerRow = 0.0
    var protobufNanoseconds = 0.0
    var messageBytes = 0

    /// A result envelope as an agent sends it: the message size every baseline uses.
    static func sampleResult() -> Labloop_V1_Envelope {
        var result = Labloop_V1_ExperimentResult()
        result.experimentID = "c0123456789abcdef-000123"
        result.attempt = 1
        result.outcome = .succeeded
        result.measurements = [Labloop_V1_NamedValue(name: "y", real: 0.123456789)]
        result.startedUnixMs = 1_790_000_000_000
        result.finishedUnixMs = 1_790_000_000_001
        return .make(sender: "bench-agent-0001", sessionSeq: 42, .result(result))
    }

    static func measure(scale: BenchScale, directory: URL) async throws -> Baselines {
        var baselines = Baselines()
        let frame = sampleResult().frame()
        baselines.messageBytes = frame.count
        baselines.protobufNanoseconds = protobuf(iterations: scale.protobufIterations)
        try await zeroMQ(&baselines, frame: frame, scale: scale)
        try sqlite(&baselines, payload: frame, directory: directory, scale: scale)
        return baselines
    }

    /// Encode plus decode of a result envelope, ns each.
    static func protobuf(iterations: Int) -> Double {
        let envelope = sampleResult()
        var checksum = 0
        let start = ContinuousClock.now
        for _ in 0..<iterations {
            let bytes = envelope.frame()
            if let decoded = try? Labloop_V1_Envelope.decode(frame: bytes) { checksum &+= Int(decoded.sessionSeq) }
        }
        let elapsed = ContinuousClock.now - start
        precondition(checksum == 42 * iterations, "protobuf round trip lost data")
        return Double(elapsed.nanoseconds) / Double(iterations)
    }

    /// DEALER↔ROUTER on loopback with CURVE: the ROUTER echoes on its own I/O thread.
    static func zeroMQ(_ baselines: inout Baselines, frame: Data, scale: BenchScale) async throws {
        let context = ZMQContext()
        let server = try CurveKeyPair.generate()
        let client = try CurveKeyPair.generate()
        var serverOptions = SocketOptions()
        serverOptions.curve = .server(secretKey: server.secretKey)
        serverOptions.lingerMs = 0
        let echo = try await SocketLoop.start(name: "bench-echo", context: context, sockets: [
            SocketSpec(name: "router", type: .router, attachment: .bind("tcp://127.0.0.1:*"), options: serverOptions,
                       screen: { frames, _ in .reply(frames) }),
        ])
        var clientOptions = SocketOptions()
        clientOptions.curve = .client(serverKey: server.publicKey, publicKey: client.publicKey, secretKey: client.secretKey)
        clientOptions.lingerMs = 0
        let dealer = try await SocketLoop.start(name: "bench-dealer", context: context, sockets: [
            SocketSpec(name: "dealer", type: .dealer, attachment: .connect(echo.endpoints[0]), options: clientOptions),
        ])
        var inbound = dealer.inbound.makeAsyncIterator()
        func receive() async -> Bool {
            while let item = await inbound.next() { if case .message = item { return true } }
            return false
        }
        // The first message waits for the handshake; warm up past it.
        for _ in 0..<200 {
            dealer.send([frame], on: 0)
            guard await receive() else { break }
        }
        for _ in 0..<scale.roundTrips {
            let start = ContinuousClock.now
            dealer.send([frame], on: 0)
            guard await receive() else { break }
            baselines.roundTrip.record(ContinuousClock.now - start)
        }
        let window = 2_000
        var sent = 0, received = 0
        let start = ContinuousClock.now
        while received < scale.pipelined {
            while sent < scale.pipelined, sent - received < window {
                if !dealer.send([frame], on: 0) { break }
                sent += 1
            }
            guard await receive() else { break }
            received += 1
        }
        baselines.pipelinedPerSecond = Double(received) / (ContinuousClock.now - start).seconds
        await dealer.shutdown()
        await echo.shutdown()
    }

    /// Result-sized rows into a WAL database with synchronous=FULL, as the store opens it.
    static func sqlite(_ baselines: inout Baselines, payload: Data, directory: URL, scale: BenchScale) throws {
        let path = directory.appendingPathComponent("baseline.sqlite").path
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        let pool = try DatabasePool(path: path, configuration: configuration)
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: """
                CREATE TABLE rows (id INTEGER PRIMARY KEY, message_id TEXT NOT NULL UNIQUE,
                                   experiment_id TEXT NOT NULL UNIQUE, measurements TEXT NOT NULL, payload BLOB NOT NULL)
                """)
        }
        var next = 0
        func insert(_ db: Database, count: Int) throws {
            let statement = try db.cachedStatement(sql: "INSERT INTO rows (message_id, experiment_id, measurements, payload) VALUES (?, ?, ?, ?)")
            for _ in 0..<count {
                next += 1
                try statement.execute(arguments: [UUID().uuidString, "c0123456789abcdef-\(next)", #"[{"name":"y","real":0.123456789}]"#, payload])
            }
        }
        let batches = scale.sqliteRows / 1_000
        let start = ContinuousClock.now
        for _ in 0..<batches { try pool.write { db in try insert(db, count: 1_000) } }
        baselines.sqliteRowsPerSecond = Double(batches * 1_000) / (ContinuousClock.now - start).seconds
        for _ in 0..<scale.sqliteCommits {
            let begin = ContinuousClock.now
            try pool.write { db in try insert(db, count: 1) }
            baselines.sqliteCommit.record(ContinuousClock.now - begin)
        }
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        try pool.close()
        let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        baselines.sqliteBytesPerRow = Double(bytes) / Double(max(1, next))
    }
}
