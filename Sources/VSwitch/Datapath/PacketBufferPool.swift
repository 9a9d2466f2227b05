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
    // Raw storage rather than arrays in class properties: each per-packet retain/release would
    // otherwise pay a uniqueness check and a run-time exclusivity check. Every index comes from
    // `allocate`, so it is in 0..<capacity; the free list never holds more than `capacity`.
    let freeList: UnsafeMutablePointer<Int32>
    let refcounts: UnsafeMutablePointer<Int32>
    @exclusivity(unchecked) var freeCount: Int
    /// Times `allocate` found the pool empty.
    @exclusivity(unchecked) public private(set) var exhausted: UInt64 = 0

    public init(capacity: Int, bufferSize: Int = PacketBufferPool.defaultBufferSize) {
        self.capacity = capacity
        self.bufferSize = bufferSize
        slab = UnsafeMutableRawPointer.allocate(byteCount: capacity * bufferSize, alignment: 64)
        freeList = .allocate(capacity: capacity)
        refcounts = .allocate(capacity: capacity)
        refcounts.initialize(repeating: 0, count: capacity)
        // Lowest index on top, so buffers are handed out from the start of the slab.
        for i in 0..<capacity { freeList[i] = Int32(capacity - 1 - i) }
        freeCount = capacity
    }

    deinit {
        slab.deallocate()
        freeList.deallocate()
        refcounts.deallocate()
    }

    public var available: Int { freeCount }

    /// Takes a buffer with one reference, or nil when the pool is empty (counted).
    @inline(__always) public func allocate() -> Int32? {
        guard freeCount > 0 else { exhausted &+= 1; return nil }
        freeCount -= 1
        let index = freeList[freeCount]
        refcounts[Int(index)] = 1
        return index
    }

    /// Adds a reference to a buffer that has one (a frame queued on a second port, say).
    @inline(__always) public func retain(_ index: Int32) {
        precondition(index >= 0 && Int(index) < capacity && refcounts[Int(index)] > 0,
                     "retain of buffer \(index), which is not taken")
        refcounts[Int(index)] &+= 1
    }

    /// Drops a reference; the last one returns the buffer to the pool. Releasing a buffer that
    /// is not taken would let two frames share it later, so it stops the process instead.
    @inline(__always) public func release(_ index: Int32) {
        precondition(index >= 0 && Int(index) < capacity && refcounts[Int(index)] > 0,
                     "release of buffer \(index), which is not taken")
        refcounts[Int(index)] &-= 1
        if refcounts[Int(index)] == 0 {
            freeList[freeCount] = index
            freeCount += 1
        }
    }

    @inline(__always) public func isShared(_ index: Int32) -> Bool {
        precondition(index >= 0 && Int(index) < capacity)
        return refcounts[Int(index)] > 1
    }

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
