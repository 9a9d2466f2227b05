import FlowRules
import OpenFlow
import Topology

/// Turns a topology into the flows each switch should hold.
///
/// A switch with a `flows:` list gets exactly those flows (port names resolved). A switch
/// without one gets forwarding computed from the whole topology (see
/// `TopologyCompiler+Forwarding.swift`): hosts' MACs along shortest paths of the link graph,
/// broadcast along a spanning tree, VLAN segments kept apart.
public enum TopologyCompiler {
    /// Cookie of computed flows ("TOPO" in the high 32 bits), so dumps show where they came from.
    public static let computedCookie: UInt64 = 0x544F_504F_0000_0000

    /// Loads, validates and compiles a topology file given as text. Every problem (YAML,
    /// schema, or a flow that does not parse) is reported at its `file:line:col`.
    public static func compile(yaml: String, file: String) throws(TopologyError) -> CompiledTopology {
        let topology = try TopologyLoader.parse(yaml: yaml, file: file)
        return try compile(topology, yaml: yaml)
    }

    public static func compile(_ topology: TopologyFile, yaml: String) throws(TopologyError) -> CompiledTopology {
        var diagnostics: [TopologyDiagnostic] = []
        var switches: [CompiledSwitch] = []
        let fabric = Fabric(topology)
        for config in topology.switches {
            if config.flows.isEmpty {
                let texts = fabric.flows(for: config)
                var flows: [CompiledFlow] = []
                for text in texts {
                    // Generated text that does not parse is a bug here, not a user mistake; still
                    // reported in the file rather than trapping the controller.
                    do { flows.append(try CompiledFlow.parse(text)) } catch {
                        diagnostics.append(TopologyDiagnostic(file: topology.path, line: config.location.line, column: config.location.column,
                                                              message: "switch '\(config.name)': computed flow '\(text)': \(error.description)"))
                    }
                }
                switches.append(CompiledSwitch(name: config.name, datapathID: config.datapathID, computed: true, flows: flows))
                continue
            }
            let names = Dictionary(config.ports.map { ($0.name, PortNumber($0.number)) }, uniquingKeysWith: { a, _ in a })
            var flows: [CompiledFlow] = []
            for line in config.flows {
                do {
                    flows.append(try CompiledFlow.canonical(line.text, portNames: names))
                } catch {
                    diagnostics.append(TopologyDiagnostic(file: topology.path, line: line.line, column: line.column, message: error.description))
                }
            }
            switches.append(CompiledSwitch(name: config.name, datapathID: config.datapathID, computed: false, flows: flows))
        }
        guard diagnostics.isEmpty else { throw TopologyError(diagnostics) }
        return CompiledTopology(topology: topology, yaml: yaml, switches: switches)
    }
}
