import FlowRules
import Testing
import TestSupport
import Packet
@testable import VSwitch

@Suite struct ClassifierTests {
    /// Random flows over a handful of masks, checked against a linear scan for random keys.
    @Test func tupleSpaceAgreesWithLinearScan() {
        var rng = SeededGenerator(seed: 99)
        let fieldSets: [[FlowField]] = [[.inPort], [.ethDst], [.ethType, .ipv4Dst], [.ethType, .ipProto, .tcpDst],
                                        [.vlanVID], [.ipv4Src], [.inPort, .ethSrc], [.ethType]]
        var table = FlowTable()
        var all: [FlowEntry] = []
        for id in 0..<600 {
            var m = FlowMatch()
            for f in fieldSets[Int.random(in: 0..<fieldSets.count, using: &rng)] {
                let v = UInt64.random(in: 0..<4, using: &rng)
                if f == .ipv4Src { m.set(f, FieldValue(v << 24), mask: FieldValue(0xFF00_0000)) } else { m.set(f, v) }
            }
            let e = FlowEntry(spec: FlowSpec(priority: UInt16.random(in: 1...50, using: &rng), match: m), id: UInt64(id), now: 0)
            if table.insert(e) != nil {
                all.removeAll { $0.priority == e.priority && $0.match == e.match }
            }
            all.append(e)
        }
        #expect(table.count == all.count)
        for _ in 0..<5000 {
            var k = FlowKey()
            for f in [FlowField.inPort, .ethDst, .ethSrc, .ethType, .ipProto, .tcpDst, .vlanVID, .ipv4Dst] {
                k[f] = FieldValue(UInt64.random(in: 0..<4, using: &rng))
            }
            k.ipv4Src = IPv4Address(rawValue: UInt32.random(in: 0..<4, using: &rng) << 24)
            let expected = all.filter { $0.match.matches(k) }.max { ($0.priority, $1.id) < ($1.priority, $0.id) }
            #expect(table.lookup(k)?.id == expected?.id)
        }
    }

    @Test func publishedVersionIsUnaffectedByLaterChanges() {
        var m = FlowMatch()
        m.set(.inPort, 1)
        var table = FlowTable()
        table.insert(FlowEntry(spec: FlowSpec(priority: 10, match: m), id: 1, now: 0))
        let published = table
        var next = table
        next.insert(FlowEntry(spec: FlowSpec(priority: 20, match: m), id: 2, now: 0))
        next.remove { $0.id == 1 }
        var k = FlowKey(); k.inPort = 1
        #expect(published.lookup(k)?.id == 1)
        #expect(next.lookup(k)?.id == 2)
        #expect(published.count == 1 && next.count == 1)
    }

    @Test func flowKeyMapInsertRemoveAgainstDictionary() {
        var rng = SeededGenerator(seed: 5)
        var map = FlowKeyMap<Int>()
        var reference: [FlowKey: Int] = [:]
        for i in 0..<20000 {
            var k = FlowKey()
            k.inPort = UInt32.random(in: 0..<500, using: &rng)
            if Bool.random(using: &rng) {
                map[k] = i; reference[k] = i
            } else {
                #expect(map.remove(k) == reference.removeValue(forKey: k))
            }
        }
        #expect(map.count == reference.count)
        for (k, v) in reference { #expect(map[k] == v) }
    }
}
