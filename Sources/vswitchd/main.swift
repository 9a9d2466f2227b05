import FlowRules
import ArgumentParser
import Foundation
import Topology
import VSwitch

struct VSwitchD: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vswitchd",
        abstract: "SwiftSDN userspace virtual switch: moves Ethernet frames between TAP, veth/NIC and pcap ports through an OpenFlow 1.3 pipeline.",
        version: "0.1.0",
        subcommands: [Run.self, ReplayCommand.self]
    )
}

/// Loads the switch from a topology or switch file; user mistakes end the program with the
/// located errors and exit status 1.
func loadDefinition(_ path: String, _ name: String?) throws -> (TopologyFile, SwitchDefinition) {
    do {
        let (file, config) = try TopologyLoader.loadSwitch(path: path, name: name)
        return (file, try SwitchDefinition(config, file: path))
    } catch {
        FileHandle.standardError.write(Data("\(error)\n".utf8))
        throw ExitCode(1)
    }
}

/// Writes a line to stdout unbuffered, so logs and test harnesses see it at once.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func fail(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("vswitchd: \(message)\n".utf8))
    return ExitCode(1)
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run a switch until SIGTERM or SIGINT.")

    @Option(help: "Topology or switch YAML file.") var config: String
    @Option(name: .customLong("switch"), help: "Which switch of the file to run (may be left out when it holds one).") var switchName: String?
    @Option(help: "Control socket path (default /run/swiftsdn/NAME.sock).") var controlSocket: String?
    @Option(help: "Passive OpenFlow listener ptcp:PORT[:IP] (default: the file's `listen`, else ptcp:6634 on loopback if free).") var listen: String?
    @Option(parsing: .unconditional, help: ArgumentHelp("Niceness of the datapath thread, -20…19; -10 is what Open vSwitch's ovs-ctl gives ovs-vswitchd (lowering it needs CAP_SYS_NICE).", valueName: "N"))
    var datapathNice: Int32 = -10
    @Option(help: ArgumentHelp("Microseconds the datapath keeps polling without sleeping after it last forwarded a frame, 0…1000000 (default 200). Longer windows shorten round trips of sparse traffic at the cost of a busy core while it flows; an idle switch sleeps either way.", valueName: "USEC"))
    var busyPollUsec: UInt64 = VirtualSwitch.defaultBusyPollNanoseconds / 1000

    func validate() throws {
        guard (-20...19).contains(datapathNice) else { throw ValidationError("--datapath-nice must be within -20…19") }
        guard busyPollUsec <= 1_000_000 else { throw ValidationError("--busy-poll-usec must be within 0…1000000") }
    }

    func run() throws {
        let (file, definition) = try loadDefinition(config, switchName)
        // Block the stop signals before any thread starts, so they all inherit the mask and
        // only sigwait below sees them.
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        sigaddset(&stopSignals, SIGTERM)
        sigaddset(&stopSignals, SIGINT)
        pthread_sigmask(SIG_BLOCK, &stopSignals, nil)

        let sw: VirtualSwitch
        do { sw = try VirtualSwitch(definition) } catch { throw fail("\(error)") }
        var attachments: [HostAttachment] = []
        for host in file.hosts(on: definition.name) {
            guard let port = definition.ports.first(where: { $0.number.rawValue == host.port }), port.kind == .tap else { continue }
            do {
                attachments.append(try HostAttachment.attach(host, tapName: port.name))
                sw.setPortLocation(port.number, namespace: host.namespace, interface: host.interface)
            } catch {
                attachments.forEach { $0.detach() }
                sw.close()
                throw fail("host \(host.name): \(error)")
            }
        }
        let socketPath = controlSocket ?? definition.controlSocket ?? "/run/swiftsdn/\(definition.name).sock"
        let control: ControlServer
        do {
            control = try ControlServer(path: socketPath) { args in sw.runCommand(args) }
        } catch {
            attachments.forEach { $0.detach() }
            sw.close()
            throw fail("\(error)")
        }
        let agent: OpenFlowAgent
        do {
            agent = try startAgent(sw, definition)
        } catch {
            control.close()
            attachments.forEach { $0.detach() }
            sw.close()
            throw fail("\(error)")
        }
        if let problem = sw.start(datapathNice: datapathNice, busyPollNanoseconds: busyPollUsec * 1000) {
            say("vswitchd: warning: could not set the \(problem); forwarding at the inherited niceness")
        }
        say("vswitchd: switch \(definition.name) running with \(definition.ports.count) ports, control socket \(socketPath)")
        var received: Int32 = 0
        sigwait(&stopSignals, &received)
        agent.stop()
        sw.stop()
        control.close()
        sw.close()
        attachments.forEach { $0.detach() }
        say("vswitchd: switch \(definition.name) stopped (signal \(received))")
    }
}

extension Run {
    /// Starts the OpenFlow agent: the configured controllers, and the passive listener. The
    /// default listener (6634) is best effort: another switch on this machine may hold it.
    func startAgent(_ sw: VirtualSwitch, _ definition: SwitchDefinition) throws -> OpenFlowAgent {
        var controllers: [OpenFlowAgent.Target] = []
        for text in definition.controllers {
            guard let target = OpenFlowAgent.Target.parse(text, passive: false) else { throw fail("bad controller '\(text)' (expected tcp:IP[:PORT])") }
            controllers.append(target)
        }
        let explicit = listen ?? definition.listen
        var passive: OpenFlowAgent.Target?
        if let explicit {
            guard let t = OpenFlowAgent.Target.parse(explicit, passive: true) else { throw fail("bad listener '\(explicit)' (expected ptcp:PORT[:IP])") }
            passive = t
        } else {
            passive = OpenFlowAgent.Target(host: "127.0.0.1", port: 6634)
        }
        let agent = OpenFlowAgent(switch: sw, controllers: controllers, listen: passive)
        do {
            try agent.start()
        } catch where explicit == nil {
            agent.stop()
            say("vswitchd: default OpenFlow listener ptcp:6634 unavailable (\(error)); running without it")
            let fallback = OpenFlowAgent(switch: sw, controllers: controllers, listen: nil)
            try fallback.start()
            return fallback
        }
        if let port = agent.listeningPort { say("vswitchd: OpenFlow listener on \(passive!.host):\(port)") }
        return agent
    }
}

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Run the pipeline offline over pcap inputs and write each port's output to DIR/PORT.pcap.")

    @Option(help: "Topology or switch YAML file.") var config: String
    @Option(name: .customLong("switch"), help: "Which switch of the file (may be left out when it holds one).") var switchName: String?
    @Option(help: "Flows file: one ovs-ofctl flow per line, `group_id=` lines for groups, # comments.") var flows: String?
    @Option(name: .customLong("in"), help: "PORT=FILE.pcap: frames entering on a port (number or name). Repeatable.") var inputs: [String] = []
    @Option(help: "Directory for the output pcaps.") var outDir: String

    func run() throws {
        let (_, definition) = try loadDefinition(config, switchName)
        var extraFlows: [FlowSpec] = []
        var groups: [GroupEntry] = []
        if let flows {
            guard let text = try? String(contentsOfFile: flows, encoding: .utf8) else { throw fail("cannot read \(flows)") }
            do {
                (extraFlows, groups) = try FlowSyntax.parseFlowsAndGroups(text, portNames: definition.portNames)
            } catch {
                throw fail("\(flows): \(error)")
            }
        }
        var replayInputs: [Replay.Input] = []
        for spec in inputs {
            guard let eq = spec.firstIndex(of: "=") else { throw fail("--in \(spec): expected PORT=FILE") }
            let portText = String(spec[..<eq]), path = String(spec[spec.index(after: eq)...])
            guard let port = UInt32(portText).map({ PortNumber($0) }) ?? definition.portNames[portText] else {
                throw fail("--in \(spec): no port '\(portText)' (ports: \(definition.ports.map(\.name).joined(separator: ", ")))")
            }
            replayInputs.append(Replay.Input(port: port, path: path))
        }
        try? FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true)
        do {
            let sw = try Replay.run(definition, groups: groups, extraFlows: extraFlows, inputs: replayInputs, outputDirectory: outDir)
            print(sw.showText())
        } catch {
            throw fail("\(error)")
        }
    }
}

VSwitchD.main()
