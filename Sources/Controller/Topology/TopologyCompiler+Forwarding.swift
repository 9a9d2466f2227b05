import Topology

/// Forwarding computed from a topology's graph, for switches without their own `flows:`.
///
/// Two tables per switch:
/// - table 0 classifies: a frame from a host port (untagged only, access semantics) or from an
///   inter-switch link (tagged with its VLAN, or untagged for the untagged segment) is stripped
///   of its tag and gets its segment (the VLAN id, 0 for untagged) in the metadata;
/// - table 1 forwards within the segment: each host's MAC to its port, or towards its switch
///   along a shortest path of the link graph; broadcast and multicast to the segment's host
///   ports and along a spanning tree of the link graph (never back where they came from, and
///   not at all when they arrive over a link outside the tree), so a mesh never loops.
/// Frames leave over links tagged with their segment's VLAN id. Anything else misses and is
/// dropped (the switch's fail-mode `secure` keeps it that way without a controller).
struct Fabric {
    struct Edge: Hashable {
        var port: UInt32
        var neighbor: String
        var neighborPort: UInt32
    }

    let topology: TopologyFile
    /// Per switch, its link ends, ordered by (neighbor datapath id, port) so results are
    /// the same on every run.
    private(set) var edges: [String: [Edge]] = [:]
    /// Link ends (switch, port) that belong to the broadcast spanning tree.
    private(set) var treePorts: Set<PortReference> = []
    /// Per destination switch, per source switch: the port towards the destination.
    private(set) var nextHop: [String: [String: UInt32]] = [:]
    /// Every segment some host is in, ascending.
    private(set) var segments: [UInt16] = []

    init(_ topology: TopologyFile) {
        self.topology = topology
        let dpid = Dictionary(topology.switches.map { ($0.name, $0.datapathID) }, uniquingKeysWith: { a, _ in a })
        for link in topology.links {
            edges[link.a.switchName, default: []].append(Edge(port: link.a.port, neighbor: link.b.switchName, neighborPort: link.b.port))
            edges[link.b.switchName, default: []].append(Edge(port: link.b.port, neighbor: link.a.switchName, neighborPort: link.a.port))
        }
        for (name, list) in edges {
            edges[name] = list.sorted { (dpid[$0.neighbor] ?? 0, $0.port) < (dpid[$1.neighbor] ?? 0, $1.port) }
        }
        let byDatapath = topology.switches.sorted { $0.datapathID < $1.datapathID }.map(\.name)
        // Spanning tree: breadth-first from the lowest datapath id of each connected part.
        var reached: Set<String> = []
        for root in byDatapath where !reached.contains(root) {
            Self.breadthFirst(from: root, edges: edges, reached: &reached) { here, edge in
                treePorts.insert(PortReference(switchName: here, port: edge.port))
                treePorts.insert(PortReference(switchName: edge.neighbor, port: edge.neighborPort))
            }
        }
        // Shortest paths: breadth-first from each destination; a switch's next hop is the link
        // over which the search reached it.
        for destination in byDatapath {
            var hops: [String: UInt32] = [:]
            var seen: Set<String> = []
            Self.breadthFirst(from: destination, edges: edges, reached: &seen) { _, edge in hops[edge.neighbor] = edge.neighborPort }
            nextHop[destination] = hops
        }
        segments = Set(topology.hosts.map { Self.segment(of: $0, in: topology) }).sorted()
    }

    /// Visits the switches reachable from `root` not yet in `reached`, nearest first; `reach`
    /// gets each edge that first reaches a switch (from the switch it leaves).
    static func breadthFirst(from root: String, edges: [String: [Edge]], reached: inout Set<String>,
                             _ reach: (String, Edge) -> Void) {
        reached.insert(root)
        var queue = [root]
        var index = 0
        while index < queue.count {
            let here = queue[index]; index += 1
            for edge in edges[here] ?? [] where !reached.contains(edge.neighbor) {
                reached.insert(edge.neighbor)
                queue.append(edge.neighbor)
                reach(here, edge)
            }
        }
    }

    /// A host's segment: its access port's VLAN, or 0 (untagged) on any other port.
    static func segment(of host: HostConfig, in topology: TopologyFile) -> UInt16 {
        guard let port = topology.switch(named: host.switchName)?.port(number: host.port),
              port.vlan.mode == .access else { return 0 }
        return port.vlan.tag ?? 0
    }

    /// The flow lines (ovs-ofctl syntax) of one switch.
    func flows(for config: SwitchConfig) -> [String] {
        let cookie = "cookie=0x" + String(TopologyCompiler.computedCookie, radix: 16)
        let name = config.name
        let hostPorts = topology.hosts(on: name).map { ($0.port, Self.segment(of: $0, in: topology)) }.sorted { $0.0 < $1.0 }
        let links = (edges[name] ?? []).map(\.port).sorted()
        let tree = links.filter { treePorts.contains(PortReference(switchName: name, port: $0)) }
        var out: [String] = []

        // Table 0: classify into a segment.
        for (port, segment) in hostPorts {
            out.append("\(cookie),table=0,priority=100,in_port=\(port),dl_vlan=0xffff,actions=write_metadata:\(segment),goto_table:1")
        }
        for port in links {
            for segment in segments {
                out.append(segment == 0
                    ? "\(cookie),table=0,priority=100,in_port=\(port),dl_vlan=0xffff,actions=write_metadata:0,goto_table:1"
                    : "\(cookie),table=0,priority=100,in_port=\(port),dl_vlan=\(segment),actions=strip_vlan,write_metadata:\(segment),goto_table:1")
            }
        }

        // Table 1, unicast: every host with a MAC.
        for host in topology.hosts {
            guard let mac = host.mac else { continue }
            let segment = Self.segment(of: host, in: topology)
            let output: String
            if host.switchName == name {
                output = "output:\(host.port)"
            } else if let port = nextHop[host.switchName]?[name] {
                output = Self.tagged(segment, ["output:\(port)"]).joined(separator: ",")
            } else {
                continue  // not reachable from this switch
            }
            out.append("\(cookie),table=1,priority=200,metadata=\(segment),dl_dst=\(mac),actions=\(output)")
        }

        // Table 1, broadcast and multicast: per ingress port and segment, to the segment's
        // other host ports and the other tree links.
        let ingress = hostPorts.map { ($0.0, [$0.1]) } + tree.map { ($0, segments) }
        for (inPort, inSegments) in ingress {
            for segment in inSegments {
                let local = hostPorts.filter { $0.1 == segment && $0.0 != inPort }.map { "output:\($0.0)" }
                let up = tree.filter { $0 != inPort }.map { "output:\($0)" }
                var actions = local
                if !up.isEmpty { actions += Self.tagged(segment, up) }
                out.append("\(cookie),table=1,priority=100,metadata=\(segment),in_port=\(inPort),dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,actions="
                           + (actions.isEmpty ? "drop" : actions.joined(separator: ",")))
            }
        }
        return out
    }

    /// Outputs over links: tagged with the segment's VLAN id, untagged for segment 0.
    static func tagged(_ segment: UInt16, _ outputs: [String]) -> [String] {
        segment == 0 ? outputs : ["mod_vlan_vid:\(segment)"] + outputs
    }
}
