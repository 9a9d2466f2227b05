// Hot-path benchmarks for module Packet: one-pass flow-key extraction and the Internet
// checksum helpers. Every benchmark runs `scaledIterations` (1M) operations per measured
// iteration on one pre-built buffer, so the figures the tool prints with `*` are per
// operation (per frame), and mallocCountTotal counts allocations for the whole million.
//
// Goal: >= 20M frames/s on one core for both extraction benchmarks, 0 mallocs per frame.

import Benchmark
import Packet

// MARK: Frames, built once with the Packet builders

/// 64-byte Ethernet / IPv4 / TCP frame (SYN, no payload, padded to 64 bytes).
func ipv4TCPFrame() -> [UInt8] {
    let ip = IPv4Packet(source: IPv4Address(10, 0, 0, 1), destination: IPv4Address(10, 0, 0, 2),
                        protocol: IPProtocol.tcp, payload: [])
    let tcp = TCPSegment(sourcePort: 49152, destinationPort: 80, flags: [.syn])
    var packet = ip
    packet.payload = tcp.bytes(ip.pseudoHeader)
    return EthernetFrame(destination: MACAddress(0x02, 0, 0, 0, 0, 0x02),
                         source: MACAddress(0x02, 0, 0, 0, 0, 0x01),
                         etherType: EtherType.ipv4,
                         payload: packet.bytes()).bytes(minimumLength: 64)
}

/// 802.1Q (vid 10) / IPv6 / UDP frame with 18 bytes of UDP payload (84 bytes in all).
func vlanIPv6UDPFrame() -> [UInt8] {
    let source = IPv6Address("2001:db8::1")!
    let destination = IPv6Address("2001:db8::2")!
    let ip = IPv6Packet(source: source, destination: destination, nextHeader: IPProtocol.udp, payload: [])
    let udp = UDPDatagram(sourcePort: 5353, destinationPort: 4789,
                          payload: [UInt8](repeating: 0xAB, count: 18))
    var packet = ip
    packet.payload = udp.bytes(ip.pseudoHeader)
    return EthernetFrame(destination: MACAddress(0x02, 0, 0, 0, 0, 0x02),
                         source: MACAddress(0x02, 0, 0, 0, 0, 0x01),
                         tags: [VLANTag(vid: 10)],
                         etherType: EtherType.ipv6,
                         payload: packet.bytes()).bytes(minimumLength: 64)
}

/// Fails the run loudly (rather than measuring a short-circuited parse) if a frame does not
/// parse to the key the benchmark claims to exercise.
func check(_ frame: [UInt8], ethType: UInt16, proto: UInt8, ports: (UInt16, UInt16), vid: UInt16?) {
    let parsed = frame.withUnsafeBytes { FlowKey.extract(from: $0, inPort: 1) }
    precondition(parsed.status == .ok, "frame did not parse: \(parsed.status)")
    precondition(parsed.key.ethType == ethType && parsed.key.ipProto == proto, "wrong L3/L4")
    precondition(parsed.key.tpSrc == ports.0 && parsed.key.tpDst == ports.1, "wrong ports")
    precondition(parsed.key.vlanVID == (vid.map { $0 | FlowKey.vlanPresent } ?? 0), "wrong VLAN")
}

// MARK: Suite

let benchmarks: @Sendable () -> Void = {
    // Shared settings: 1M operations per measured iteration; each benchmark stops after
    // 3 s or 50 iterations, whichever comes first, so the suite takes well under a minute.
    let configuration = Benchmark.Configuration(
        metrics: [.throughput, .wallClock, .mallocCountTotal, .instructions],
        warmupIterations: 2,
        scalingFactor: .mega,
        maxDuration: .seconds(3),
        maxIterations: 50
    )

    let tcpFrame = ipv4TCPFrame()
    let udpFrame = vlanIPv6UDPFrame()
    precondition(tcpFrame.count == 64)
    check(tcpFrame, ethType: EtherType.ipv4, proto: IPProtocol.tcp, ports: (49152, 80), vid: nil)
    check(udpFrame, ethType: EtherType.ipv6, proto: IPProtocol.udp, ports: (5353, 4789), vid: 10)

    Benchmark("FlowKey.extract Eth/IPv4/TCP 64B", configuration: configuration) { benchmark in
        tcpFrame.withUnsafeBytes { frame in
            for i in benchmark.scaledIterations {
                blackHole(FlowKey.extract(from: frame, inPort: UInt32(truncatingIfNeeded: i)))
            }
        }
    }

    Benchmark("FlowKey.extract Eth/802.1Q/IPv6/UDP", configuration: configuration) { benchmark in
        udpFrame.withUnsafeBytes { frame in
            for i in benchmark.scaledIterations {
                blackHole(FlowKey.extract(from: frame, inPort: UInt32(truncatingIfNeeded: i)))
            }
        }
    }

    // The IPv4 header of the TCP frame (bytes 14..<34): a valid header sums to 0.
    Benchmark("InternetChecksum.compute IPv4 header 20B", configuration: configuration) { benchmark in
        tcpFrame.withUnsafeBytes { frame in
            let header = UnsafeRawBufferPointer(rebasing: frame[14..<34])
            precondition(InternetChecksum.compute(header) == 0, "IPv4 header checksum does not verify")
            for _ in benchmark.scaledIterations {
                blackHole(InternetChecksum.compute(header))
            }
        }
    }

    // RFC 1624 update of the IPv4 header checksum after a 32-bit address rewrite (NAT/set-field).
    Benchmark("InternetChecksum.update 32-bit field", configuration: configuration) { benchmark in
        let checksum = identity(UInt16(tcpFrame[24]) << 8 | UInt16(tcpFrame[25]))
        let old = identity(IPv4Address(10, 0, 0, 1).rawValue)
        let base = identity(IPv4Address(192, 0, 2, 0).rawValue)
        for i in benchmark.scaledIterations {
            blackHole(InternetChecksum.update(checksum, old: old, new: base &+ UInt32(truncatingIfNeeded: i)))
        }
    }
}
