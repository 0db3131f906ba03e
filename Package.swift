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
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
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
        // The Spec's test vectors, generated from the reference code (Spec/vectors/).
        .target(
            name: "CouncilVectors",
            dependencies: ["CouncilWire", "CouncilProtocol", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .executableTarget(
            name: "council",
            dependencies: [
                "CouncilWire", "CouncilProtocol", "CouncilVectors", "CouncilSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "councild",
            dependencies: [
                "CouncilWire", "CouncilProtocol",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // libFuzzer target for the decoder: Tests/Fuzz/run builds it with --sanitize=fuzzer.
        .executableTarget(name: "CouncilFuzz", dependencies: ["CouncilVectors"]),
        .testTarget(
            name: "CouncilWireTests",
            dependencies: ["CouncilWire", "CouncilProtocol", "CouncilVectors"],
            resources: [.copy("Regressions")]
        ),
        .testTarget(name: "CouncilProtocolTests", dependencies: ["CouncilWire", "CouncilProtocol", "CouncilSimulator"]),
    ]
)
