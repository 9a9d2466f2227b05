@testable import Controller
import FlowRules
import Foundation
import OpenFlow
import Packet
import Testing
import TestSupport
import Topology

/// A 3-switch full mesh (a loop) with two VLANs on access ports and one untagged host; no
/// switch lists flows, so all of them are computed.
let meshYAML = """
name: mesh
switches:
  s1:
    datapath-id: 0x11
    fail-mode: secure
    ports:
      1: {name: a1, type: tap, vlan: {mode: access, tag: 10}}
      2: {name: b1, type: tap, vlan: {mode: access, tag: 20}}
      3: {name: s1-s2, type: system, interface: m-s1-s2}
      4: {name: s1-s3, type: system, interface: m-s1-s3}
  s2:
    datapath-id: 0x12
    fail-mode: secure
    ports:
      1: {name: a2, type: tap, vlan: {mode: access, tag: 10}}
      2: {name: c2, type: tap}
      3: {name: s2-s1, type: system, interface: m-s2-s1}
      4: {name: s2-s3, type: system, interface: m-s2-s3}
  s3:
    datapath-id: 0x13
    fail-mode: secure
    ports:
      1: {name: a3, type: tap, vlan: {mode: access, tag: 10}}
      2: {name: b3, type: tap, vlan: {mode: access, tag: 20}}
      3: {name: c3, type: tap}
      4: {name: s3-s1, type: system, interface: m-s3-s1}
      5: {name: s3-s2, type: system, interface: m-s3-s2}
hosts:
  a1: {switch: s1, port: 1, ip: 10.0.0.1/24, mac: "02:00:00:00:0a:01"}
  b1: {switch: s1, port: 2, ip: 10.0.0.2/24, mac: "02:00:00:00:14:01"}
  a2: {switch: s2, port: 1, ip: 10.0.0.3/24, mac: "02:00:00:00:0a:02"}
  c2: {switch: s2, port: 2, ip: 10.0.0.4/24, mac: "02:00:00:00:00:02"}
  a3: {switch: s3, port: 1, ip: 10.0.0.5/24, mac: "02:00:00:00:0a:03"}
  b3: {switch: s3, port: 2, ip: 10.0.0.6/24, mac: "02:00:00:00:14:03"}
  c3: {switch: s3, port: 3, ip: 10.0.0.7/24, mac: "02:00:00:00:00:03"}
links:
  - {a: s1:3, b: s2:3}
  - {a: s1:4, b: s3:4}
  - {a: s2:4, b: s3:5}
"""

@Suite struct TopologyCompilerTests {
    static func leafSpine() throws -> CompiledTopology {
        let path = Fixtures.repositoryRoot.appendingPathComponent("topologies/leaf-spine.yaml").path
        let yaml = try String(contentsOfFile: path, encoding: .utf8)
        return try TopologyCompiler.compile(yaml: yaml, file: path)
    }

    /// `leaf-spine` (the ready file) or `mesh` (above).
    static func compiled(_ name: String) throws -> CompiledTopology {
        name == "mesh" ? try TopologyCompiler.compile(yaml: meshYAML, file: "mesh.yaml") : try leafSpine()
    }

    /// Which hosts share a layer-2 segment with `host` (same access VLAN, or both untagged).
    static func segmentMates(_ host: HostConfig, _ topology: TopologyFile) -> Set<String> {
        let vlan = { (h: HostConfig) in topology.switch(named: h.switchName)?.port(number: h.port)?.vlan.tag ?? 0 }
        return Set(topology.hosts.filter { $0.name != host.name && vlan($0) == vlan(host) }.map(\.name))
    }

    @Test(arguments: ["leaf-spine", "mesh"])
    func broadcastReachesEachSegmentMateOnceWithoutLoops(_ name: String) throws {
        let compiled = try Self.compiled(name)
        #expect(compiled.switches.allSatisfy { $0.computed })
        let sim = try FabricSimulator(compiled)
        for host in compiled.topology.hosts {
            let (deliveries, looped) = sim.send(from: host, to: MACAddress(rawValue: 0xFFFF_FFFF_FFFF))
            #expect(!looped, "broadcast from \(host.name) loops")
            let expected = Self.segmentMates(host, compiled.topology)
            #expect(deliveries.count == expected.count, "broadcast from \(host.name): \(deliveries)")
            #expect(Set(deliveries.map(\.host)) == expected, "broadcast from \(host.name)")
            #expect(deliveries.allSatisfy { $0.vlan == 0 }, "hosts get untagged frames: \(deliveries)")
        }
    }

    @Test(arguments: ["leaf-spine", "mesh"])
    func unicastReachesOnlyItsDestinationInTheSameSegment(_ name: String) throws {
        let compiled = try Self.compiled(name)
        let sim = try FabricSimulator(compiled)
        let topology = compiled.topology
        for source in topology.hosts {
            let mates = Self.segmentMates(source, topology)
            for destination in topology.hosts where destination.name != source.name {
                let (deliveries, looped) = sim.send(from: source, to: macAddress(try #require(destination.mac)))
                #expect(!looped)
                if mates.contains(destination.name) {
                    #expect(deliveries == [.init(host: destination.name, vlan: 0)], "\(source.name) -> \(destination.name): \(deliveries)")
                } else {
                    #expect(deliveries.isEmpty, "\(source.name) -> \(destination.name) crosses segments: \(deliveries)")
                }
            }
        }
    }

    @Test func spanningTreeHasOneLinkFewerThanSwitches() throws {
        let compiled = try Self.leafSpine()
        let fabric = Fabric(compiled.topology)
        // Both ends of each tree link are recorded.
        #expect(fabric.treePorts.count == 2 * (compiled.topology.switches.count - 1))
    }

    @Test func compilingIsDeterministic() throws {
        let a = try TopologyCompiler.compile(yaml: meshYAML, file: "mesh.yaml")
        let b = try TopologyCompiler.compile(yaml: meshYAML, file: "mesh.yaml")
        #expect(a.switches == b.switches)
    }

    @Test func staticFlowsResolvePortNamesAndKeepOrder() throws {
        let yaml = """
        name: static
        switches:
          s1:
            datapath-id: 0x1
            ports:
              1: {name: left, type: tap}
              7: {name: right, type: tap}
            flows:
              - "priority=10,in_port=left,actions=output:right"
              - "table=1,priority=5,ip,nw_dst=10.0.0.0/8,actions=drop"
        """
        let compiled = try TopologyCompiler.compile(yaml: yaml, file: "static.yaml")
        let sw = try #require(compiled.switch(named: "s1"))
        #expect(!sw.computed)
        #expect(sw.flows.map(\.text) == ["priority=10,in_port=1 actions=output:7",
                                         "table=1, priority=5,ip,nw_dst=10.0.0.0/8 actions=drop"])
        #expect(sw.flows[0].flowMod.match == OFMatch([.inPort(1)]))
    }

    @Test func aBadFlowIsReportedAtItsLine() throws {
        let yaml = """
        name: bad
        switches:
          s1:
            datapath-id: 0x1
            ports:
              1: {name: left, type: tap}
            flows:
              - "priority=10,in_port=left,actions=output:nowhere"
        """
        #expect {
            _ = try TopologyCompiler.compile(yaml: yaml, file: "bad.yaml")
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("bad.yaml:8:") && text.contains("nowhere")
        }
    }
}
