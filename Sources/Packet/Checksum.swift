/// The Internet checksum (RFC 1071): a one's-complement sum of 16-bit big-endian words.
///
/// Accumulates in 64 bits so long buffers need folding only at the end. The sum is
/// byte-order independent (RFC 1071 §2(B)), so words are added in native order and the
/// result is swapped once.
public struct InternetChecksum: Sendable {
    @usableFromInline var nativeSum: UInt64 = 0   // sum of native-order words
    @usableFromInline var oddByte: Bool = false    // a byte is pending from an odd-length add

    @inlinable public init() {}

    /// Adds the bytes of `data`. Successive calls behave as one concatenated buffer.
    @inlinable public mutating func add(_ data: UnsafeRawBufferPointer) {
        var offset = 0
        let n = data.count
        if n == 0 { return }
        if oddByte {
            // Finish the pending word: this byte is its low-order (second) byte.
            addBigEndianWord(UInt16(data[0]))
            oddByte = false
            offset = 1
        }
        while offset + 8 <= n {
            let w = data.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            let (s, o) = nativeSum.addingReportingOverflow(w)
            nativeSum = s &+ (o ? 1 : 0)
            offset += 8
        }
        while offset + 2 <= n {
            addNative16(data.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
            offset += 2
        }
        if offset < n {
            addBigEndianWord(UInt16(data[offset]) << 8)
            oddByte = true
        }
    }

    @inlinable public mutating func add(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { add($0) }
    }

    @inlinable mutating func addNative16(_ w: UInt16) {
        let (s, o) = nativeSum.addingReportingOverflow(UInt64(w))
        nativeSum = s &+ (o ? 1 : 0)
    }

    /// Adds one 16-bit word given in host order as a big-endian field value.
    @inlinable public mutating func addBigEndianWord(_ w: UInt16) { addNative16(w.bigEndian) }

    @inlinable public mutating func add32(_ w: UInt32) {
        addBigEndianWord(UInt16(w >> 16)); addBigEndianWord(UInt16(w & 0xFFFF))
    }

    @inlinable public mutating func add(_ a: IPv4Address) { add32(a.rawValue) }

    @inlinable public mutating func add(_ a: IPv6Address) {
        add32(UInt32(a.high >> 32)); add32(UInt32(a.high & 0xFFFF_FFFF))
        add32(UInt32(a.low >> 32)); add32(UInt32(a.low & 0xFFFF_FFFF))
    }

    /// The folded, complemented checksum as a host-order value of the big-endian field.
    @inlinable public var value: UInt16 {
        var s = nativeSum
        s = (s & 0xFFFF_FFFF) + (s >> 32)
        s = (s & 0xFFFF_FFFF) + (s >> 32)
        s = (s & 0xFFFF) + (s >> 16)
        s = (s & 0xFFFF) + (s >> 16)
        s = (s & 0xFFFF) + (s >> 16)
        return ~UInt16(truncatingIfNeeded: s).bigEndian
    }

    // MARK: Whole-header helpers

    /// Checksum of a header or message over `data` alone (IPv4 header, ICMPv4).
    public static func compute(_ data: UnsafeRawBufferPointer) -> UInt16 {
        var c = InternetChecksum()
        c.add(data)
        return c.value
    }

    /// TCP/UDP/ICMPv6 checksum with the IPv4 pseudo-header (RFC 793/768).
    public static func transport(_ segment: UnsafeRawBufferPointer, protocol proto: UInt8,
                                 source: IPv4Address, destination: IPv4Address) -> UInt16 {
        var c = InternetChecksum()
        c.add(source); c.add(destination)
        c.addBigEndianWord(UInt16(proto))
        c.addBigEndianWord(UInt16(truncatingIfNeeded: segment.count))
        c.add(segment)
        return c.value
    }

    /// TCP/UDP/ICMPv6 checksum with the IPv6 pseudo-header (RFC 8200 §8.1).
    public static func transport(_ segment: UnsafeRawBufferPointer, protocol proto: UInt8,
                                 source: IPv6Address, destination: IPv6Address) -> UInt16 {
        var c = InternetChecksum()
        c.add(source); c.add(destination)
        c.add32(UInt32(truncatingIfNeeded: segment.count))
        c.add32(UInt32(proto))
        c.add(segment)
        return c.value
    }

    // MARK: RFC 1624 incremental update

    /// New checksum after a 16-bit field changed from `old` to `new` (RFC 1624 eqn. 3:
    /// HC' = ~(~HC + ~m + m')). All values are host-order images of big-endian fields.
    @inlinable public static func update(_ checksum: UInt16, old: UInt16, new: UInt16) -> UInt16 {
        var sum = UInt32(~checksum) + UInt32(~old) + UInt32(new)
        sum = (sum & 0xFFFF) + (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16)
        return ~UInt16(truncatingIfNeeded: sum)
    }

    /// New checksum after a 32-bit field (an IPv4 address) changed.
    @inlinable public static func update(_ checksum: UInt16, old: UInt32, new: UInt32) -> UInt16 {
        let c = update(checksum, old: UInt16(old >> 16), new: UInt16(new >> 16))
        return update(c, old: UInt16(old & 0xFFFF), new: UInt16(new & 0xFFFF))
    }
}
