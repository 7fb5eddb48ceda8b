// swift-tools-version:6.1
// A consumer of swift-pretrained, as a user's package depends on it (by path here; by URL in
// yours, as the README shows). It builds and runs every code block of the README's library
// sections; scripts/test builds and runs it, and scripts/check-readme keeps the README's blocks
// identical to the regions of Sources/ReadmeExamples/main.swift marked `// README:`.
import PackageDescription

let package = Package(
    name: "Consumer",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "swift-pretrained", path: "../..")],
    targets: [
        .executableTarget(
            name: "ReadmeExamples",
            dependencies: [.product(name: "Pretrained", package: "swift-pretrained")]
        ),
    ]
)
