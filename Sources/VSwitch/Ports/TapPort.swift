import FlowRules
import CShims
import Glibc

/// A TAP device: vswitchd holds the /dev/net/tun descriptor, the kernel side is the interface a
/// VM or container uses. Opened with IFF_VNET_HDR and TSO/checksum offloads so 64 KiB TCP
/// segments cross the switch as one frame per read/write.
public final class TapPort: SwitchPort, @unchecked Sendable {
    static let iffTap: Int16 = 0x0002
    static let iffNoPI: Int16 = 0x1000
    static let iffVnetHdr: Int16 = 0x4000
    static let tunOffloads: Int32 = 0x01 | 0x02 | 0x04 | 0x08  // TUN_F_CSUM | TSO4 | TSO6 | TSO_ECN

    public let number: PortNumber
    public let name: String
    public let kind = PortKind.tap
    public private(set) var fileDescriptor: Int32
    public let counters = PortCounters()
    public let state = PortState()
    /// The TAP interface's tx_dropped when last read (housekeeping thread only): frames its
    /// host sent while the switch's queue on this device was full.
    private var kernelTxDropped: UInt64?

    /// Creates the TAP `name` (or attaches to an existing persistent one with that name).
    public init(number: PortNumber, name: String) throws(PortError) {
        self.number = number
        self.name = name
        let fd: Int32
        switch Sys.open("/dev/net/tun", O_RDWR | O_NONBLOCK) {
        case .success(let f): fd = f
        case .failure(let e): throw .errno(name, "open /dev/net/tun", e.code)
        }
        var req = ifreq()
        let nameBytes = Array(name.utf8)
        guard nameBytes.count < Int(Glibc.IFNAMSIZ) else {
            Glibc.close(fd)
            throw PortError(name, "create TAP", "name longer than \(Glibc.IFNAMSIZ - 1) bytes")
        }
        withUnsafeMutableBytes(of: &req.ifr_ifrn.ifrn_name) { $0.copyBytes(from: nameBytes) }
        req.ifr_ifru.ifru_flags = Self.iffTap | Self.iffNoPI | Self.iffVnetHdr
        if let e = Sys.ioctl(fd, sdn_TUNSETIFF, &req) {
            Glibc.close(fd)
            throw .errno(name, "TUNSETIFF", e)
        }
        var headerSize = Int32(VirtioNetHeader.size)
        if let e = Sys.ioctl(fd, sdn_TUNSETVNETHDRSZ, &headerSize) {
            Glibc.close(fd)
            throw .errno(name, "TUNSETVNETHDRSZ", e)
        }
        if let e = Sys.ioctl(fd, sdn_TUNSETOFFLOAD, value: Self.tunOffloads) {
            Glibc.close(fd)
            throw .errno(name, "TUNSETOFFLOAD", e)
        }
        fileDescriptor = fd
        // Drops from before the switch opened the device are not the switch's.
        kernelTxDropped = Sys.interfaceTxDropped(name)
    }

    /// Charges the port with the kernel's drops since the last reading of the interface's
    /// tx_dropped (`total`), as Open vSwitch counts a tap's tx drops as the port's rx drops.
    func noteKernelTxDropped(_ total: UInt64) {
        defer { kernelTxDropped = total }
        guard let last = kernelTxDropped, total > last else { return }
        counters.dropped(.kernelQueueFull, total - last)
    }

    deinit { close() }

    public func close() {
        if fileDescriptor >= 0 { Glibc.close(fileDescriptor); fileDescriptor = -1 }
    }

    public func receive(pool: PacketBufferPool, into packets: inout [PacketRef], limit: Int) -> Int {
        let headroom = PacketBufferPool.headroom
        let hdr = VirtioNetHeader.size
        var n = 0
        while n < limit {
            guard let index = pool.allocate() else { counters.dropped(.noBuffer); break }
            let start = pool.base(index) + headroom - hdr
            switch Sys.read(fileDescriptor, start, pool.bufferSize - headroom + hdr) {
            case .success(let bytes) where bytes > hdr:
                packets.append(PacketRef(buffer: index, offset: Int32(headroom), length: Int32(bytes - hdr),
                                         vnet: VirtioNetHeader(at: start)))
                n += 1
            case .success:
                pool.release(index)
                counters.rxError()
            case .failure(let e):
                pool.release(index)
                if e != .again { counters.rxError() }
                return n
            }
        }
        return n
    }

    public func send(_ packets: ArraySlice<PacketRef>, pool: PacketBufferPool) -> Int {
        var sent = 0
        let hdr = VirtioNetHeader.size
        for p in packets {
            let start = pool.base(p.buffer) + Int(p.offset) - hdr
            p.vnet.store(at: start)
            switch Sys.write(fileDescriptor, start, Int(p.length) + hdr) {
            case .success: sent += 1
            case .failure: counters.txError()
            }
        }
        return sent
    }
}
