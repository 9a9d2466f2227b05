import ArgumentParser

struct SDNCtl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sdnctl",
        abstract: "SwiftSDN command-line client: topologies, switches, flows and labs.",
        version: "0.1.0"
    )
}

SDNCtl.main()
