import ArgumentParser
import Foundation
import Lab
import Topology
import VSwitch

/// `sdnctl lab up|down|exec`: a topology brought to life on this machine and taken down again.
struct LabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab",
        abstract: "Run a topology on this machine: namespaces, links, switches and controller.",
        subcommands: [Up.self, Down.self, Exec.self])

    struct Options: ParsableArguments {
        @Option(help: "Where lab state files and daemon logs live.")
        var stateDir: String = LabStateStore.defaultDirectory
        @Flag(help: "Print one JSON object at the end instead of the steps as text.")
        var json = false
    }

    struct Up: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create the topology's links and namespaces, start its switches (and controller) and apply it.")

        @Argument(help: "The topology YAML file.") var file: String
        @Option(help: "The controller's REST API address HOST:PORT (given to a controller the lab starts).")
        var api: String = LabRunner.defaultAPI
        @OptionGroup var options: Options

        func run() throws {
            let runner = LabRunner(stateDirectory: options.stateDir, api: api, json: options.json,
                                   check: LabCommand.checkFlows)
            try LabCommand.finish(options.json) { () throws(LabFailure) in
                try runner.up(path: file, controller: RESTApply())
            }
        }
    }

    struct Down: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop the lab's processes and remove its devices, namespaces and state file (also after a crash).")

        @Argument(help: "The topology YAML file (or use --name).") var file: String?
        @Option(help: "The topology name, when the file is gone.") var name: String?
        @OptionGroup var options: Options

        func run() throws {
            if (file == nil) == (name == nil) {
                LabCommand.complain("lab down: give either FILE or --name NAME")
                throw ExitCode(1)
            }
            let runner = LabRunner(stateDirectory: options.stateDir, json: options.json)
            try LabCommand.finish(options.json) { () throws(LabFailure) in
                try runner.down(path: file, name: name)
            }
        }
    }

    struct Exec: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a command inside a lab host's network namespace; exits with the command's status.",
            usage: "sdnctl lab exec HOST [--name TOPOLOGY] [--state-dir DIR] -- CMD [ARGS…]")

        @Argument(help: "The host name from the topology.") var host: String
        @Option(help: "The topology name (default: search every lab that is up).") var name: String?
        @Option(help: "Where lab state files live.") var stateDir: String = LabStateStore.defaultDirectory
        @Argument(parsing: .postTerminator, help: "The command and its arguments, after --.") var command: [String] = []

        func run() throws {
            do {
                let (_, record) = try HostExec.find(host: host, topology: name, store: LabStateStore(directory: stateDir))
                try HostExec.exec(record, command)
            } catch {
                LabCommand.complain("\(error)")
                throw ExitCode(error.exitStatus)
            }
        }
    }

    /// Flows are checked with the switch's own parser, which the Lab module cannot import,
    /// so a bad flow is refused before anything is created.
    static func checkFlows(_ topology: TopologyFile) throws {
        var diagnostics: [TopologyDiagnostic] = []
        for config in topology.switches {
            do { _ = try SwitchDefinition(config, file: topology.path) } catch { diagnostics += error.diagnostics }
        }
        if !diagnostics.isEmpty { throw TopologyError(diagnostics) }
    }

    /// Prints the JSON report (with --json) and turns a failure into one stderr message and exit 1.
    static func finish(_ json: Bool, _ body: () throws(LabFailure) -> LabReport) throws {
        do {
            let report = try body()
            if json { print(report.jsonText()) }
        } catch {
            if json { print(error.report.jsonText()) }
            // The loader's errors are already FILE:LINE:COL lines, one per problem.
            if let topologyError = error.underlying as? TopologyError {
                FileHandle.standardError.write(Data("\(topologyError)\n".utf8))
            } else {
                complain("\(error.underlying)")
            }
            throw ExitCode(1)
        }
    }

    static func complain(_ message: String) {
        FileHandle.standardError.write(Data("sdnctl: \(message)\n".utf8))
    }
}
