import FlowRules
import Testing
import Packet
@testable import VSwitch

/// A port whose wire is an array: frames the test injects come in, frames the switch sends are
/// recorded. Lets datapath tests run without devices or root.
final class MemoryPort: SwitchPort, @unchecked Sendable {
    let number: PortNumber
    let name: String
    let kind = PortKind.pcap
    let fileDescriptor: Int32 = -1
    let counters = PortCounters()
    let state = PortState()
    var sent: [[UInt8]] = []

    init(_ number: UInt32, name: String? = nil) {
        self.number = PortNumber(number)
        self.name = name ?? "m\(number)"
    }

    func receive(pool: PacketBufferPool, into packets: inout [PacketRef], limit: Int) -> Int { 0 }

    func send(_ packets: ArraySlice<PacketRef>, pool: PacketBufferPool) -> Int {
        for p in packets {
            sent.append(Array(UnsafeRawBufferPointer(start: pool.base(p.buffer) + Int(p.offset), count: Int(p.length))))
        }
        return packets.count
    }

    func close() {}

    func take() -> [[UInt8]] { defer { sent = [] }; return sent }
}

/// A switch of memory ports, with a helper to push one frame through it.
struct TestSwitch {
    let sw: VirtualSwitch
    let ports: [UInt32: MemoryPort]

    init(ports numbers: [UInt32], vlans: [UInt32: PortVLANMode] = [:], failMode: SwitchDefinition.FailMode = .secure,
         flows: [FlowSpec] = [], macTableSize: Int = 8192, packetInRate: Int = 1000, bufferSize: Int = 4096) throws {
        var made: [UInt32: MemoryPort] = [:]
        let def = SwitchDefinition(name: "t", failMode: failMode,
                                   ports: numbers.map { .init(number: PortNumber($0), name: "m\($0)", kind: .pcap, vlan: vlans[$0] ?? .trunkAll) },
                                   flows: flows, macTableSize: macTableSize, packetInRate: packetInRate)
        sw = try VirtualSwitch(def, pool: PacketBufferPool(capacity: 64, bufferSize: bufferSize)) { p in
            let m = MemoryPort(p.number.rawValue)
            made[p.number.rawValue] = m
            return m
        }
        ports = made
    }

    /// Sends `frame` in on `port` and returns what each port transmitted.
    @discardableResult
    func inject(_ frame: [UInt8], on port: UInt32, now: UInt64 = 1_000_000_000) -> [UInt32: [[UInt8]]] {
        let dp = sw.datapath
        let index = dp.pool.allocate()!
        let offset = PacketBufferPool.headroom
        frame.withUnsafeBytes { (dp.pool.base(index) + offset).copyMemory(from: $0.baseAddress!, byteCount: frame.count) }
        var batch = [PacketRef(buffer: index, offset: Int32(offset), length: Int32(frame.count))]
        dp.process(&batch, inSlot: dp.slot(PortNumber(port)), now: now)
        var out: [UInt32: [[UInt8]]] = [:]
        for (n, p) in ports {
            let sent = p.take()
            if !sent.isEmpty { out[n] = sent }
        }
        #expect(dp.pool.available == dp.pool.capacity, "buffer leak")
        return out
    }
}

enum Frames {
    static func mac(_ last: UInt8) -> MACAddress { MACAddress(0x02, 0, 0, 0, 0, last) }

    static func udp(src: UInt8 = 1, dst: UInt8 = 2, dstMAC: MACAddress? = nil, vlan: UInt16? = nil, ttl: UInt8 = 64,
                    sport: UInt16 = 1000, dport: UInt16 = 2000) -> [UInt8] {
        var ip = IPv4Packet(source: IPv4Address(10, 0, 0, src), destination: IPv4Address(10, 0, 0, dst), protocol: 17, payload: [])
        ip.ttl = ttl
        ip.payload = UDPDatagram(sourcePort: sport, destinationPort: dport, payload: [1, 2, 3, 4]).bytes(ip.pseudoHeader)
        return EthernetFrame(destination: dstMAC ?? mac(dst), source: mac(src), tags: vlan.map { [VLANTag(vid: $0)] } ?? [],
                             etherType: EtherType.ipv4, payload: ip.bytes()).bytes()
    }

    static func key(_ frame: [UInt8], inPort: UInt32 = 1) -> ParsedFrame {
        frame.withUnsafeBytes { FlowKey.extract(from: $0, inPort: inPort) }
    }
}

extension FlowSpec {
    /// A flow matching `in_port` (and optional extra fields) that applies `actions`.
    static func on(_ inPort: UInt32?, table: UInt8 = 0, priority: UInt16 = 100, _ actions: [FlowAction],
                   configure: (inout FlowMatch) -> Void = { _ in }, goto: UInt8? = nil) -> FlowSpec {
        var m = FlowMatch()
        if let inPort { m.set(.inPort, UInt64(inPort)) }
        configure(&m)
        return FlowSpec(table: table, priority: priority, match: m,
                        instructions: Instructions(applyActions: actions, gotoTable: goto))
    }
}
