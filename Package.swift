// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "swift-pretrained",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Pretrained", targets: ["Pretrained"]),
        .executable(name: "pretrained", targets: ["PretrainedCLI"]),
        .executable(name: "pretrained-bench", targets: ["PretrainedBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        .target(
            name: "CSupport",
            path: "CSupport",
            cSettings: [.define("_GNU_SOURCE")],
            linkerSettings: [
                .linkedLibrary("zstd"), .linkedLibrary("lz4"),
                // SHA-256: OpenSSL's libcrypto on Linux; CommonCrypto is part of Apple's libSystem.
                .linkedLibrary("crypto", .when(platforms: [.linux])),
            ]
        ),
        .target(
            name: "Pretrained",
            dependencies: ["CSupport"],
            exclude: ["README.md"]
        ),
        .executableTarget(
            name: "PretrainedCLI",
            dependencies: ["Pretrained", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Hostile-input harness (see SECURITY.md): the oracles libFuzzer drives, replayed by the tests,
        // and the libFuzzer entry point, which only `scripts/fuzz` builds with `-DFUZZING`.
        .target(name: "PretrainedFuzzTargets", dependencies: ["Pretrained"], path: "Fuzz/Targets"),
        .executableTarget(name: "PretrainedFuzz", dependencies: ["PretrainedFuzzTargets"], path: "Fuzz/Driver"),
        .executableTarget(
            name: "PretrainedBench",
            dependencies: ["Pretrained", "CSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(
            name: "PretrainedTests",
            dependencies: [
                "Pretrained", "PretrainedCLI", "PretrainedFuzzTargets",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            resources: [.copy("Fixtures"), .copy("FuzzCorpus")]
        ),
    ]
)
