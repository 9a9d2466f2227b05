import Testing
@testable import Topology

@Suite struct ReadyTopologyTests {
    @Test(arguments: ["two-hosts", "vlans", "leaf-spine"])
    func readyFileLoads(name: String) throws {
        let topology = try TopologyLoader.load(path: topologyPath(name))
        #expect(topology.name == name)
        #expect(topology.path == topologyPath(name))
        #expect(!topology.switches.isEmpty)
        // Every host's port exists on its switch and is a tap or system port.
        for host in topology.hosts {
            let port = try #require(topology.switch(named: host.switchName)?.port(number: host.port))
            #expect([.tap, .system].contains(port.type))
        }
    }

    @Test func twoHosts() throws {
        let topology = try TopologyLoader.load(path: topologyPath("two-hosts"))
        #expect(topology.controllers == ["tcp:127.0.0.1:6653"])
        #expect(topology.switches.count == 1)
        let s1 = topology.switches[0]
        #expect(s1.name == "s1")
        #expect(s1.datapathID == 1)
        #expect(s1.datapathIDString == "0x0000000000000001")
        #expect(s1.failMode == .standalone)
        #expect(s1.controllers == ["tcp:127.0.0.1:6653"])
        #expect(s1.ports.map(\.number) == [1, 2])
        #expect(s1.ports.map(\.name) == ["sdn-h1", "sdn-h2"])
        #expect(s1.ports.allSatisfy { $0.type == .tap && $0.vlan == .allVLANs })
        #expect(s1.flows.map(\.text) == ["priority=0,actions=normal"])
        #expect(s1.macTableSize == 8192 && s1.macAgingSeconds == 300)

        #expect(topology.hosts.map(\.name) == ["h1", "h2"])
        let h1 = topology.hosts[0], h2 = topology.hosts[1]
        #expect(h1.attachment == PortReference(switchName: "s1", port: 1))
        #expect(h2.attachment == PortReference(switchName: "s1", port: 2))
        #expect(h1.ipv4?.description == "10.0.0.1/24")
        #expect(h2.ipv4?.description == "10.0.0.2/24")
        #expect(h1.mac?.description == "02:00:00:00:00:01")
        #expect(h2.mac?.description == "02:00:00:00:00:02")
        #expect(h1.namespace == "sdn-h1" && h2.namespace == "sdn-h2")
        #expect(h1.interface == "eth0")
        #expect(topology.links.isEmpty)
    }

    @Test func vlans() throws {
        let topology = try TopologyLoader.load(path: topologyPath("vlans"))
        #expect(topology.vlans == [10: "blue", 20: "red"])
        #expect(topology.switches.map(\.name) == ["s1", "s2"])
        #expect(topology.switches.map(\.datapathID) == [1, 2])
        for config in topology.switches {
            #expect(config.port(number: 1)?.vlan == VLANConfig(mode: .access, tag: 10))
            #expect(config.port(number: 2)?.vlan == VLANConfig(mode: .access, tag: 20))
            let trunk = try #require(config.port("trunk0"))
            #expect(trunk.number == 3 && trunk.type == .system)
            #expect(trunk.vlan == VLANConfig(mode: .trunk, trunks: [10, 20]))
        }
        #expect(topology.links == [LinkConfig(a: .init(switchName: "s1", port: 3),
                                              b: .init(switchName: "s2", port: 3),
                                              location: topology.links[0].location)])
        // Two hosts per VLAN, one on each switch.
        let vlanOf = { (host: HostConfig) in
            topology.switch(named: host.switchName)?.port(number: host.port)?.vlan.tag
        }
        for vlan: UInt16 in [10, 20] {
            let members = topology.hosts.filter { vlanOf($0) == vlan }
            #expect(Set(members.map(\.switchName)) == ["s1", "s2"])
        }
    }

    @Test func leafSpine() throws {
        let topology = try TopologyLoader.load(path: topologyPath("leaf-spine"))
        let spines = topology.switches.filter { $0.name.hasPrefix("sp") }
        let leaves = topology.switches.filter { $0.name.hasPrefix("lf") }
        #expect(spines.count == 2 && leaves.count == 4)
        #expect(topology.hosts.count == 8)
        #expect(topology.links.count == 8)
        #expect(Set(topology.switches.map(\.datapathID)).count == 6)
        let subnet = try #require(IPv4CIDR("10.1.0.0/24"))
        for host in topology.hosts {
            let ip = try #require(host.ipv4)
            #expect(ip.prefixLength == 24 && subnet.contains(ip.address))
        }
        for leaf in leaves {
            #expect(topology.hosts(on: leaf.name).count == 2)
            let peers = topology.links(on: leaf.name).map { $0.a.switchName == leaf.name ? $0.b.switchName : $0.a.switchName }
            #expect(Set(peers) == ["sp1", "sp2"])
            #expect(leaf.failMode == .secure)
        }
    }
}
