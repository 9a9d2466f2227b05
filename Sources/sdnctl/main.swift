import ArgumentParser
import Foundation
import Topology
import VSwitch

struct SDNCtl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sdnctl",
        abstract: "SwiftSDN command-line client: topologies, switches, flows and labs.",
        version: "0.1.0",
        subcommands: [TopologyCommand.self, LabCommand.self, SwitchesCommand.self, PortsCommand.self, FlowsCommand.self,
                      HostsCommand.self, LinksCommand.self, TraceCommand.self, SwitchCommand.self]
    )
}

/// `sdnctl switch NAME COMMAND …`: talks to a running vswitchd over its control socket.
struct SwitchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switch",
        abstract: "Local commands to a running vswitchd.",
        discussion: """
        COMMAND is one of:
          show                      ports, state and counters
          dump-flows [TABLE]        installed flows with counters
          add-flow FLOW             add one flow (ovs-ofctl syntax)
          del-flows [MATCH]         delete the flows the match selects (all without one)
          fdb                       the MAC learning table
          trace FLOW-DESCRIPTION    the tables a packet would visit, like ofproto/trace
        """)

    @Argument(help: "The switch name (its control socket is /run/swiftsdn/NAME.sock).") var name: String
    @Argument(help: "The command and its arguments.") var command: [String]
    @Option(help: "Control socket path (overrides the default from NAME).") var socket: String?

    func run() throws {
        let path = socket ?? "/run/swiftsdn/\(name).sock"
        do {
            let (ok, output) = try ControlServer.request(path: path, command)
            if ok {
                FileHandle.standardOutput.write(Data(output.utf8))
            } else {
                FileHandle.standardError.write(Data("sdnctl: \(output)".utf8))
                throw ExitCode(1)
            }
        } catch let error as PortError {
            FileHandle.standardError.write(Data("sdnctl: switch \(name): \(error.operation): \(error.reason)\n".utf8))
            throw ExitCode(1)
        }
    }
}


SDNCtl.main()
