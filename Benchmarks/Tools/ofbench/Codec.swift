import Foundation
import OpenFlow
import Packet

/// `ofbench codec [--messages N] [--part encode|decode|both] [--build] [--one-shot]`: encodes
/// and/or decodes one install FLOW_MOD in a loop and prints messages/s; with `--build` the
/// message is built from its values (match fields, actions) each time, as a controller does for
/// every flow, and that is counted with the encoding. Decoding is by an `OFMessageDecoder`, as
/// a connection decodes; with `--one-shot`, by `OFMessage.decode`, which allocates each time.
/// A plain loop that `perf record` can profile and that `tools/bench/codec` runs under
/// callgrind to count instructions per message (the Benchmark suite's OpenFlowBenchmarks
/// measures the same with percentiles, in wall time).
func runCodec() -> Never {
    let count = Int(option("messages", "2000000"))!
    let part = option("part", "both")
    guard ["encode", "decode", "both"].contains(part) else {
        FileHandle.standardError.write(Data("ofbench codec: --part must be encode, decode or both\n".utf8))
        exit(2)
    }
    let build = CommandLine.arguments.contains("--build")
    let oneShot = CommandLine.arguments.contains("--one-shot")
    var decoder = OFMessageDecoder(options: .datapath)
    // Decided once: comparing the option strings in the loop cost 60 instructions a message.
    let encodes = part != "decode", decodes = part != "encode", decodesWhatItEncodes = part == "both"
    func installFlowMod(_ i: Int) -> OFFlowMod {
        OFFlowMod(cookie: 0xBE4C_0000_0000_0000 | UInt64(i & 0xFFFF), tableID: 0, command: .add, priority: 100,
                  match: OFMatch([.inPort(1), .ethType(0x0800), .ipv4Dst(IPv4Address(rawValue: 0x0A00_0000 | UInt32(i & 0xFFFF)))]),
                  instructions: [.applyActions([.output(port: 2)])])
    }
    let flowMod = installFlowMod(7)
    // Made once, as in OpenFlowBenchmarks: a copy wrapped anew in the loop is not codec work.
    let message = OFMessage.flowMod(flowMod)
    let encoded = try! message.encode(xid: 1)
    var buffer: [UInt8] = []
    buffer.reserveCapacity(256)
    var checksum = 0
    let start = Date()
    for i in 0..<count {
        if encodes {
            buffer.removeAll(keepingCapacity: true)
            if build {
                try! OFMessage.flowMod(installFlowMod(i)).encode(xid: UInt32(truncatingIfNeeded: i), appendingTo: &buffer)
            } else {
                try! message.encode(xid: UInt32(truncatingIfNeeded: i), appendingTo: &buffer)
            }
            checksum &+= buffer.count
        }
        if decodes {
            // Not `let bytes = decodesWhatItEncodes ? buffer : encoded`: that copy of an array cost
            // a retain and a release a message, which the Benchmark suite's loops do not pay.
            func decode(_ bytes: [UInt8]) -> OFDecodedMessage {
                try! oneShot ? OFMessage.decode(bytes, options: .datapath) : decoder.decode(bytes)
            }
            let decoded = decodesWhatItEncodes ? decode(buffer) : decode(encoded)
            checksum &+= Int(decoded.header.xid)
        }
    }
    let elapsed = Date().timeIntervalSince(start)
    emit(String(format: "ofbench codec: %d FLOW_MOD %@ in %.3f s: %.0f messages/s (checksum %d)",
                 count, (build ? "build+" : "") + (part == "both" ? "encode+decode" : part), elapsed, Double(count) / max(elapsed, 1e-9), checksum))
    exit(0)
}
