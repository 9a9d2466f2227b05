import ArgumentParser
import Controller
import Foundation
import Topology
import VSwitch

/// `sdnctl topology validate|apply|show|diff`.
struct TopologyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topology", abstract: "Topology files: check them, and apply them through the controller.",
        subcommands: [Validate.self, Apply.self, Show.self, Diff.self])

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
                let computed = try TopologyCompiler.compile(topology, yaml: "")
                let flows = computed.flowCount
                print("\(file): ok: \(topology.switches.count) switch(es), \(topology.hosts.count) host(s), \(topology.links.count) link(s), \(flows) flow(s)")
            } catch let error as TopologyError {
                FileHandle.standardError.write(Data("\(error)\n".utf8))
                throw ExitCode(1)
            }
        }
    }

    /// The request body for a file: its text and its name for diagnostics.
    static func request(_ file: String) throws -> APITopologyRequest {
        try failing {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw APIError(error: "cannot read \(file)")
            }
            return APITopologyRequest(path: file, yaml: String(decoding: data, as: UTF8.self))
        }
    }

    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply a topology: the controller stores it and sends each switch only the flows that differ.")

        @Argument(help: "The topology YAML file.") var file: String
        @OptionGroup var options: ControllerOptions

        func run() throws {
            let body = try TopologyCommand.request(file)
            let result = try failing { try options.client().post("/v1/topology", body, as: APIApplyResult.self) }
            options.output(result) {
                print("topology '\(result.name)' applied: \(result.flowModsSent) flow-mod(s) sent")
                printTable(["SWITCH", "DATAPATH", "CONNECTED", "FLOWS", "ADDED", "DELETED", "UNCHANGED"], result.switches.map {
                    [$0.name, $0.datapathId, $0.connected ? "yes" : "no (on connect)", "\($0.flows)", "\($0.added)", "\($0.deleted)", "\($0.unchanged)"]
                })
                for s in result.switches { for r in s.refused { print("\(s.name): refused: \(r)") } }
            }
            if result.switches.contains(where: { !$0.refused.isEmpty }) { throw ExitCode(1) }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The topology the controller has applied.")

        @Flag(help: "Print the applied YAML.") var yaml = false
        @OptionGroup var options: ControllerOptions

        func run() throws {
            let topology = try failing { try options.client().get("/v1/topology", as: APITopology.self) }
            options.output(topology) {
                if yaml { print(topology.yaml, terminator: topology.yaml.hasSuffix("\n") ? "" : "\n"); return }
                print("topology '\(topology.name)' from \(topology.path): \(topology.switches.count) switch(es), \(topology.hosts) host(s), \(topology.links) link(s)")
                printTable(["SWITCH", "DATAPATH", "FLOWS", "SOURCE", "CONNECTED"], topology.switches.map {
                    [$0.name, $0.datapathId, "\($0.flows)", $0.computed ? "computed" : "file", $0.connected ? "yes" : "no"]
                })
            }
        }
    }

    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the flow-mods applying a topology would send (+ add or replace, - delete).")

        @Argument(help: "The topology YAML file.") var file: String
        @Flag(name: .customLong("exit-code"), help: "Exit 1 when applying would change something, as git diff --exit-code.")
        var exitCode = false
        @OptionGroup var options: ControllerOptions

        func run() throws {
            let body = try TopologyCommand.request(file)
            let diff = try failing { try options.client().post("/v1/topology/diff", body, as: APIDiff.self) }
            options.output(diff) {
                for s in diff.switches where !s.add.isEmpty || !s.delete.isEmpty {
                    print("\(s.name) (\(s.datapathId))\(s.connected ? "" : ", not connected: against its intended flows"):")
                    s.delete.forEach { print("- \($0)") }
                    s.add.forEach { print("+ \($0)") }
                }
                print("\(diff.flowMods) flow-mod(s)")
            }
            if exitCode && diff.flowMods > 0 { throw ExitCode(1) }
        }
    }
}
