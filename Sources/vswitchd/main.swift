import ArgumentParser

struct VSwitchD: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vswitchd",
        abstract: "SwiftSDN userspace virtual switch: moves Ethernet frames between TAP, veth/NIC, VXLAN and bond ports through an OpenFlow 1.3 pipeline.",
        version: "0.1.0"
    )
}

VSwitchD.main()
