import Foundation
import Yams

/// Loads topology files (see DESIGN.md, "One file format for switches and topologies").
///
/// A file with any mistake is refused as a whole: the error lists every problem found, each as
/// `file:line:col: message`, in file order.
public enum TopologyLoader {
    /// Loads and validates a topology file. `flowValidator` returns an error message for a flow
    /// string it cannot parse (callers pass the ovs-ofctl flow parser); the message is reported
    /// at the flow's line and column.
    public static func load(path: String, flowValidator: ((String) -> String?)? = nil) throws(TopologyError) -> TopologyFile {
        try parse(yaml: readFile(path), file: path, flowValidator: flowValidator)
    }

    /// Validates topology YAML text; `file` names it in diagnostics.
    public static func parse(yaml: String, file: String, flowValidator: ((String) -> String?)? = nil) throws(TopologyError) -> TopologyFile {
        let reader = TopologyReader(file: file, flowValidator: flowValidator)
        let (root, composeDiagnostics) = try compose(yaml, file: file)
        let topology = reader.readTopology(root, defaultName: defaultName(file))
        return try finish(topology, composeDiagnostics + reader.diagnostics, file: file)
    }

    /// A file holding one switch, for `vswitchd run --config FILE [--switch NAME]`: either a
    /// topology file (the switch called `name`, which may be left out when there is only one) or
    /// a bare switch document (`name:`, `datapath-id:`, `ports:`, `flows:` … at the top level).
    /// The whole file is validated, hosts and links included.
    public static func loadSwitch(path: String, name: String?, flowValidator: ((String) -> String?)? = nil) throws(TopologyError) -> (TopologyFile, SwitchConfig) {
        try parseSwitch(yaml: readFile(path), file: path, name: name, flowValidator: flowValidator)
    }

    /// `loadSwitch` on text.
    public static func parseSwitch(yaml: String, file: String, name: String?, flowValidator: ((String) -> String?)? = nil) throws(TopologyError) -> (TopologyFile, SwitchConfig) {
        let reader = TopologyReader(file: file, flowValidator: flowValidator)
        let (root, composeDiagnostics) = try compose(yaml, file: file)
        let topology = TopologyReader.isBareSwitchDocument(root)
            ? reader.readBareSwitch(root)
            : reader.readTopology(root, defaultName: defaultName(file))
        let result = try finish(topology, composeDiagnostics + reader.diagnostics, file: file)

        let names = result.switches.map(\.name)
        let listed = names.map { "'\($0)'" }.joined(separator: ", ")
        let location = switchesLocation(root, file: file)
        if let name {
            guard let config = result.switch(named: name) else {
                throw TopologyError([location.diagnostic(
                    "no switch '\(name)' in this file (it has \(listed))\(didYouMean(name, names))")])
            }
            return (result, config)
        }
        guard result.switches.count == 1 else {
            throw TopologyError([location.diagnostic(
                "the file holds \(names.count) switches (\(listed)); name the one to run with --switch")])
        }
        return (result, result.switches[0])
    }

    // MARK: Helpers

    static func readFile(_ path: String) throws(TopologyError) -> String {
        func refuse(_ message: String) -> TopologyError {
            TopologyError([TopologyDiagnostic(file: path, line: 1, column: 1, message: message)])
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw refuse("cannot read topology file: no such file")
        }
        if isDirectory.boolValue { throw refuse("cannot read topology file: it is a directory") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw refuse("cannot read topology file: permission denied")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw refuse("cannot read topology file: it is not UTF-8 text")
        }
        return text
    }

    /// The root node, and the problems that did not stop composing (repeated keys, which were
    /// renamed so reading could go on but still refuse the file).
    private static func compose(_ yaml: String, file: String) throws(TopologyError) -> (Node, [TopologyDiagnostic]) {
        var diagnostics: [TopologyDiagnostic] = []
        guard let root = YAMLComposer.compose(yaml, file: file, diagnostics: &diagnostics) else {
            if diagnostics.isEmpty {
                diagnostics.append(.init(file: file, line: 1, column: 1,
                                         message: "the file is empty; expected a topology (name:, switches:, …)"))
            }
            throw TopologyError(ordered(diagnostics))
        }
        return (root, diagnostics)
    }

    private static func finish(_ topology: TopologyFile?, _ diagnostics: [TopologyDiagnostic],
                               file: String) throws(TopologyError) -> TopologyFile {
        guard diagnostics.isEmpty, let topology else {
            throw TopologyError(ordered(diagnostics.isEmpty
                ? [.init(file: file, line: 1, column: 1, message: "the file holds no topology")] : diagnostics))
        }
        return topology
    }

    /// File order; the same problem at the same place once.
    static func ordered(_ diagnostics: [TopologyDiagnostic]) -> [TopologyDiagnostic] {
        var seen: Set<TopologyDiagnostic> = []
        return diagnostics.enumerated()
            .sorted { ($0.element.line, $0.element.column, $0.offset) < ($1.element.line, $1.element.column, $1.offset) }
            .map(\.element)
            .filter { seen.insert($0).inserted }
    }

    /// `two-hosts` for `topologies/two-hosts.yaml`.
    static func defaultName(_ file: String) -> String {
        let base = file.split(separator: "/").last.map(String.init) ?? file
        guard let dot = base.lastIndex(of: "."), dot != base.startIndex else { return base }
        return String(base[..<dot])
    }

    /// Where `switches:` is written (or the top of the file), for errors about choosing a switch.
    private static func switchesLocation(_ root: Node, file: String) -> SourceLocation {
        let mark = root.mapping?.first(where: { $0.key.scalar?.string == "switches" })?.key.mark
            ?? root.mapping?.first(where: { $0.key.scalar?.string == "name" })?.value.mark
        return SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }
}
