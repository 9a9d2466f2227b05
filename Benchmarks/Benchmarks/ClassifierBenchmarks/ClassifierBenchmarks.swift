// Classifier and datapath benchmarks for module VSwitch, over one table of 10,000 wildcard
// flows spread across 10 masks (tuple space search: one subtable per mask).
//
//  - `FlowTable.lookup`: the cache-miss path. 1024 rotating keys, 7 of 8 match some flow, 1 of 8
//    matches none. Goal >= 1 M lookups/s.
//  - `Datapath.process`: the cache-hit path. Batches of 32 64-byte Ethernet/IPv4/TCP frames whose
//    keys are already in the exact-match cache: parse, cache lookup, flow counters, output
//    enqueue, per-batch flush to in-memory ports that copy nothing. Goal >= 10 M frames/s and
//    0 mallocs per frame.
//  - `FlowKeyMap` get: the exact-match cache lookup alone.
//
// Every benchmark counts one operation per lookup or per frame, so the `*` figures are per
// lookup / per frame, and mallocCountTotal counts allocations over a whole measured iteration
// (1M frames, or 1K lookups for the classifier): 0 there means 0 per operation.

import Benchmark
import FlowRules
import Packet
import VSwitch

// MARK: The 10,000 flows

/// The ten masks, each used by 1,000 flows. Flow `j` of a mask matches the values below.
enum MaskKind: Int, CaseIterable {
    case inPort                  // in_port
    case ethDst                  // eth_dst
    case ipv4Dst24               // eth_type=0x0800, ipv4_dst/24
    case tcpDst                  // eth_type=0x0800, ip_proto=6, tcp_dst
    case vlanVID                 // vlan_vid (tagged)
    case ipv4Src16               // eth_type=0x0800, ipv4_src/16
    case ethSrcInPort            // eth_src, in_port
    case ipv6Dst64               // eth_type=0x86dd, ipv6_dst/64
    case udpSrc                  // eth_type=0x0800, ip_proto=17, udp_src
    case metadata16              // metadata/0xffff

    func match(_ j: Int) -> FlowMatch {
        let j64 = UInt64(j)
        var m = FlowMatch()
        switch self {
        case .inPort:
            m.set(.inPort, 100 + j64)
        case .ethDst:
            m.set(.ethDst, 0x0200_0010_0000 + j64)
        case .ipv4Dst24:
            m.set(.ethType, UInt64(EtherType.ipv4))
            m.set(.ipv4Dst, FieldValue(UInt64(IPv4Address(10, UInt8(j / 256), UInt8(j % 256), 0).rawValue)),
                  mask: FieldValue(0xFFFF_FF00))
        case .tcpDst:
            m.set(.ethType, UInt64(EtherType.ipv4))
            m.set(.ipProto, UInt64(IPProtocol.tcp))
            m.set(.tcpDst, 1000 + j64)
        case .vlanVID:
            m.set(.vlanVID, UInt64(FlowKey.vlanPresent) | (1 + j64))
        case .ipv4Src16:
            m.set(.ethType, UInt64(EtherType.ipv4))
            m.set(.ipv4Src, FieldValue(UInt64(IPv4Address(UInt8(20 + j / 256), UInt8(j % 256), 0, 0).rawValue)),
                  mask: FieldValue(0xFFFF_0000))
        case .ethSrcInPort:
            m.set(.ethSrc, 0x0200_0020_0000 + j64)
            m.set(.inPort, 1 + j64 % 8)
        case .ipv6Dst64:
            m.set(.ethType, UInt64(EtherType.ipv6))
            m.set(.ipv6Dst, FieldValue(high: 0x2001_0db8_0000_0000 | (j64 << 16), low: 0),
                  mask: FieldValue(high: ~0, low: 0))
        case .udpSrc:
            m.set(.ethType, UInt64(EtherType.ipv4))
            m.set(.ipProto, UInt64(IPProtocol.udp))
            m.set(.udpSrc, 2000 + j64)
        case .metadata16:
            m.set(.metadata, FieldValue(1 + j64), mask: FieldValue(0xFFFF))
        }
        return m
    }
}

let flowsPerMask = 1000

/// Priorities spread over 1...30000 (pseudo-random, fixed), so every subtable's maximum priority
/// is high and a lookup cannot stop after the first subtables.
func priority(mask: Int, flow j: Int) -> UInt16 {
    UInt16((j &* 7919 &+ mask &* 104_729) % 30000 + 1)
}

/// The 10,000 flow specs, all `actions=output:2`.
func tenThousandFlows() -> [FlowSpec] {
    var specs: [FlowSpec] = []
    specs.reserveCapacity(MaskKind.allCases.count * flowsPerMask)
    for kind in MaskKind.allCases {
        for j in 0..<flowsPerMask {
            specs.append(FlowSpec(priority: priority(mask: kind.rawValue, flow: j), match: kind.match(j),
                                  instructions: .apply([.output(PortNumber(2))])))
        }
    }
    return specs
}

/// A table holding `specs`, built with `FlowTable.insert` (ids in order).
func makeTable(_ specs: [FlowSpec]) -> FlowTable {
    var t = FlowTable()
    for (i, spec) in specs.enumerated() {
        t.insert(FlowEntry(spec: spec, id: UInt64(i + 1), now: 0))
    }
    return t
}

/// A key that matches nothing in the table: unknown in_port and MACs, ARP (so no IPv4/IPv6
/// flow applies), untagged, metadata whose low 16 bits are 0.
func missKey(_ i: Int) -> FlowKey {
    var k = FlowKey()
    k.inPort = 50_000 + UInt32(i)
    k.ethDst = MACAddress(rawValue: 0x0200_0099_0000 + UInt64(i))
    k.ethSrc = MACAddress(rawValue: 0x0200_0098_0000 + UInt64(i))
    k.ethType = EtherType.arp
    k.arpOp = 1
    k.arpSPA = IPv4Address(192, 0, 2, UInt8(i & 0xFF))
    k.arpTPA = IPv4Address(198, 51, 100, UInt8(i & 0xFF))
    k.metadata = UInt64(i) << 16
    return k
}

/// Brute force: the id of the highest-priority matching flow, ties to the lowest id
/// (FlowTable's rule). `flows`: (mask words, value words, priority, id) of every entry.
func linearLookup(_ flows: [(SIMD16<UInt64>, SIMD16<UInt64>, UInt16, UInt64)], _ key: FlowKey) -> UInt64? {
    var best: (priority: UInt16, id: UInt64)?
    for (mask, value, priority, id) in flows where key.words & mask == value {
        if let b = best, (priority, b.id) <= (b.priority, id) { continue }
        best = (priority, id)
    }
    return best?.id
}

// MARK: Fixtures (globals are lazy: each benchmark process builds only what it uses)

final class ClassifierFixture: @unchecked Sendable {
    let specs: [FlowSpec]
    let table: FlowTable
    /// 1024 keys: 7 of 8 built to match a chosen flow, every 8th matches nothing.
    let keys: [FlowKey]
    let hitCount: Int

    init() {
        specs = tenThousandFlows()
        table = makeTable(specs)
        precondition(table.count == 10_000 && table.maskCount == 10, "expected 10,000 flows over 10 masks")
        var rng = SplitMix64(seed: 0x5EED)
        var keys: [FlowKey] = []
        for i in 0..<1024 {
            var k = missKey(i)
            if i % 8 != 7 {
                let m = specs[Int(rng.next() % UInt64(specs.count))].match
                k = FlowKey(words: (k.words & ~m.mask.words) | m.value.words)
            }
            keys.append(k)
        }
        self.keys = keys
        // The classifier must agree with a linear scan on every key before anything is measured.
        let flows = table.entries.map { ($0.match.mask.words, $0.match.value.words, $0.priority, $0.id) }
        var hits = 0
        for k in keys {
            let fast = table.lookup(k)
            precondition(fast?.id == linearLookup(flows, k), "FlowTable.lookup disagrees with a linear scan")
            if fast != nil { hits += 1 }
        }
        precondition(hits == 896, "expected 896 of 1024 keys to hit, got \(hits)")
        hitCount = hits
    }
}

/// splitmix64: a fixed-seed generator, so every run uses the same keys.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A port that sends nowhere: `send` reports every frame sent and touches nothing.
final class NullPort: SwitchPort, @unchecked Sendable {
    let number: PortNumber
    let name: String
    let kind = PortKind.pcap
    let fileDescriptor: Int32 = -1
    let counters = PortCounters()
    let state = PortState()

    init(_ number: PortNumber, name: String) { self.number = number; self.name = name }
    func receive(pool: PacketBufferPool, into packets: inout [PacketRef], limit: Int) -> Int { 0 }
    func send(_ packets: ArraySlice<PacketRef>, pool: PacketBufferPool) -> Int { packets.count }
    func close() {}
}

/// A 64-byte Ethernet / IPv4 / TCP frame (SYN, padded to 64 bytes).
func tcpFrame(srcMAC: UInt8, dstMAC: UInt8, dstIP: IPv4Address, sport: UInt16, dport: UInt16) -> [UInt8] {
    var ip = IPv4Packet(source: IPv4Address(10, 200, 0, 1), destination: dstIP, protocol: IPProtocol.tcp, payload: [])
    ip.payload = TCPSegment(sourcePort: sport, destinationPort: dport, flags: [.syn]).bytes(ip.pseudoHeader)
    return EthernetFrame(destination: MACAddress(0x02, 0, 0, 0, 0, dstMAC), source: MACAddress(0x02, 0, 0, 0, 0, srcMAC),
                         etherType: EtherType.ipv4, payload: ip.bytes()).bytes(minimumLength: 64)
}

/// A switch with two null ports and the 10,000 flows (plus, for NORMAL, a priority-0 NORMAL
/// flow), and a batch of 32 frames on port 1 whose keys are cached by a first pass.
///
/// The batch's buffers stay in the pool with one extra reference held here, so each
/// `process` call sees the same frames without copying them in again (a receive would copy).
final class DatapathFixture: @unchecked Sendable {
    let sw: VirtualSwitch
    var batch: [PacketRef] = []
    let frames: [[UInt8]]

    /// `normal`: frames miss the 10,000 flows and take `priority=0,actions=normal` (learned
    /// unicast to port 2); otherwise each frame hits one `tcp_dst` flow (`output:2`).
    init(normal: Bool) {
        let def = SwitchDefinition(name: "bench", failMode: .secure,
                                   ports: [.init(number: PortNumber(1), name: "p1", kind: .pcap),
                                           .init(number: PortNumber(2), name: "p2", kind: .pcap)])
        sw = try! VirtualSwitch(def, pool: PacketBufferPool(capacity: 256, bufferSize: 2048)) { p in
            NullPort(p.number, name: p.name)
        }
        // Publish the table directly: VirtualSwitch.addFlows validates each flow against the
        // whole table, which is not what is measured here.
        var specs = tenThousandFlows()
        if normal { specs.append(FlowSpec(priority: 0, instructions: .apply([.output(.normal)]))) }
        var tables = Array(repeating: FlowTable(), count: PipelineSnapshot.tableCount)
        tables[0] = makeTable(specs)
        let current = sw.datapath.pipeline.load(ordering: .acquiring)
        sw.datapath.pipeline.store(PipelineSnapshot(tables: tables, groups: [:], generation: current.generation &+ 1,
                                                    missToNormal: false), ordering: .releasing)

        // tcp_dst 1000 + 31 i hits flow j = 31 i of the tcp_dst mask; tcp_dst 80 + i hits nothing.
        var frames: [[UInt8]] = []
        for i in 0..<Datapath.batchSize {
            let dport: UInt16 = normal ? UInt16(80 + i) : UInt16(1000 + 31 * i)
            let dstIP = IPv4Address(192, 168, 1, UInt8(i + 1))
            frames.append(tcpFrame(srcMAC: 1, dstMAC: 2, dstIP: dstIP, sport: UInt16(40_000 + i), dport: dport))
        }
        self.frames = frames
        let dp = sw.datapath
        for frame in frames {
            precondition(frame.count == 64)
            let index = dp.pool.allocate()!
            frame.withUnsafeBytes {
                (dp.pool.base(index) + PacketBufferPool.headroom).copyMemory(from: $0.baseAddress!, byteCount: frame.count)
            }
            batch.append(PacketRef(buffer: index, offset: Int32(PacketBufferPool.headroom), length: Int32(frame.count)))
        }
        if normal {
            // Teach the MAC table where 02:00:00:00:00:02 is, so NORMAL sends unicast.
            let reply = tcpFrame(srcMAC: 2, dstMAC: 1, dstIP: IPv4Address(10, 200, 0, 1), sport: 80, dport: 40_000)
            let index = dp.pool.allocate()!
            reply.withUnsafeBytes {
                (dp.pool.base(index) + PacketBufferPool.headroom).copyMemory(from: $0.baseAddress!, byteCount: reply.count)
            }
            var one = [PacketRef(buffer: index, offset: Int32(PacketBufferPool.headroom), length: Int32(reply.count))]
            dp.process(&one, inSlot: 1, now: MonotonicClock.nanoseconds())
        }
        // First pass: translate and cache the 32 keys. Then check that a second pass hits the
        // cache for all 32 and sends all 32 to port 2, and that no buffer leaks.
        process()
        let hits0 = dp.cacheHits.load(ordering: .relaxed), misses0 = dp.cacheMisses.load(ordering: .relaxed)
        let sent0 = dp.ports[1].counters.txPackets
        process()
        precondition(dp.cacheMisses.load(ordering: .relaxed) == misses0, "frames missed the cache on the second pass")
        precondition(dp.cacheHits.load(ordering: .relaxed) - hits0 == UInt64(Datapath.batchSize), "not every frame hit the cache")
        precondition(dp.ports[1].counters.txPackets - sent0 == UInt64(Datapath.batchSize), "not every frame went to port 2")
        precondition(dp.pool.available == dp.pool.capacity - Datapath.batchSize, "buffer leak")
        if !normal {
            let key = frames[0].withUnsafeBytes { FlowKey.extract(from: $0, inPort: 1) }.key
            precondition(sw.snapshot.tables[0].lookup(key)?.match == MaskKind.tcpDst.match(0), "frame 0 should hit tcp_dst=1000")
        }
    }

    /// One batch through the datapath. The fixture's extra reference keeps each buffer alive.
    @inline(__always) func process() {
        let dp = sw.datapath
        for ref in batch { dp.pool.retain(ref.buffer) }
        dp.process(&batch, inSlot: 0, now: MonotonicClock.nanoseconds())
    }
}

final class CacheFixture: @unchecked Sendable {
    var map = FlowKeyMap<Int32>(minimumCapacity: 4096)  // the datapath's cache size
    let keys: [FlowKey]

    init() {
        // The 1024 classifier keys as cached flow keys (distinct), values = program index.
        var seen = Set<FlowKey>()
        var keys: [FlowKey] = []
        for (i, k) in classifierFixture.keys.enumerated() where seen.insert(k).inserted {
            map[k] = Int32(i)
            keys.append(k)
        }
        precondition(keys.count == 1024, "expected 1024 distinct keys")
        self.keys = keys
        for (i, k) in keys.enumerated() { precondition(map[k] != nil, "key \(i) not cached") }
    }
}

let classifierFixture = ClassifierFixture()
let outputFixture = DatapathFixture(normal: false)
let normalFixture = DatapathFixture(normal: true)
let cacheFixture = CacheFixture()

// MARK: Suite

let benchmarks: @Sendable () -> Void = {
    // Per-frame benchmarks: 1M frames (31,250 batches) per measured iteration; up to 10 s so
    // that a slow datapath (~1 s per iteration) still gives enough samples for a p50.
    let perFrame = Benchmark.Configuration(
        metrics: [.throughput, .wallClock, .mallocCountTotal, .instructions],
        warmupIterations: 2,
        scalingFactor: .mega,
        maxDuration: .seconds(10),
        maxIterations: 50
    )
    // The cache lookup alone: 1M gets per iteration.
    let perGet = Benchmark.Configuration(
        metrics: [.throughput, .wallClock, .mallocCountTotal, .instructions],
        warmupIterations: 2,
        scalingFactor: .mega,
        maxDuration: .seconds(3),
        maxIterations: 50
    )
    // Classifier lookups are ~10-100x slower: 1K lookups per iteration, more iterations.
    let perLookup = Benchmark.Configuration(
        metrics: [.throughput, .wallClock, .mallocCountTotal, .instructions],
        warmupIterations: 100,
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 5000
    )

    Benchmark("FlowTable.lookup 10k flows/10 masks, 1024 keys 7/8 hit (miss path)", configuration: perLookup) { benchmark in
        let fixture = classifierFixture
        fixture.keys.withUnsafeBufferPointer { keys in
            let table = fixture.table
            var k = 0
            for _ in benchmark.scaledIterations {
                blackHole(table.lookup(keys[k & 1023]))
                k &+= 1
            }
        }
    }

    Benchmark("Datapath.process 32x64B cached, 10k flows, output:2 (per frame)", configuration: perFrame) { benchmark in
        let fixture = outputFixture
        for _ in 0..<(benchmark.scaledIterations.count / Datapath.batchSize) {
            fixture.process()
        }
    }

    Benchmark("Datapath.process 32x64B cached, NORMAL (per frame)", configuration: perFrame) { benchmark in
        let fixture = normalFixture
        for _ in 0..<(benchmark.scaledIterations.count / Datapath.batchSize) {
            fixture.process()
        }
    }

    Benchmark("FlowKeyMap get, 1024 cached keys (exact-match cache)", configuration: perGet) { benchmark in
        let fixture = cacheFixture
        fixture.keys.withUnsafeBufferPointer { keys in
            let map = fixture.map
            var k = 0
            for _ in benchmark.scaledIterations {
                blackHole(map[keys[k & 1023]])
                k &+= 1
            }
        }
    }
}
