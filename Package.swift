// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "SwiftSDN",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "vswitchd", targets: ["vswitchd"]),
        .executable(name: "sdn-controller", targets: ["sdn-controller"]),
        .executable(name: "sdnctl", targets: ["sdnctl"]),
        .library(name: "Packet", targets: ["Packet"]),
        .library(name: "Pcap", targets: ["Pcap"]),
        .library(name: "VSwitch", targets: ["VSwitch"]),
        .library(name: "OpenFlow", targets: ["OpenFlow"]),
        .library(name: "Controller", targets: ["Controller"]),
        .library(name: "FlowRules", targets: ["FlowRules"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-atomics.git", from: "1.3.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
    ],
    targets: [
        // C helpers Swift cannot call directly (batched socket calls, TUN ioctl constants).
        .target(name: "CShims", cSettings: [.define("_GNU_SOURCE")]),
        .systemLibrary(name: "CPcap", pkgConfig: "libpcap",
                       providers: [.apt(["libpcap-dev"])]),
        .systemLibrary(name: "CNetlink", pkgConfig: "libnl-route-3.0",
                       providers: [.apt(["libnl-3-dev", "libnl-route-3-dev"])]),

        .target(name: "Packet"),
        .target(name: "Pcap", dependencies: ["CPcap"]),
        .target(name: "HostNet", dependencies: ["CNetlink", "CShims"]),
        .target(name: "Topology", dependencies: [.product(name: "Yams", package: "Yams")]),
        .target(name: "OpenFlow", dependencies: ["Packet"]),
        // Flows as users write them (ovs-ofctl syntax) and as OpenFlow carries them; shared by
        // the switch and the controller, which meet only on the wire.
        .target(name: "FlowRules", dependencies: ["Packet", "OpenFlow"]),
        .target(name: "VSwitch", dependencies: [
            "Packet", "Pcap", "CShims", "HostNet", "Topology", "OpenFlow", "FlowRules",
            .product(name: "Atomics", package: "swift-atomics"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),

        .target(name: "Controller", dependencies: [
            "OpenFlow", "Packet", "Topology", "FlowRules",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        // `sdnctl lab`: a topology brought to life on this machine (namespaces, veth links,
        // switch and controller processes), and taken down again from its state file.
        .target(name: "Lab", dependencies: ["Topology", "HostNet", "CShims"]),

        .executableTarget(name: "vswitchd", dependencies: [
            "VSwitch",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "sdn-controller", dependencies: [
            "Controller",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "sdnctl", dependencies: [
            "VSwitch", "Topology", "Controller", "FlowRules", "Lab",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "PacketTests", dependencies: ["Packet", "Pcap", "TestSupport"]),
        .testTarget(name: "PcapTests", dependencies: ["Pcap", "TestSupport"]),
        .testTarget(name: "VSwitchTests", dependencies: ["VSwitch", "FlowRules", "OpenFlow", "Packet", "Pcap", "Topology", "TestSupport"]),
        .testTarget(name: "HostNetTests", dependencies: ["HostNet", "TestSupport"]),
        .testTarget(name: "TopologyTests", dependencies: ["Topology", "TestSupport"]),
        .testTarget(name: "IntegrationTests", dependencies: ["TestSupport"]),
        .testTarget(name: "OpenFlowTests", dependencies: ["OpenFlow", "Packet", "Pcap", "TestSupport"]),
        .testTarget(name: "ControllerTests", dependencies: [
            "Controller", "OpenFlow", "FlowRules", "Topology", "Packet", "TestSupport",
            .product(name: "Yams", package: "Yams"),
        ]),
    ]
)
