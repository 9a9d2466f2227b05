import FlowRules
import Pcap

/// A port for offline runs: the replay feeds it frames from a pcap file, and what the switch
/// sends to it is written to another pcap file, checksums completed.
public final class PcapPort: SwitchPort, @unchecked Sendable {
    public let number: PortNumber
    public let name: String
    public let kind = PortKind.pcap
    public let fileDescriptor: Int32 = -1
    public let counters = PortCounters()
    public let state = PortState()
    let writer: PcapWriter?
    /// Timestamp stamped on output frames: the input frame's, set by the replay.
    public var currentTimestamp = PcapTimestamp(seconds: 0)
    var scratch = [UInt8](repeating: 0, count: 65536 + 128)

    public init(number: PortNumber, name: String, outputPath: String?) throws(PcapError) {
        self.number = number
        self.name = name
        writer = try outputPath.map { path throws(PcapError) in try PcapWriter(path: path, precision: .nanoseconds) }
    }

    public func receive(pool: PacketBufferPool, into packets: inout [PacketRef], limit: Int) -> Int { 0 }

    public func send(_ packets: ArraySlice<PacketRef>, pool: PacketBufferPool) -> Int {
        guard let writer else { return packets.count }
        for p in packets {
            let length = Int(p.length)
            if scratch.count < length { scratch = [UInt8](repeating: 0, count: length) }
            scratch.withUnsafeMutableBytes { raw in
                raw.baseAddress!.copyMemory(from: pool.base(p.buffer) + Int(p.offset), byteCount: length)
                FrameRewrite.completeChecksum(raw.baseAddress!, length: length, vnet: p.vnet)
                writer.write(UnsafeRawBufferPointer(rebasing: raw[..<length]), timestamp: currentTimestamp)
            }
        }
        return packets.count
    }

    public func close() { writer?.close() }
}
