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
        .executableTarget(
            name: "ClassifierBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Packet", package: "SwiftSDN"),
                .product(name: "VSwitch", package: "SwiftSDN"),
                .product(name: "FlowRules", package: "SwiftSDN"),
            ],
            path: "Benchmarks/ClassifierBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
        .executableTarget(
            name: "OpenFlowBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "OpenFlow", package: "SwiftSDN"),
                .product(name: "Packet", package: "SwiftSDN"),
            ],
            path: "Benchmarks/OpenFlowBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
        // cbench-like OpenFlow load generator and flow-install driver (tools/bench/controller).
        .executableTarget(
            name: "ofbench",
            dependencies: [
                .product(name: "OpenFlow", package: "SwiftSDN"),
                .product(name: "Packet", package: "SwiftSDN"),
                .product(name: "Controller", package: "SwiftSDN"),
            ],
            path: "Tools/ofbench"
        ),
    ]
)
