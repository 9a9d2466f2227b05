import Foundation
import OpenFlow
import Packet

/// `ofbench codec --messages 2000000`: encodes and decodes one install FLOW_MOD in a loop and
/// prints messages/s; a plain loop that `perf record` can profile (the Benchmark suite's
/// OpenFlowBenchmarks measures the same with percentiles).
func runCodec() -> Never {
    let count = Int(option("messages", "2000000"))!
    let flowMod = OFFlowMod(cookie: 0xBE4C_0000_0000_0007, tableID: 0, command: .add, priority: 100,
                            match: OFMatch([.inPort(1), .ethType(0x0800), .ipv4Dst(IPv4Address(rawValue: 0x0A00_0007))]),
                            instructions: [.applyActions([.output(port: 2)])])
    var buffer: [UInt8] = []
    buffer.reserveCapacity(256)
    var checksum = 0
    let start = Date()
    for i in 0..<count {
        buffer.removeAll(keepingCapacity: true)
        try! OFMessage.flowMod(flowMod).encode(xid: UInt32(truncatingIfNeeded: i), appendingTo: &buffer)
        let decoded = try! OFMessage.decode(buffer, options: .datapath)
        checksum &+= Int(decoded.header.xid)
    }
    let elapsed = Date().timeIntervalSince(start)
    emit(String(format: "ofbench codec: %d FLOW_MOD encode+decode in %.3f s: %.0f messages/s (checksum %d)",
                 count, elapsed, Double(count) / elapsed, checksum))
    exit(0)
}
