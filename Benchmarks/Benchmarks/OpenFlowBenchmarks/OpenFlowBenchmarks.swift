// Codec benchmarks for module OpenFlow: one FLOW_MOD as a controller sends it when it
// installs a flow (match in_port + eth_type + ipv4_dst, apply-actions output), encoded and
// decoded back. `scaledIterations` (100k) messages per measured iteration, so the `*`
// figures are per message. `tools/bench/codec` counts the same loops' instructions.
// Decoding is by an `OFMessageDecoder`, as the switch agent and the controller decode each
// connection's messages; the "one-shot" rows decode with `OFMessage.decode`, which allocates
// each message's storage anew. The "wrapped each time" row encodes a copy of the flow-mod put
// in a new OFMessage per message, as this suite did until 2026-11-29.
//
// Goal (../shared/BENCHMARKS.md): FLOW_MOD encode+decode >= 2 M messages/s.

import Benchmark
import OpenFlow
import Packet

func installFlowMod(_ i: Int) -> OFFlowMod {
    OFFlowMod(cookie: 0xBE4C_0000_0000_0000 | UInt64(i), tableID: 0, command: .add, priority: 100,
              match: OFMatch([.inPort(1), .ethType(0x0800), .ipv4Dst(IPv4Address(rawValue: 0x0A00_0000 | UInt32(i & 0xFFFF)))]),
              instructions: [.applyActions([.output(port: 2)])])
}

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.throughput, .wallClock, .mallocCountTotal, .instructions],
        warmupIterations: 2,
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 50
    )
    let flowMod = installFlowMod(7)
    // Made once: wrapping a copy of `flowMod` in a new OFMessage in the loop (and destroying it)
    // is neither encoding nor decoding, and cost 280 of 2,546 instructions a message. The build
    // row counts making the message.
    let message = OFMessage.flowMod(flowMod)
    let encoded = try! message.encode(xid: 1)
    guard case .flowMod(let back) = try! OFMessage.decode(encoded, options: .datapath).message, back == flowMod else {
        fatalError("FLOW_MOD does not round-trip")
    }

    Benchmark("OFMessage FLOW_MOD encode", configuration: configuration) { benchmark in
        var buffer: [UInt8] = []
        buffer.reserveCapacity(256)
        for i in benchmark.scaledIterations {
            buffer.removeAll(keepingCapacity: true)
            try! message.encode(xid: UInt32(truncatingIfNeeded: i), appendingTo: &buffer)
            blackHole(buffer)
        }
    }

    Benchmark("OFMessage FLOW_MOD decode", configuration: configuration) { benchmark in
        var decoder = OFMessageDecoder(options: .datapath)
        for _ in benchmark.scaledIterations {
            blackHole(try! decoder.decode(encoded))
        }
    }

    Benchmark("OFMessage FLOW_MOD decode, one-shot", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try! OFMessage.decode(encoded, options: .datapath))
        }
    }

    Benchmark("OFMessage FLOW_MOD encode+decode", configuration: configuration) { benchmark in
        var buffer: [UInt8] = []
        buffer.reserveCapacity(256)
        var decoder = OFMessageDecoder(options: .datapath)
        for i in benchmark.scaledIterations {
            buffer.removeAll(keepingCapacity: true)
            try! message.encode(xid: UInt32(truncatingIfNeeded: i), appendingTo: &buffer)
            blackHole(try! decoder.decode(buffer))
        }
    }

    // The loop as it was until 2026-11-29: a copy of the flow-mod wrapped in a new OFMessage for
    // every encode. Kept so that figures before and after can be compared in one run.
    Benchmark("OFMessage FLOW_MOD encode+decode, wrapped each time", configuration: configuration) { benchmark in
        var buffer: [UInt8] = []
        buffer.reserveCapacity(256)
        var decoder = OFMessageDecoder(options: .datapath)
        for i in benchmark.scaledIterations {
            buffer.removeAll(keepingCapacity: true)
            try! OFMessage.flowMod(flowMod).encode(xid: UInt32(truncatingIfNeeded: i), appendingTo: &buffer)
            blackHole(try! decoder.decode(buffer))
        }
    }

    Benchmark("OFMessage FLOW_MOD encode+decode, one-shot", configuration: configuration) { benchmark in
        var buffer: [UInt8] = []
        buffer.reserveCapacity(256)
        for i in benchmark.scaledIterations {
            buffer.removeAll(keepingCapacity: true)
            try! message.encode(xid: UInt32(truncatingIfNeeded: i), appendingTo: &buffer)
            blackHole(try! OFMessage.decode(buffer, options: .datapath))
        }
    }

    // As a controller sends flows: each message built from its values (match fields, actions)
    // before it is encoded. Lists are kept in wire form, so building one is part of encoding it.
    Benchmark("OFMessage FLOW_MOD build+encode+decode", configuration: configuration) { benchmark in
        var buffer: [UInt8] = []
        buffer.reserveCapacity(256)
        var decoder = OFMessageDecoder(options: .datapath)
        for i in benchmark.scaledIterations {
            buffer.removeAll(keepingCapacity: true)
            try! OFMessage.flowMod(installFlowMod(i)).encode(xid: UInt32(truncatingIfNeeded: i), appendingTo: &buffer)
            blackHole(try! decoder.decode(buffer))
        }
    }
}
