import Controller
import FlowRules
import Packet
import Topology

/// Runs frames through compiled topology flows, switch to switch over the topology's links,
/// with a small OpenFlow interpreter of its own (highest priority match per table, apply
/// actions in order, write-metadata, goto-table), so tests judge the compiled flows by what
/// they do to frames rather than by how they are written.
struct FabricSimulator {
    struct Delivery: Hashable { var host: String; var vlan: UInt16 }

    let topology: TopologyFile
    let tables: [String: [UInt8: [FlowSpec]]]
    /// (switch, port) → the far end of its link.
    let links: [PortReference: PortReference]
    /// (switch, port) → host.
    let hosts: [PortReference: HostConfig]

    init(_ compiled: CompiledTopology) throws {
        topology = compiled.topology
        var tables: [String: [UInt8: [FlowSpec]]] = [:]
        for sw in compiled.switches {
            for flow in sw.flows {
                let spec = try FlowSyntax.parseFlow(flow.text)
                tables[sw.name, default: [:]][spec.table, default: []].append(spec)
            }
        }
        self.tables = tables.mapValues { $0.mapValues { $0.sorted { $0.priority > $1.priority } } }
        var links: [PortReference: PortReference] = [:]
        for link in topology.links { links[link.a] = link.b; links[link.b] = link.a }
        self.links = links
        hosts = Dictionary(topology.hosts.map { ($0.attachment, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// Sends an untagged frame from `source` to `destination` MAC; returns every host that got
    /// a copy (with the VLAN tag it arrived with, 0 = untagged) and whether the frame was still
    /// being forwarded after `hopLimit` switch visits (a loop).
    func send(from source: HostConfig, to destination: MACAddress, hopLimit: Int = 200) -> (deliveries: [Delivery], looped: Bool) {
        var key = FlowKey()
        key.ethSrc = source.mac.map(macAddress) ?? MACAddress(rawValue: 0)
        key.ethDst = destination
        key.ethType = 0x0800
        var queue: [(at: PortReference, key: FlowKey)] = [(source.attachment, key)]
        var deliveries: [Delivery] = []
        var visits = 0
        while !queue.isEmpty {
            let (at, frame) = queue.removeFirst()
            visits += 1
            if visits > hopLimit { return (deliveries, true) }
            for (port, out) in process(frame, switch: at.switchName, inPort: at.port) {
                let end = PortReference(switchName: at.switchName, port: port)
                if let host = hosts[end] {
                    deliveries.append(Delivery(host: host.name, vlan: out.vlanVID & 0xFFF))
                } else if let far = links[end] {
                    queue.append((far, out))
                }
            }
        }
        return (deliveries, false)
    }

    /// One switch's pipeline: the (port, frame) pairs it outputs.
    func process(_ frame: FlowKey, switch name: String, inPort: UInt32) -> [(UInt32, FlowKey)] {
        var key = frame
        key.inPort = inPort
        key.metadata = 0
        var outputs: [(UInt32, FlowKey)] = []
        var table: UInt8? = 0
        while let current = table {
            table = nil
            guard let flow = tables[name]?[current]?.first(where: { $0.match.matches(key) }) else { break }
            for action in flow.instructions.applyActions ?? [] {
                switch action {
                case .output(let port, _): outputs.append((port.rawValue, key))
                case .popVLAN: key.vlanVID = 0
                case .modVLANVID(let vid): key.vlanVID = 0x1000 | vid
                default: break
                }
            }
            if let m = flow.instructions.writeMetadata { key.metadata = (key.metadata & ~m.mask) | (m.value & m.mask) }
            table = flow.instructions.gotoTable
        }
        return outputs
    }
}

func macAddress(_ e: EthernetAddress) -> MACAddress {
    MACAddress(rawValue: e.bytes.reduce(0) { $0 << 8 | UInt64($1) })
}
