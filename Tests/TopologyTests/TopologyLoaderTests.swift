import Foundation
import Testing
import TestSupport
@testable import Topology

@Suite struct TopologyLoaderTests {
    static let full = """
        name: full
        controller: tcp:127.0.0.1:6653
        vlans:
          10: {name: blue}
          20: {name: red}
        switches:
          s1:
            datapath-id: 0x1
            fail-mode: standalone
            controller: [tcp:127.0.0.1:6653, "tcp:[::1]:6654"]
            listen: ptcp:6634
            control-socket: /run/swiftsdn/s1.sock
            mac-table-size: 4096
            mac-aging: 60
            ports:
              5: {name: up1, type: system, interface: eth1, vlan: {mode: native-untagged, tag: 10, trunks: [20]}}
              1: {name: h1-tap, type: tap, vlan: {mode: access, tag: blue}}
              2: {name: h2-tap, type: tap, vlan: {tag: 10}}
              3: {name: trunk0, type: system, interface: veth-s1, vlan: {mode: trunk, trunks: [10, red]}}
              4: {name: replay-in, type: pcap}
              6: {name: to-s2, type: patch, peer: s2:from-s1}
            flows:
              - "priority=0,actions=normal"
              - priority=10,in_port=4,actions=drop
          s2:
            datapath-id: "00:00:00:00:00:00:00:02"
            fail-mode: secure
            ports:
              3: {name: trunk0, type: system, interface: veth-s2, vlan: {mode: native-tagged, tag: 20}}
              7: {name: from-s1, type: patch, peer: s1:6}
        hosts:
          h1: {switch: s1, port: 1, ip: 10.0.0.1/24, mac: "02:00:00:00:00:01"}
          h2: {switch: s1, port: h2-tap, ip: 10.0.0.2/24, ipv6: "2001:db8::2/64", gateway: 10.0.0.254, mtu: 1500, interface: eth1, namespace: ns-h2}
        links:
          - {a: s1:trunk0, b: s2:3}
        """

    @Test func fullSchemaModel() throws {
        let topology = try loaded(Self.full, file: "full.yaml")
        #expect(topology.name == "full")
        #expect(topology.path == "full.yaml")
        #expect(topology.controllers == ["tcp:127.0.0.1:6653"])
        #expect(topology.vlans == [10: "blue", 20: "red"])
        #expect(topology.vlanID(named: "red") == 20)

        let s1 = try #require(topology.switch(named: "s1"))
        #expect(s1.location == SourceLocation(file: "full.yaml", line: 7, column: 3))
        #expect(s1.datapathID == 1)
        #expect(s1.controllers == ["tcp:127.0.0.1:6653", "tcp:[::1]:6654"])
        #expect(s1.controllerTargets == [ControllerTarget(host: "127.0.0.1", port: 6653),
                                         ControllerTarget(host: "::1", port: 6654)])
        #expect(s1.listen == "ptcp:6634")
        #expect(s1.listenTarget == ListenTarget(port: 6634))
        #expect(s1.controlSocket == "/run/swiftsdn/s1.sock")
        #expect(s1.macTableSize == 4096 && s1.macAgingSeconds == 60)
        #expect(s1.ports.map(\.number) == [1, 2, 3, 4, 5, 6], "ordered by number")
        #expect(s1.port(number: 1)?.vlan == VLANConfig(mode: .access, tag: 10), "tag by vlan name")
        #expect(s1.port(number: 2)?.vlan == VLANConfig(mode: .access, tag: 10), "mode defaults to access with a tag")
        #expect(s1.port(number: 3)?.vlan == VLANConfig(mode: .trunk, trunks: [10, 20]))
        #expect(s1.port(number: 3)?.interface == "veth-s1")
        #expect(s1.port(number: 4)?.type == .pcap && s1.port(number: 4)?.vlan == .allVLANs)
        #expect(s1.port(number: 5)?.vlan == VLANConfig(mode: .nativeUntagged, tag: 10, trunks: [20]))
        #expect(s1.port(number: 6)?.peer == PortReference(switchName: "s2", port: 7))
        #expect(s1.port("replay-in")?.number == 4)
        #expect(s1.port("5")?.name == "up1")
        #expect(s1.port(number: 5)?.location == SourceLocation(file: "full.yaml", line: 16, column: 7))
        #expect(s1.flows.map(\.text) == ["priority=0,actions=normal", "priority=10,in_port=4,actions=drop"])
        #expect(s1.flows.map(\.line) == [23, 24])
        #expect(s1.flows.map(\.column) == [9, 9])

        let s2 = try #require(topology.switch(named: "s2"))
        #expect(s2.datapathID == 2)
        #expect(s2.failMode == .secure)
        #expect(s2.controllers == ["tcp:127.0.0.1:6653"], "inherited from the file")
        #expect(s2.listen == nil && s2.controlSocket == nil)
        #expect(s2.macTableSize == SwitchConfig.defaultMACTableSize)
        #expect(s2.port(number: 3)?.vlan == VLANConfig(mode: .nativeTagged, tag: 20))
        #expect(s2.port(number: 7)?.peer == PortReference(switchName: "s1", port: 6))
        #expect(s2.flows.isEmpty)

        let h1 = try #require(topology.host(named: "h1"))
        #expect(h1.attachment == PortReference(switchName: "s1", port: 1))
        #expect(h1.namespace == "h1" && h1.interface == "eth0")
        #expect(h1.ipv6 == nil && h1.gateway == nil && h1.mtu == nil)
        let h2 = try #require(topology.host(named: "h2"))
        #expect(h2.port == 2, "port named by its name")
        #expect(h2.ipv4 == IPv4CIDR(address: 0x0A00_0002, prefixLength: 24))
        #expect(h2.ipv6?.description == "2001:db8::2/64")
        #expect(h2.gateway == .ipv4(0x0A00_00FE))
        #expect(h2.mtu == 1500 && h2.interface == "eth1" && h2.namespace == "ns-h2")
        #expect(h2.mac == nil)
        #expect(h2.location.line == 33)

        #expect(topology.links.count == 1)
        #expect(topology.links[0].a == PortReference(switchName: "s1", port: 3))
        #expect(topology.links[0].b == PortReference(switchName: "s2", port: 3))
        #expect(topology.links[0].location == SourceLocation(file: "full.yaml", line: 35, column: 5))
    }

    @Test func nameDefaultsToTheFileName() throws {
        let topology = try loaded(oneSwitch, file: "labs/my-lab.yaml")
        #expect(topology.name == "my-lab")
        #expect(topology.switches[0].controllers.isEmpty)
    }

    @Test func emptySectionsAreEmpty() throws {
        let topology = try loaded(oneSwitch + "\nhosts:\nlinks:\n")
        #expect(topology.hosts.isEmpty && topology.links.isEmpty)
    }

    @Test func switchOverridesControllerWithNone() throws {
        let topology = try loaded("""
            controller: tcp:10.0.0.1:6653
            switches:
              s1: {datapath-id: 1, controller: []}
              s2: {datapath-id: 2, controller: "tcp:10.0.0.2"}
            """)
        #expect(topology.switches[0].controllers.isEmpty)
        #expect(topology.switches[1].controllerTargets == [ControllerTarget(host: "10.0.0.2", port: 6653)])
    }

    @Test func flowValidatorSeesEveryFlow() throws {
        var seen: [String] = []
        _ = try TopologyLoader.parse(yaml: Self.full, file: "full.yaml") { flow in
            seen.append(flow)
            return nil
        }
        #expect(seen == ["priority=0,actions=normal", "priority=10,in_port=4,actions=drop"])
    }

    @Test func missingFile() {
        #expect(problems(fromPath: "/nonexistent/topo.yaml") == ["/nonexistent/topo.yaml:1:1: cannot read topology file: no such file"])
    }

    @Test func loadFromDisk() throws {
        let dir = try Fixtures.temporaryDirectory(prefix: "topology")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("bad.yaml").path
        try "switches:\n  s1: {datapath-id: x}\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(problems(fromPath: path) == ["\(path):2:21: expected an integer for 'datapath-id', got 'x'"])
    }

    private func problems(fromPath path: String) -> [String] {
        do {
            _ = try TopologyLoader.load(path: path)
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }
}

@Suite struct LoadSwitchTests {
    static let bare = """
        name: edge1
        datapath-id: 42
        fail-mode: secure
        controller: tcp:10.0.0.1:6653
        ports:
          1: {name: in0, type: pcap}
          2: {name: out0, type: pcap}
        flows:
          - "in_port=1,actions=output:2"
        """

    @Test func bareSwitchDocument() throws {
        for name in [nil, "edge1"] {
            let (topology, config) = try TopologyLoader.parseSwitch(yaml: Self.bare, file: "edge1.yaml", name: name)
            #expect(topology.name == "edge1")
            #expect(topology.switches == [config])
            #expect(topology.hosts.isEmpty && topology.links.isEmpty)
            #expect(config.name == "edge1")
            #expect(config.datapathID == 42)
            #expect(config.failMode == .secure)
            #expect(config.controllers == ["tcp:10.0.0.1:6653"])
            #expect(config.ports.map(\.name) == ["in0", "out0"])
            #expect(config.flows == [FlowLine(text: "in_port=1,actions=output:2",
                                              location: .init(file: "edge1.yaml", line: 9, column: 5))])
        }
    }

    @Test func bareSwitchDocumentIsValidated() {
        let yaml = """
            datapath-id: 1
            fail_mode: secure
            ports:
              1: {name: a, type: tap}
            tunnels: {}
            """
        do {
            _ = try TopologyLoader.parseSwitch(yaml: yaml, file: "b.yaml", name: nil)
            Issue.record("expected an error")
        } catch {
            #expect(error.diagnostics.map(\.description) == [
                "b.yaml:1:1: missing 'name' in the switch document",
                "b.yaml:2:1: unknown key 'fail_mode' in the switch document; did you mean 'fail-mode'?",
                "b.yaml:5:1: tunnels: VXLAN tunnels are not supported yet",
            ])
        }
    }

    @Test func bareSwitchWrongName() {
        do {
            _ = try TopologyLoader.parseSwitch(yaml: Self.bare, file: "edge1.yaml", name: "edge2")
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "edge1.yaml:1:7: no switch 'edge2' in this file (it has 'edge1'); did you mean 'edge1'?")
        }
    }

    @Test func oneSwitchTopologyFromDisk() throws {
        let (topology, config) = try TopologyLoader.loadSwitch(path: topologyPath("two-hosts"), name: nil)
        #expect(config.name == "s1")
        #expect(topology.hosts.count == 2, "the whole topology comes along")
    }

    @Test func namedSwitchOfATopology() throws {
        let (topology, config) = try TopologyLoader.loadSwitch(path: topologyPath("vlans"), name: "s2")
        #expect(config.name == "s2" && config.datapathID == 2)
        #expect(topology.switches.count == 2)
    }

    @Test func severalSwitchesAndNoName() {
        do {
            _ = try TopologyLoader.loadSwitch(path: topologyPath("vlans"), name: nil)
            Issue.record("expected an error")
        } catch {
            #expect(error.diagnostics.count == 1)
            #expect(error.diagnostics[0].message == "the file holds 2 switches ('s1', 's2'); name the one to run with --switch")
            #expect(error.diagnostics[0].line == 10)
        }
    }

    @Test func unknownSwitchName() {
        do {
            _ = try TopologyLoader.loadSwitch(path: topologyPath("leaf-spine"), name: "lf5")
            Issue.record("expected an error")
        } catch {
            #expect(error.diagnostics.map(\.message) == [
                "no switch 'lf5' in this file (it has 'sp1', 'sp2', 'lf1', 'lf2', 'lf3', 'lf4'); did you mean 'lf1'?",
            ])
        }
    }
}
