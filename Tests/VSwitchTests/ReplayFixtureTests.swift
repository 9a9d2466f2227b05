import FlowRules
import Foundation
import Testing
import TestSupport
import Pcap
import Topology
@testable import VSwitch

/// The scapy-made replay cases (tools/fixtures/gen_replay_fixtures.py): the switch's output on
/// every port must equal the expected pcap frame for frame.
@Suite struct ReplayFixtureTests {
    static let root = Fixtures.directory.appendingPathComponent("replay")

    static var cases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? [])
            .filter { FileManager.default.fileExists(atPath: root.appendingPathComponent($0).appendingPathComponent("case.json").path) }
            .sorted()
    }

    @Test func everyCaseIsPresent() {
        #expect(Set(Self.cases).isSuperset(of: ["vlan-push-pop", "flood", "groups", "goto-metadata", "dec-ttl",
                                               "set-fields", "normal-vlans", "normal-plain"]))
    }

    @Test(arguments: cases)
    func replayMatchesExpected(name: String) throws {
        let dir = Self.root.appendingPathComponent(name)
        let caseInfo = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("case.json"))) as! [String: Any]
        let inputs = caseInfo["inputs"] as! [String]
        let (_, config) = try TopologyLoader.loadSwitch(path: dir.appendingPathComponent("switch.yaml").path, name: nil)
        let definition = try SwitchDefinition(config, file: "switch.yaml")
        let flowsText = try String(contentsOf: dir.appendingPathComponent("flows.txt"), encoding: .utf8)
        let (flows, groups) = try FlowSyntax.parseFlowsAndGroups(flowsText, portNames: definition.portNames)

        let out = try Fixtures.temporaryDirectory(prefix: "replay-\(name)")
        defer { try? FileManager.default.removeItem(at: out) }
        let sw = try Replay.run(definition, groups: groups, extraFlows: flows,
                                inputs: inputs.map { Replay.Input(port: definition.portNames[$0]!, path: dir.appendingPathComponent("in-\($0).pcap").path) },
                                outputDirectory: out.path)
        for port in definition.ports {
            let expected = try PcapReader(path: dir.appendingPathComponent("expected-\(port.name).pcap").path).readAll()
            let actual = try PcapReader(path: out.appendingPathComponent("\(port.name).pcap").path).readAll()
            #expect(actual.count == expected.count, "\(name): \(port.name) sent \(actual.count) frames, expected \(expected.count)")
            for (i, (a, e)) in zip(actual, expected).enumerated() {
                #expect(a.data == e.data, "\(name): \(port.name) frame \(i) differs\n got \(hex(a.data))\nwant \(hex(e.data))")
                #expect(a.timestamp == e.timestamp, "\(name): \(port.name) frame \(i) timestamp")
            }
        }
        #expect(sw.datapath.pool.available == sw.datapath.pool.capacity, "\(name): buffers leaked")
    }

    func hex(_ b: [UInt8]) -> String { b.map { String(format: "%02x", $0) }.joined() }
}
