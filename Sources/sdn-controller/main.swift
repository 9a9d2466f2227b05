import ArgumentParser

struct SDNController: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sdn-controller",
        abstract: "SwiftSDN controller: compiles topologies and programs switches over OpenFlow 1.3.",
        version: "0.1.0"
    )
}

SDNController.main()
