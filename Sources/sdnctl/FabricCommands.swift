import ArgumentParser
import Controller
import Foundation
import VSwitch

/// `sdnctl switches`: every switch the controller knows.
struct SwitchesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "switches", abstract: "Switches known to the controller.")
    @OptionGroup var options: ControllerOptions

    func run() throws {
        let list = try failing { try options.client().get("/v1/switches", as: APISwitchList.self) }
        options.output(list) {
            printTable(["SWITCH", "DATAPATH", "CONNECTED", "ADDRESS", "PORTS", "FLOWS"], list.switches.map {
                [$0.name, $0.datapathId, $0.connected ? "yes" : "no", $0.address ?? "-", $0.ports.map(String.init) ?? "-", "\($0.intendedFlows)"]
            })
        }
    }
}

/// `sdnctl ports SWITCH`.
struct PortsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ports", abstract: "A connected switch's ports, as it reported them.")
    @Argument(help: "Switch name (from the applied topology) or datapath id.") var name: String
    @OptionGroup var options: ControllerOptions

    func run() throws {
        let list = try failing { try options.client().get("/v1/switches/\(APIClient.escape(name))/ports", as: APIPortList.self) }
        options.output(list) {
            printTable(["PORT", "NAME", "MAC", "STATE"], list.ports.map { ["\($0.number)", $0.name, $0.mac, $0.up ? "up" : "down"] })
        }
    }
}

/// `sdnctl flows dump|add|del SWITCH [FLOW]`.
struct FlowsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flows", abstract: "Flows of a switch through the controller.", subcommands: [Dump.self, Add.self, Del.self])

    struct Dump: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The switch's flow table, read from the switch, with counters.")
        @Argument(help: "Switch name or datapath id.") var name: String
        @OptionGroup var options: ControllerOptions

        func run() throws {
            let list = try failing { try options.client().get("/v1/switches/\(APIClient.escape(name))/flows", as: APIFlowList.self) }
            options.output(list) {
                printTable(["TABLE", "PRIORITY", "PACKETS", "BYTES", "FLOW"], list.flows.map {
                    ["\($0.table)", "\($0.priority)", "\($0.packets)", "\($0.bytes)", $0.text]
                })
            }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add flows (ovs-ofctl syntax) to the switch's intended state; installed now if it is connected.")
        @Argument(help: "Switch name or datapath id.") var name: String
        @Argument(help: "One or more flows.") var flows: [String]
        @OptionGroup var options: ControllerOptions

        func run() throws {
            let change = try failing {
                try options.client().post("/v1/switches/\(APIClient.escape(name))/flows", APIFlowsRequest(flows: flows), as: APIFlowsChange.self)
            }
            options.output(change) {
                print("\(change.switch): \(change.flows.count) flow(s) added" + (change.installed ? ", \(change.flowModsSent) flow-mod(s) sent" : ", installed when it connects"))
            }
        }
    }

    struct Del: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete flows added with `flows add` that MATCH selects (all of them without one).")
        @Argument(help: "Switch name or datapath id.") var name: String
        @Argument(help: "A match in ovs-ofctl syntax, e.g. 'ip,nw_dst=10.0.0.0/8'.") var match: String?
        @OptionGroup var options: ControllerOptions

        func run() throws {
            let query = match.map { "?match=\(APIClient.escape($0))" } ?? ""
            let change = try failing { try options.client().delete("/v1/switches/\(APIClient.escape(name))/flows\(query)", as: APIFlowsChange.self) }
            options.output(change) {
                print("\(change.switch): \(change.flows.count) flow(s) deleted" + (change.installed ? ", \(change.flowModsSent) flow-mod(s) sent" : ""))
            }
        }
    }
}

/// `sdnctl hosts`: the applied topology's hosts.
struct HostsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hosts", abstract: "Hosts of the applied topology.")
    @OptionGroup var options: ControllerOptions

    func run() throws {
        let list = try failing { try options.client().get("/v1/hosts", as: APIHostList.self) }
        options.output(list) {
            printTable(["HOST", "SWITCH", "PORT", "NAMESPACE", "INTERFACE", "MAC", "IPV4", "IPV6"], list.hosts.map {
                [$0.name, $0.switch, "\($0.port)", $0.namespace, $0.interface, $0.mac ?? "-", $0.ipv4 ?? "-", $0.ipv6 ?? "-"]
            })
        }
    }
}

/// `sdnctl links`: links the controller discovered with LLDP.
struct LinksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "links", abstract: "Switch-to-switch links discovered by LLDP.")
    @OptionGroup var options: ControllerOptions

    func run() throws {
        let list = try failing { try options.client().get("/v1/links", as: APILinkList.self) }
        options.output(list) {
            printTable(["FROM", "TO", "AGE"], list.links.map {
                ["\($0.source.switch):\($0.source.port)", "\($0.destination.switch):\($0.destination.port)", String(format: "%.1fs", $0.ageSeconds)]
            })
        }
    }
}

/// `sdnctl trace SWITCH FLOW-DESCRIPTION`: asks the switch itself, over its control socket.
struct TraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace", abstract: "The tables a packet would visit on a switch, like ofproto/trace (asks the switch's control socket).")
    @Argument(help: "Switch name.") var name: String
    @Argument(help: "The packet, e.g. 'in_port=1,dl_dst=02:00:00:00:00:02,ip,nw_dst=10.0.0.2'.") var description: [String]
    @Option(help: "Control socket path (default /run/swiftsdn/NAME.sock).") var socket: String?

    func run() throws {
        var command = SwitchCommand()
        command.name = name
        command.command = ["trace"] + description
        command.socket = socket
        try command.run()
    }
}
