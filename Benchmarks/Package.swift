// swift-tools-version: 6.1
// In-process benchmarks for SwiftSDN, kept in their own package so the main package's
// build and `swift test` never fetch or compile the benchmark dependencies.
// Run from this folder: swift package benchmark  (see README.md)
import PackageDescription

let package = Package(
    name: "SwiftSDNBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "SwiftSDN", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1",
                 traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "PacketBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Packet", package: "SwiftSDN"),
            ],
            path: "Benchmarks/PacketBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
    ]
)
