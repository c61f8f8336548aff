// swift-tools-version:6.1
import PackageDescription

let upcoming: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "LabLoop",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "labloop", targets: ["labloop"]),
        .executable(name: "flow-reactor", targets: ["FlowReactor"]),
        .executable(name: "benchmark-functions", targets: ["BenchmarkFunctions"]),
        .library(name: "LabLoopAgent", targets: ["LabLoopAgent"]),
        .library(name: "LabLoopModel", targets: ["LabLoopModel"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf", exact: "1.39.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", exact: "0.2.0"),
    ],
    targets: [
        // 1. C modules
        // libzmq from Debian's libzmq3-dev. Not found through pkg-config on purpose: Debian's
        // libzmq.pc adds -isystem flags SwiftPM prohibits (a warning on every build); zmq.h is in
        // /usr/include and module.modulemap links libzmq.
        .systemLibrary(name: "CZeroMQ"),
        // setvbuf on stdout, which Swift 6's strict concurrency will not let Swift code reach.
        .target(name: "CProcessControl"),
        // 2. ZeroMQ wrapper: the only Swift code that imports CZeroMQ.
        .target(name: "ZeroMQ", dependencies: ["CZeroMQ"], swiftSettings: upcoming),
        // Test-only abrupt deaths at named points (LABLOOP_FAILPOINT); no dependencies.
        .target(name: "LabLoopFailpoints", swiftSettings: upcoming),
        // 4. Pure domain core (no I/O, no clocks).
        .target(name: "LabLoopCore", swiftSettings: upcoming),
        // 3. Wire protocol: generated swift-protobuf types + framing, validation, conversions.
        .target(
            name: "LabLoopProtocol",
            dependencies: ["LabLoopCore", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            swiftSettings: upcoming
        ),
        // Envelope-level peer links shared by the SDKs and the CLI.
        .target(
            name: "LabLoopPeer",
            dependencies: ["ZeroMQ", "LabLoopCore", "LabLoopProtocol", "CProcessControl", .product(name: "Logging", package: "swift-log")],
            swiftSettings: upcoming
        ),
        // 5. Store
        .target(
            name: "LabLoopStore",
            dependencies: [
                "LabLoopCore", "LabLoopProtocol",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: upcoming
        ),
        // 6. Coordinator actors
        .target(
            name: "LabLoopCoordinator",
            dependencies: [
                "ZeroMQ", "LabLoopCore", "LabLoopProtocol", "LabLoopStore", "LabLoopFailpoints",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: upcoming
        ),
        // 7. Edges: SDKs, simulated instruments, CLI.
        .target(name: "LabLoopAgent", dependencies: ["LabLoopPeer", "LabLoopFailpoints"], swiftSettings: upcoming),
        .target(
            name: "LabLoopModel",
            dependencies: ["LabLoopPeer", "LabLoopCore", .product(name: "Logging", package: "swift-log")],
            swiftSettings: upcoming
        ),
        // Campaign files (YAML) with positioned diagnostics.
        .target(
            name: "LabLoopCampaignFile",
            dependencies: ["LabLoopCore", .product(name: "Yams", package: "Yams")],
            swiftSettings: upcoming
        ),
        .target(
            name: "Simulators",
            dependencies: ["LabLoopCore"],
            path: "Instruments/Simulators",
            swiftSettings: upcoming
        ),
        .target(
            name: "InstrumentSupport",
            dependencies: [
                "LabLoopAgent", "LabLoopPeer", "LabLoopCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Instruments/Support",
            swiftSettings: upcoming
        ),
        .executableTarget(
            name: "FlowReactor",
            dependencies: ["Simulators", "InstrumentSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Instruments/FlowReactor",
            swiftSettings: upcoming
        ),
        .executableTarget(
            name: "BenchmarkFunctions",
            dependencies: ["Simulators", "InstrumentSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Instruments/BenchmarkFunctions",
            swiftSettings: upcoming
        ),
        .executableTarget(
            name: "labloop",
            dependencies: [
                "LabLoopCoordinator", "LabLoopModel", "LabLoopPeer", "LabLoopStore", "Simulators", "LabLoopCampaignFile",
                "ZeroMQ",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: upcoming
        ),
        .testTarget(name: "ZeroMQTests", dependencies: ["ZeroMQ"], swiftSettings: upcoming),
        .testTarget(name: "CoreTests", dependencies: ["LabLoopCore", "Simulators", "LabLoopFailpoints"], swiftSettings: upcoming),
        .testTarget(
            name: "CampaignFileTests",
            dependencies: ["LabLoopCampaignFile", "LabLoopCore"],
            resources: [.copy("Fixtures")],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "ModelTests",
            dependencies: ["LabLoopModel", "LabLoopCore", "Simulators", .product(name: "Logging", package: "swift-log")],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "ProtocolTests",
            dependencies: ["LabLoopProtocol", "LabLoopCore", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "StoreTests",
            dependencies: [
                "LabLoopStore", "LabLoopProtocol", "LabLoopCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "LabLoopStore", "LabLoopPeer", "LabLoopProtocol", "LabLoopCore", "ZeroMQ", "LabLoopAgent",
                "LabLoopFailpoints",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: upcoming
        ),
    ]
)
