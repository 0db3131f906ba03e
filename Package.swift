// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "council",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "CouncilWire", targets: ["CouncilWire"]),
        .library(name: "CouncilProtocol", targets: ["CouncilProtocol"]),
        .executable(name: "council", targets: ["council"]),
        .executable(name: "councild", targets: ["councild"]),
        .executable(name: "council-bench", targets: ["council-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.0.0"),
    ],
    targets: [
        // The wire codec: byte-exact framing and canonical encoding. No dependencies at all (Spec §4–§6).
        .target(name: "CouncilWire"),
        // The protocol core: signatures, roster, session handshake, council semantics. No I/O.
        .target(
            name: "CouncilProtocol",
            dependencies: ["CouncilWire", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // The deterministic federation simulator: many cores over a virtual network and clock.
        .target(name: "CouncilSimulator", dependencies: ["CouncilWire", "CouncilProtocol"]),
        // The node daemon's shell: SwiftNIO links, SQLite storage, the operator channel, metrics.
        .target(
            name: "CouncilNode",
            dependencies: [
                "CouncilWire", "CouncilProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // The black-box conformance suite: a controllable peer and the cases (Spec/CONFORMANCE.md).
        .target(
            name: "CouncilConformance",
            dependencies: [
                "CouncilWire", "CouncilProtocol", "CouncilVectors",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        // The Spec's test vectors, generated from the reference code (Spec/vectors/).
        .target(
            name: "CouncilVectors",
            dependencies: ["CouncilWire", "CouncilProtocol", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .executableTarget(
            name: "council",
            dependencies: [
                "CouncilWire", "CouncilProtocol", "CouncilVectors", "CouncilSimulator", "CouncilNode", "CouncilConformance",
                // `council up`, `replay` and `conformance --self-test` start the councild beside
                // them: depending on it makes `swift run council up` build it on a fresh clone.
                "councild",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "councild",
            dependencies: [
                "CouncilWire", "CouncilProtocol", "CouncilNode",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The benchmark suite (Benchmarks/run, BENCHMARKS.md).
        .executableTarget(
            name: "council-bench",
            dependencies: ["CouncilWire", "CouncilProtocol", "CouncilSimulator", "CouncilNode", "CouncilConformance"],
            path: "Benchmarks/Sources/council-bench"
        ),
        // The namespaced fault runs (Tests/Faults/run, RELIABILITY.md).
        .executableTarget(
            name: "council-faults",
            dependencies: [
                "CouncilWire", "CouncilProtocol", "CouncilNode",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tests/Faults/Driver"
        ),
        // libFuzzer target for the decoder: Tests/Fuzz/run builds it with --sanitize=fuzzer.
        .executableTarget(name: "CouncilFuzz", dependencies: ["CouncilVectors"]),
        .testTarget(
            name: "CouncilWireTests",
            dependencies: ["CouncilWire", "CouncilProtocol", "CouncilVectors"],
            resources: [.copy("Regressions")]
        ),
        // Faulty rules that tests plant to show the checkers catch them; no product depends on it.
        .target(name: "PlantedFaults", dependencies: ["CouncilWire", "CouncilProtocol"], path: "Tests/PlantedFaults"),
        .testTarget(name: "CouncilProtocolTests", dependencies: ["CouncilWire", "CouncilProtocol", "CouncilSimulator", "PlantedFaults"]),
        .testTarget(
            name: "CouncilNodeTests",
            dependencies: [
                "CouncilWire", "CouncilProtocol", "CouncilNode", "CouncilConformance", "councild", "council", "PlantedFaults",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
    ]
)
