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
        // `FilePath` beside `String` for paths (a small package: about 15 s of a first debug build).
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        // `swift package generate-documentation --target Pretrained` (the DocC catalog).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // The system libraries the shim wraps, found through pkg-config (Homebrew's included);
        // `providers` name the package that installs each where pkg-config finds nothing.
        .systemLibrary(
            name: "CZstd", path: "CSupport/System/zstd", pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"]), .brew(["zstd"]), .yum(["libzstd-devel"])]),
        .systemLibrary(
            name: "CLZ4", path: "CSupport/System/lz4", pkgConfig: "liblz4",
            providers: [.apt(["liblz4-dev"]), .brew(["lz4"]), .yum(["lz4-devel"])]),
        // SHA-256 on Linux; Apple platforms use CommonCrypto, part of the system.
        .systemLibrary(
            name: "CCrypto", path: "CSupport/System/crypto", pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"]), .yum(["openssl-devel"])]),
        .target(
            name: "CSupport",
            dependencies: ["CZstd", "CLZ4", .target(name: "CCrypto", condition: .when(platforms: [.linux]))],
            path: "CSupport",
            exclude: ["System"],
            cSettings: [.define("_GNU_SOURCE")]
        ),
        .target(
            name: "Pretrained",
            dependencies: ["CSupport", .product(name: "SystemPackage", package: "swift-system")],
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
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            resources: [.copy("Fixtures"), .copy("FuzzCorpus")]
        ),
    ]
)
