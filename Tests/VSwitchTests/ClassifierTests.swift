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

    /// The flows expiry looks at are exactly those with a timeout, through inserts (new and
    /// replacing), modifies that add or drop timeouts, and removals, checked against a plain model
    /// after every step; a version taken earlier keeps its own.
    @Test func entriesWithTimeoutsFollowEveryChange() {
        var rng = SeededGenerator(seed: 7)
        var table = FlowTable()
        var model: [String: FlowEntry] = [:]  // "match/priority" -> entry
        func key(_ e: FlowEntry) -> String { "\(e.match)/\(e.priority)" }
        func check(_ step: String) {
            let want = Set(model.values.filter(\.hasTimeout).map(\.id))
            #expect(Set(table.entriesWithTimeouts.map(\.id)) == want, "after \(step)")
            #expect(table.timedCount == want.count, "after \(step)")
            #expect(table.count == model.count, "after \(step)")
        }
        func randomTimeouts() -> (UInt16, UInt16) {
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: (10, 0)
            case 1: (0, 30)
            default: (0, 0)
            }
        }
        var nextID: UInt64 = 1
        var earlier: (table: FlowTable, timed: Set<UInt64>)?
        for step in 0..<400 {
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<6:
                var m = FlowMatch()
                m.set(.inPort, UInt64.random(in: 0..<20, using: &rng))
                if Bool.random(using: &rng) { m.set(.ethType, 0x0800) }
                let (idle, hard) = randomTimeouts()
                let e = FlowEntry(spec: FlowSpec(priority: UInt16.random(in: 1...3, using: &rng), match: m,
                                                 idleTimeout: idle, hardTimeout: hard), id: nextID, now: 0)
                nextID += 1
                table.insert(e)
                model[key(e)] = e
            case 6..<8:
                let port = UInt64.random(in: 0..<20, using: &rng)
                let removed = table.remove { $0.match.valueOf(.inPort).low == port }
                for e in removed { model[key(e)] = nil }
            default:
                // Modify: flows on one port get (or lose) timeouts, keeping their place.
                let port = UInt64.random(in: 0..<20, using: &rng)
                let (idle, hard) = randomTimeouts()
                _ = table.replace { old in
                    guard old.match.valueOf(.inPort).low == port else { return nil }
                    let new = FlowEntry(spec: FlowSpec(priority: old.priority, match: old.match, idleTimeout: idle, hardTimeout: hard),
                                        id: old.id, now: 0)
                    model[key(old)] = new
                    return new
                }
            }
            check("step \(step)")
            if step == 200 { earlier = (table, Set(table.entriesWithTimeouts.map(\.id))) }
        }
        #expect(model.values.contains(where: \.hasTimeout) && model.values.contains { !$0.hasTimeout }, "the mix was exercised")
        if let earlier { #expect(Set(earlier.table.entriesWithTimeouts.map(\.id)) == earlier.timed) }
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
        func key(_ port: UInt32) -> FlowKey { var k = FlowKey(); k.inPort = port; return k }
        for i in 0..<20000 {
            let k = key(UInt32.random(in: 0..<500, using: &rng))
            if Bool.random(using: &rng) {
                map[k] = i; reference[k] = i
            } else {
                #expect(map.remove(k) == reference.removeValue(forKey: k))
            }
            if i % 1000 == 999 {
                // Every key, present or not, against the reference (absence included).
                for port in UInt32(0)..<500 where map[key(port)] != reference[key(port)] {
                    Issue.record("after \(i + 1) changes, key \(port): \(String(describing: map[key(port)])) vs \(String(describing: reference[key(port)]))")
                }
                #expect(map.count == reference.count)
                #expect(Dictionary(uniqueKeysWithValues: map.pairs.map { ($0.0, $0.1) }) == reference)
            }
        }
        map.removeAll()
        #expect(map.isEmpty && map[key(1)] == nil && map.pairs.isEmpty)
        map[key(1)] = 7
        #expect(map[key(1)] == 7 && map.count == 1)
    }
}
