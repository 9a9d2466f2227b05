/// Fixed-size packet buffers carved from one slab, recycled through a free list.
///
/// Owned by one datapath thread: no locks, no per-packet allocation. Each buffer has headroom
/// in front of the frame so a VLAN tag can be pushed and a virtio-net header written in place.
public final class PacketBufferPool {
    /// Room before a received frame: a virtio-net header (≤ 12 bytes) plus several VLAN tags.
    public static let headroom = 64
    /// Big enough for a 64 KiB GSO frame.
    public static let defaultBufferSize = 65536 + 2 * headroom

    public let bufferSize: Int
    public let capacity: Int
    let slab: UnsafeMutableRawPointer
    var free: [Int32]
    var refcounts: [Int32]
    /// Times `allocate` found the pool empty.
    public private(set) var exhausted: UInt64 = 0

    public init(capacity: Int, bufferSize: Int = PacketBufferPool.defaultBufferSize) {
        self.capacity = capacity
        self.bufferSize = bufferSize
        slab = UnsafeMutableRawPointer.allocate(byteCount: capacity * bufferSize, alignment: 64)
        free = (0..<Int32(capacity)).reversed().map { $0 }
        refcounts = Array(repeating: 0, count: capacity)
    }

    deinit { slab.deallocate() }

    public var available: Int { free.count }

    /// Takes a buffer with one reference, or nil when the pool is empty (counted).
    @inline(__always) public func allocate() -> Int32? {
        guard let index = free.popLast() else { exhausted &+= 1; return nil }
        refcounts[Int(index)] = 1
        return index
    }

    @inline(__always) public func retain(_ index: Int32) { refcounts[Int(index)] &+= 1 }

    @inline(__always) public func release(_ index: Int32) {
        refcounts[Int(index)] &-= 1
        if refcounts[Int(index)] == 0 { free.append(index) }
    }

    @inline(__always) public func isShared(_ index: Int32) -> Bool { refcounts[Int(index)] > 1 }

    @inline(__always) public func base(_ index: Int32) -> UnsafeMutableRawPointer {
        slab + Int(index) * bufferSize
    }
}

/// The virtio-net header that TAP (IFF_VNET_HDR) and AF_PACKET (PACKET_VNET_HDR) exchange with
/// the kernel: checksum and segmentation offload state of a frame (linux/virtio_net.h).
public struct VirtioNetHeader: Hashable, Sendable {
    public static let size = 10
    public static let flagNeedsChecksum: UInt8 = 1
    public static let gsoNone: UInt8 = 0
    public static let gsoTCPv4: UInt8 = 1
    public static let gsoUDP: UInt8 = 3
    public static let gsoTCPv6: UInt8 = 4

    public var flags: UInt8 = 0
    public var gsoType: UInt8 = 0
    public var headerLength: UInt16 = 0
    public var gsoSize: UInt16 = 0
    /// Offsets from the start of the Ethernet frame.
    public var checksumStart: UInt16 = 0
    public var checksumOffset: UInt16 = 0

    public init() {}

    /// Reads the little-endian (host order on Linux x86/ARM) header at `p`.
    @inline(__always) public init(at p: UnsafeRawPointer) {
        flags = p.load(as: UInt8.self)
        gsoType = p.load(fromByteOffset: 1, as: UInt8.self)
        headerLength = p.loadUnaligned(fromByteOffset: 2, as: UInt16.self)
        gsoSize = p.loadUnaligned(fromByteOffset: 4, as: UInt16.self)
        checksumStart = p.loadUnaligned(fromByteOffset: 6, as: UInt16.self)
        checksumOffset = p.loadUnaligned(fromByteOffset: 8, as: UInt16.self)
    }

    @inline(__always) public func store(at p: UnsafeMutableRawPointer) {
        p.storeBytes(of: flags, as: UInt8.self)
        p.storeBytes(of: gsoType, toByteOffset: 1, as: UInt8.self)
        p.storeBytes(of: headerLength, toByteOffset: 2, as: UInt16.self)
        p.storeBytes(of: gsoSize, toByteOffset: 4, as: UInt16.self)
        p.storeBytes(of: checksumStart, toByteOffset: 6, as: UInt16.self)
        p.storeBytes(of: checksumOffset, toByteOffset: 8, as: UInt16.self)
    }

    public var needsChecksum: Bool { flags & Self.flagNeedsChecksum != 0 }
    public var isGSO: Bool { gsoType != Self.gsoNone }

    /// Shifts the frame-relative offsets after bytes were inserted (+) or removed (−) before L3.
    @inline(__always) public mutating func shift(by delta: Int) {
        if needsChecksum { checksumStart = UInt16(truncatingIfNeeded: Int(checksumStart) + delta) }
        if headerLength != 0 { headerLength = UInt16(truncatingIfNeeded: Int(headerLength) + delta) }
    }
}

/// A frame in a pooled buffer: which buffer, where the frame starts, how long, its offload state.
public struct PacketRef: Sendable {
    public var buffer: Int32
    public var offset: Int32
    public var length: Int32
    public var vnet: VirtioNetHeader

    @inline(__always) public init(buffer: Int32, offset: Int32, length: Int32, vnet: VirtioNetHeader = VirtioNetHeader()) {
        self.buffer = buffer; self.offset = offset; self.length = length; self.vnet = vnet
    }
}
