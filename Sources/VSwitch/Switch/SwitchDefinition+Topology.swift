import FlowRules
import Topology

extension SwitchDefinition {
    /// The switch a topology file describes, with its flows parsed. Every bad flow is reported
    /// at its own `file:line:col`; nothing is returned unless all of them parse.
    public init(_ config: SwitchConfig, file: String) throws(TopologyError) {
        var diagnostics: [TopologyDiagnostic] = []
        var ports: [Port] = []
        for p in config.ports {
            let kind: PortKind
            switch p.type {
            case .tap: kind = .tap
            case .system: kind = .system
            case .pcap: kind = .pcap
            case .patch:
                diagnostics.append(TopologyDiagnostic(file: file, line: p.location.line, column: p.location.column,
                                                      message: "port \(p.number) '\(p.name)': patch ports are not supported by vswitchd yet"))
                continue
            }
            ports.append(Port(number: PortNumber(p.number), name: p.name, kind: kind, interface: p.interface,
                              vlan: PortVLANMode(p.vlan)))
        }
        let names = Dictionary(ports.map { ($0.name, $0.number) }, uniquingKeysWith: { a, _ in a })
        var flows: [FlowSpec] = []
        for line in config.flows {
            do {
                flows.append(try FlowSyntax.parseFlow(line.text, portNames: names))
            } catch {
                diagnostics.append(TopologyDiagnostic(file: file, line: line.line, column: line.column, message: error.description))
            }
        }
        guard diagnostics.isEmpty else { throw TopologyError(diagnostics) }
        self.init(name: config.name, datapathID: config.datapathID,
                  failMode: config.failMode == .secure ? .secure : .standalone,
                  ports: ports, flows: flows, macTableSize: config.macTableSize,
                  macAgingSeconds: UInt64(config.macAgingSeconds), packetInRate: config.packetInRate,
                  controllers: config.controllers, listen: config.listen, controlSocket: config.controlSocket)
    }
}

extension PortVLANMode {
    init(_ v: VLANConfig) {
        switch v.mode {
        case .access: self = .access(v.tag ?? 0)
        case .trunk: self = .trunk(v.trunks)
        case .nativeTagged: self = PortVLANMode(kind: .nativeTagged, tag: v.tag ?? 0, trunks: VLANSet(v.trunks))
        case .nativeUntagged: self = PortVLANMode(kind: .nativeUntagged, tag: v.tag ?? 0, trunks: VLANSet(v.trunks))
        }
    }
}
