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
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
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

        .executableTarget(name: "vswitchd", dependencies: [
            "Packet", "Pcap",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "sdn-controller", dependencies: [
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "sdnctl", dependencies: [
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "PacketTests", dependencies: ["Packet", "Pcap", "TestSupport"]),
        .testTarget(name: "PcapTests", dependencies: ["Pcap", "TestSupport"]),
    ]
)
