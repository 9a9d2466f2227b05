import FlowRules
import Foundation
import Synchronization
import Topology
import Packet
import Testing
@testable import VSwitch

@Suite struct PacketInRateTests {
    /// `packet-in-rate: 20` gives a bucket of 20 tokens/s with a burst of 2: of ten misses at
    /// one instant two reach the controller and eight are dropped and counted; a second later
    /// the bucket holds two again.
    @Test func packetInsAboveTheRateAreDroppedAndCounted() throws {
        let t = try TestSwitch(ports: [1, 2], flows: [.on(1, [.output(.controller)])], packetInRate: 20)
        let delivered = Mutex(0)
        t.sw.datapath.packetInHandler = { _ in delivered.withLock { $0 += 1 } }
        let second: UInt64 = 1_000_000_000
        for i in 0..<10 { t.inject(Frames.udp(sport: UInt16(1000 + i)), on: 1, now: 5 * second) }
        #expect(delivered.withLock { $0 } == 2)
        #expect(t.sw.datapath.counters.drops(.packetInRateLimit) == 8)
        for i in 0..<10 { t.inject(Frames.udp(sport: UInt16(2000 + i)), on: 1, now: 6 * second) }
        #expect(delivered.withLock { $0 } == 4)
        #expect(t.sw.datapath.counters.drops(.packetInRateLimit) == 16)
    }

    @Test func theRateComesFromTheTopology() throws {
        let yaml = """
            name: r
            switches:
              s1:
                datapath-id: 0x1
                packet-in-rate: 250
                ports:
                  1: {name: p1, type: pcap}
            """
        let (_, config) = try TopologyLoader.parseSwitch(yaml: yaml, file: "r.yaml", name: "s1")
        #expect(config.packetInRate == 250)
        #expect(try SwitchDefinition(config, file: "r.yaml").packetInRate == 250)
        #expect(throws: TopologyError.self) {
            _ = try TopologyLoader.parseSwitch(yaml: yaml.replacingOccurrences(of: "250", with: "0"), file: "r.yaml", name: "s1")
        }
    }
}
