import ArgumentParser
import Foundation
import Topology
import VSwitch

struct SDNCtl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sdnctl",
        abstract: "SwiftSDN command-line client: topologies, switches, flows and labs.",
        version: "0.1.0",
        subcommands: [SwitchCommand.self, TopologyCommand.self, LabCommand.self]
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

/// `sdnctl topology validate FILE`: the whole file checked, every error as FILE:LINE:COL.
struct TopologyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topology", abstract: "Topology files.", subcommands: [Validate.self])

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a topology file, flows included; print every error as FILE:LINE:COL: message.")

        @Argument(help: "The topology YAML file.") var file: String

        func run() throws {
            do {
                let topology = try TopologyLoader.load(path: file)
                // Flows are checked per switch, where port names are known.
                var diagnostics: [TopologyDiagnostic] = []
                for config in topology.switches {
                    do { _ = try SwitchDefinition(config, file: file) } catch { diagnostics += error.diagnostics }
                }
                guard diagnostics.isEmpty else { throw TopologyError(diagnostics) }
                let flows = topology.switches.reduce(0) { $0 + $1.flows.count }
                print("\(file): ok: \(topology.switches.count) switch(es), \(topology.hosts.count) host(s), \(topology.links.count) link(s), \(flows) flow(s)")
            } catch let error as TopologyError {
                FileHandle.standardError.write(Data("\(error)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}
