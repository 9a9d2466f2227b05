import FlowRules
import OpenFlow
import Topology

/// One flow of a compiled topology: the text users read in `diff` and the state store keeps
/// (ovs-ofctl syntax, ports by number), and the FLOW_MOD it becomes.
public struct CompiledFlow: Hashable, Sendable {
    public var text: String
    public var flowMod: OFFlowMod

    public init(text: String, flowMod: OFFlowMod) { self.text = text; self.flowMod = flowMod }

    /// Parses one flow line (ports by number, or by name through `portNames`) into its FLOW_MOD.
    public static func parse(_ text: String, portNames: [String: PortNumber] = [:]) throws(FlowSyntaxError) -> CompiledFlow {
        let spec = try FlowSyntax.parseFlow(text, portNames: portNames)
        return CompiledFlow(text: text, flowMod: spec.flowMod)
    }

    /// Parses a flow as a user wrote it and keeps its canonical text (ports by number), so
    /// what is stored does not depend on port names.
    public static func canonical(_ text: String, portNames: [String: PortNumber]) throws(FlowSyntaxError) -> CompiledFlow {
        let spec = try FlowSyntax.parseFlow(text, portNames: portNames)
        return CompiledFlow(text: FlowFormatter.format(spec), flowMod: spec.flowMod)
    }
}

/// The flows one switch of a topology should have.
public struct CompiledSwitch: Hashable, Sendable {
    public var name: String
    public var datapathID: UInt64
    /// True when the controller computed the flows (the switch has no `flows:` in the file).
    public var computed: Bool
    public var flows: [CompiledFlow]
}

/// A topology turned into per-switch flows: what `topology apply` makes the switches hold.
public struct CompiledTopology: Sendable {
    public var topology: TopologyFile
    /// The YAML text it was compiled from (the state store keeps it).
    public var yaml: String
    public var switches: [CompiledSwitch]

    public func `switch`(datapathID: UInt64) -> CompiledSwitch? { switches.first { $0.datapathID == datapathID } }
    public func `switch`(named name: String) -> CompiledSwitch? { switches.first { $0.name == name } }
    public var flowCount: Int { switches.reduce(0) { $0 + $1.flows.count } }
}

extension FlowSpec {
    /// This flow as an OFPFC_ADD.
    public var flowMod: OFFlowMod {
        OFFlowMod(cookie: cookie, tableID: table, command: .add, idleTimeout: idleTimeout, hardTimeout: hardTimeout,
                  priority: priority, flags: OFFlowModFlags(rawValue: flags),
                  match: OFTranslation.ofMatch(match), instructions: OFTranslation.ofInstructions(instructions))
    }
}
