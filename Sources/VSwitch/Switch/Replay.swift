import FlowRules
import Pcap

/// Offline runs: the full pipeline over frames from pcap files, every port's output written to
/// `DIR/PORTNAME.pcap`. How users write packet-level tests with fixtures.
public enum Replay {
    public struct Input: Sendable {
        public var port: PortNumber
        public var path: String
        public init(port: PortNumber, path: String) { self.port = port; self.path = path }
    }

    /// Runs the replay and returns the switch (stopped, ports closed) for its counters.
    public static func run(_ definition: SwitchDefinition, groups: [GroupEntry] = [], extraFlows: [FlowSpec] = [],
                           inputs: [Input], outputDirectory: String) throws -> VirtualSwitch {
        var pcapPorts: [PortNumber: PcapPort] = [:]
        let sw = try VirtualSwitch(definition, pool: PacketBufferPool(capacity: 256)) { p in
            let port = try PcapPort(number: p.number, name: p.name, outputPath: "\(outputDirectory)/\(p.name).pcap")
            pcapPorts[p.number] = port
            return port
        }
        for group in groups { try sw.groupMod(.add, group) }
        try sw.addFlows(extraFlows)

        // Every input frame, merged in timestamp order (stable: earlier input files first on ties).
        var frames: [(PcapTimestamp, Int, Int, PortNumber, [UInt8])] = []
        for (fileIndex, input) in inputs.enumerated() {
            guard sw.datapath.port(input.port) != nil else {
                throw PortError(String(input.port.rawValue), "replay input \(input.path)", "the switch has no such port")
            }
            for (i, packet) in try PcapReader(path: input.path).readAll().enumerated() {
                frames.append((packet.timestamp, fileIndex, i, input.port, packet.data))
            }
        }
        frames.sort { ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) }

        let dp = sw.datapath
        let pool = dp.pool
        var batch: [PacketRef] = []
        for (timestamp, _, _, portNumber, data) in frames {
            for port in pcapPorts.values { port.currentTimestamp = timestamp }
            let slot = dp.slot(portNumber)
            guard let index = pool.allocate() else { dp.counters.dropped(.noBuffer); continue }
            let offset = PacketBufferPool.headroom
            let length = min(data.count, pool.bufferSize - offset)
            data.withUnsafeBytes { (pool.base(index) + offset).copyMemory(from: $0.baseAddress!, byteCount: length) }
            batch = [PacketRef(buffer: index, offset: Int32(offset), length: Int32(length))]
            let now = UInt64(timestamp.seconds) &* 1_000_000_000 &+ UInt64(timestamp.nanoseconds)
            dp.process(&batch, inSlot: slot, now: now)
        }
        for port in pcapPorts.values { port.close() }
        return sw
    }
}
