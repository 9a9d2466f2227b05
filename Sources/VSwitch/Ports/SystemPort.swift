import FlowRules
import CShims
import Glibc

/// An existing interface (a veth end, a NIC, a TAP someone else opened) attached with an
/// AF_PACKET socket. PACKET_VNET_HDR carries offload state both ways, so GSO frames pass
/// whole; batches move with recvmmsg/sendmmsg; PACKET_AUXDATA returns the VLAN tags the
/// kernel strips on receive.
public final class SystemPort: SwitchPort, @unchecked Sendable {
    public let number: PortNumber
    public let name: String
    public let interface: String
    public let kind = PortKind.system
    public private(set) var fileDescriptor: Int32
    public let counters = PortCounters()
    public let state = PortState()
    static let socketBuffer: Int32 = 8 << 20

    var rxPointers: [UnsafeMutablePointer<UInt8>?]
    var rxSizes: [UInt32]
    var rxLengths: [UInt32]
    var rxTags: [UInt64]
    var rxBuffers: [Int32]
    var txPointers: [UnsafePointer<UInt8>?]
    var txLengths: [UInt32]

    public init(number: PortNumber, name: String, interface: String) throws(PortError) {
        self.number = number
        self.name = name
        self.interface = interface
        guard let ifindex = Sys.interfaceIndex(interface) else {
            throw PortError(name, "attach to \(interface)", "no such interface")
        }
        let fd = sdn_packet_socket(ifindex)
        guard fd >= 0 else { throw .errno(name, "AF_PACKET socket on \(interface)") }
        func fail(_ op: String, _ e: Int32) -> PortError { Glibc.close(fd); return .errno(name, op, e) }
        if let e = Sys.setOption(fd, SOL_PACKET, 15 /* PACKET_VNET_HDR */, 1) { throw fail("PACKET_VNET_HDR", e) }
        if let e = Sys.setOption(fd, SOL_PACKET, 8 /* PACKET_AUXDATA */, 1) { throw fail("PACKET_AUXDATA", e) }
        if let e = Sys.setOption(fd, SOL_PACKET, 23 /* PACKET_IGNORE_OUTGOING */, 1) { throw fail("PACKET_IGNORE_OUTGOING", e) }
        // The default 208 KiB queue holds only a few 64 KiB GSO frames: TCP bursts overflow it.
        // SO_RCVBUFFORCE ignores rmem_max (we run as root); fall back to SO_RCVBUF.
        if Sys.setOption(fd, SOL_SOCKET, SO_RCVBUFFORCE, Self.socketBuffer) != nil {
            _ = Sys.setOption(fd, SOL_SOCKET, SO_RCVBUF, Self.socketBuffer)
        }
        if Sys.setOption(fd, SOL_SOCKET, SO_SNDBUFFORCE, Self.socketBuffer) != nil {
            _ = Sys.setOption(fd, SOL_SOCKET, SO_SNDBUF, Self.socketBuffer)
        }
        if let e = Sys.setInterfaceUp(fd, interface) { throw fail("set \(interface) up", e) }
        fileDescriptor = fd
        let batch = Datapath.batchSize
        rxPointers = Array(repeating: nil, count: batch)
        rxSizes = Array(repeating: 0, count: batch)
        rxLengths = Array(repeating: 0, count: batch)
        rxTags = Array(repeating: 0, count: batch)
        rxBuffers = Array(repeating: -1, count: batch)
        txPointers = Array(repeating: nil, count: 256)
        txLengths = Array(repeating: 0, count: 256)
    }

    deinit { close() }

    /// Moves the kernel's count of frames it dropped on this socket into the port's counters.
    public func collectKernelDrops() {
        guard fileDescriptor >= 0 else { return }
        let n = sdn_packet_drops(fileDescriptor)
        if n > 0 { counters.dropped(.kernelQueueFull, UInt64(n)) }
    }

    public func close() {
        if fileDescriptor >= 0 { Glibc.close(fileDescriptor); fileDescriptor = -1 }
    }

    public func receive(pool: PacketBufferPool, into packets: inout [PacketRef], limit: Int) -> Int {
        let headroom = PacketBufferPool.headroom
        let hdr = VirtioNetHeader.size
        let want = min(limit, rxPointers.count, pool.available)
        guard want > 0 else { counters.dropped(.noBuffer); return 0 }
        for i in 0..<want {
            let index = pool.allocate()!
            rxBuffers[i] = index
            rxPointers[i] = (pool.base(index) + headroom - hdr).assumingMemoryBound(to: UInt8.self)
            rxSizes[i] = UInt32(pool.bufferSize - headroom + hdr)
        }
        let n = Int(sdn_recvmmsg(fileDescriptor, rxPointers, rxSizes, &rxLengths, &rxTags, UInt32(want), Int32(MSG_DONTWAIT)))
        let received = max(n, 0)
        if n < 0 && errno != EAGAIN { counters.rxError() }
        for i in 0..<received {
            let index = rxBuffers[i]
            let start = pool.base(index) + headroom - hdr
            var ref = PacketRef(buffer: index, offset: Int32(headroom), length: Int32(rxLengths[i]) - Int32(hdr),
                                vnet: VirtioNetHeader(at: start))
            if rxTags[i] & SDN_VLAN_TAG_VALID != 0 && ref.length >= 12 {
                reinsertTag(&ref, tag: rxTags[i], pool: pool)
            }
            packets.append(ref)
        }
        for i in received..<want { pool.release(rxBuffers[i]) }
        return received
    }

    /// Puts back the 802.1Q tag the kernel moved into the packet's metadata.
    @inline(__always) func reinsertTag(_ ref: inout PacketRef, tag: UInt64, pool: PacketBufferPool) {
        let frame = pool.base(ref.buffer) + Int(ref.offset)
        (frame - 4).copyMemory(from: frame, byteCount: 12)
        (frame + 8).storeBytes(of: UInt16(truncatingIfNeeded: tag >> 16).bigEndian, as: UInt16.self)
        (frame + 10).storeBytes(of: UInt16(truncatingIfNeeded: tag).bigEndian, as: UInt16.self)
        ref.offset -= 4
        ref.length += 4
        ref.vnet.shift(by: 4)
    }

    public func send(_ packets: ArraySlice<PacketRef>, pool: PacketBufferPool) -> Int {
        let hdr = VirtioNetHeader.size
        var sent = 0
        var pending = packets[...]
        while !pending.isEmpty {
            let chunk = pending.prefix(txPointers.count)
            for (i, p) in chunk.enumerated() {
                let start = pool.base(p.buffer) + Int(p.offset) - hdr
                p.vnet.store(at: start)
                txPointers[i] = UnsafePointer(start.assumingMemoryBound(to: UInt8.self))
                txLengths[i] = UInt32(Int(p.length) + hdr)
            }
            var offset = 0
            while offset < chunk.count {
                let r = txPointers.withUnsafeBufferPointer { ptrs in
                    txLengths.withUnsafeBufferPointer { lens in
                        sdn_sendmmsg(fileDescriptor, ptrs.baseAddress! + offset, lens.baseAddress! + offset,
                                     UInt32(chunk.count - offset), 0)
                    }
                }
                if r > 0 { offset += Int(r); sent += Int(r); continue }
                if r < 0 && errno == EINTR { continue }
                // A frame the device refuses (e.g. too big without GSO support): skip it, count it.
                counters.txError()
                offset += 1
            }
            pending = pending.dropFirst(chunk.count)
        }
        return sent
    }
}
