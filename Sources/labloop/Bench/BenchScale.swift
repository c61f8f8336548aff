/// How big each scenario is: the default set, or `--quick` (smaller, for a smoke test).
struct BenchScale: Sendable {
    var quick: Bool
    var protobufIterations: Int
    var roundTrips: Int
    var pipelined: Int
    var sqliteRows: Int
    var sqliteCommits: Int
    var closedLoopAgents: [Int]
    var closedLoopCapacity: Int
    var window: Duration
    var ingestAgents: Int
    var ingestCapacity: Int
    var turnAroundAgents: Int
    /// Experiments per second the turn-around scenario offers.
    var turnAroundRate: Int
    var scaleAgents: Int
    var scaleWindow: Duration
    var recoveryResults: Int

    static let standard = BenchScale(
        quick: false, protobufIterations: 200_000, roundTrips: 5_000, pipelined: 200_000, sqliteRows: 200_000,
        sqliteCommits: 200, closedLoopAgents: [1, 8, 64], closedLoopCapacity: 4, window: .seconds(5),
        ingestAgents: 64, ingestCapacity: 8, turnAroundAgents: 8, turnAroundRate: 1_000,
        scaleAgents: 1_000, scaleWindow: .seconds(5), recoveryResults: 1_000_000)

    static let quickSet = BenchScale(
        quick: true, protobufIterations: 20_000, roundTrips: 500, pipelined: 20_000, sqliteRows: 10_000,
        sqliteCommits: 20, closedLoopAgents: [1, 8, 64], closedLoopCapacity: 4, window: .seconds(1),
        ingestAgents: 16, ingestCapacity: 8, turnAroundAgents: 4, turnAroundRate: 200,
        scaleAgents: 100, scaleWindow: .seconds(2), recoveryResults: 20_000)
}
