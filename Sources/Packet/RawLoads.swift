// Big-endian loads and stores at byte offsets. Callers check bounds once per header (every
// view's initializer does), so these stay unchecked in release builds.
extension UnsafeRawBufferPointer {
    @inlinable @inline(__always)
    func u8(_ offset: Int) -> UInt8 { self[offset] }

    @inlinable @inline(__always)
    func be16(_ offset: Int) -> UInt16 {
        UInt16(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inlinable @inline(__always)
    func be32(_ offset: Int) -> UInt32 {
        UInt32(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    @inlinable @inline(__always)
    func be64(_ offset: Int) -> UInt64 {
        UInt64(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inlinable @inline(__always)
    func mac(_ offset: Int) -> MACAddress {
        MACAddress(rawValue: UInt64(be16(offset)) << 32 | UInt64(be32(offset + 2)))
    }

    @inlinable @inline(__always)
    func ipv6(_ offset: Int) -> IPv6Address {
        IPv6Address(high: be64(offset), low: be64(offset + 8))
    }

    /// The bytes from `offset` to the end (empty when past the end).
    @inlinable @inline(__always)
    func suffix(from offset: Int) -> UnsafeRawBufferPointer {
        offset >= count ? UnsafeRawBufferPointer(start: baseAddress, count: 0)
            : UnsafeRawBufferPointer(rebasing: self[offset...])
    }

    @inlinable @inline(__always)
    func slice(_ offset: Int, _ length: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: self[offset..<(offset + length)])
    }
}

extension UnsafeMutableRawBufferPointer {
    @inlinable @inline(__always)
    func storeBE16(_ value: UInt16, at offset: Int) {
        storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt16.self)
    }

    @inlinable @inline(__always)
    func storeBE32(_ value: UInt32, at offset: Int) {
        storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt32.self)
    }

    @inlinable @inline(__always)
    func storeMAC(_ value: MACAddress, at offset: Int) {
        storeBE16(UInt16(truncatingIfNeeded: value.rawValue >> 32), at: offset)
        storeBE32(UInt32(truncatingIfNeeded: value.rawValue), at: offset + 2)
    }
}

/// Appending big-endian fields, for builders (not the hot path).
extension Array where Element == UInt8 {
    @inlinable mutating func appendBE16(_ v: UInt16) { append(UInt8(v >> 8)); append(UInt8(v & 0xFF)) }
    @inlinable mutating func appendBE32(_ v: UInt32) { appendBE16(UInt16(v >> 16)); appendBE16(UInt16(v & 0xFFFF)) }
    @inlinable mutating func appendBE64(_ v: UInt64) { appendBE32(UInt32(v >> 32)); appendBE32(UInt32(v & 0xFFFF_FFFF)) }
    @inlinable mutating func appendMAC(_ m: MACAddress) { appendBE16(UInt16(m.rawValue >> 32)); appendBE32(UInt32(m.rawValue & 0xFFFF_FFFF)) }
    @inlinable mutating func appendIPv6(_ a: IPv6Address) { appendBE64(a.high); appendBE64(a.low) }

    @inlinable mutating func setBE16(_ v: UInt16, at offset: Int) {
        self[offset] = UInt8(v >> 8); self[offset + 1] = UInt8(v & 0xFF)
    }
}
