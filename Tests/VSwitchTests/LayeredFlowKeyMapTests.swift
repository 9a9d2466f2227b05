import Packet
import Testing
import TestSupport
@testable import VSwitch

@Suite struct LayeredFlowKeyMapTests {
    static func key(_ n: Int) -> FlowKey {
        var k = FlowKey()
        k.ipv4Dst = IPv4Address(rawValue: UInt32(truncatingIfNeeded: n))
        k.inPort = UInt32(n % 7)
        return k
    }

    /// 30,000 random inserts, updates and removals (enough to fold the delta into the base
    /// several times) agree with a Dictionary; and copies taken along the way (published
    /// versions) keep exactly what they held, whatever the original does afterwards.
    @Test func agreesWithADictionaryAndVersionsStayIntact() {
        var rng = SeededGenerator(seed: 0x1A7E)
        var map = LayeredFlowKeyMap<Int>()
        var reference: [Int: Int] = [:]
        var versions: [(LayeredFlowKeyMap<Int>, [Int: Int])] = []
        for step in 0..<30_000 {
            let n = Int.random(in: 0..<12_000, using: &rng)
            if Int.random(in: 0..<4, using: &rng) == 0 {
                map[Self.key(n)] = nil
                reference[n] = nil
            } else {
                map[Self.key(n)] = step
                reference[n] = step
            }
            if step % 3_000 == 0 { versions.append((map, reference)) }
        }
        #expect(map.count == reference.count)
        for n in 0..<12_000 { #expect(map[Self.key(n)] == reference[n]) }
        #expect(map.pairs.count == reference.count)
        for (version, expected) in versions {
            #expect(version.count == expected.count)
            let pairs = Dictionary(uniqueKeysWithValues: version.pairs.map { (Int($0.0.ipv4Dst.rawValue), $0.1) })
            #expect(pairs == expected)
        }
    }
}
