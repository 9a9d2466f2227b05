import Packet

/// Appends big-endian fields to a byte array. Every OpenFlow structure is written through
/// this, so padding is always zero and lengths are patched in place once known.
struct ByteWriter {
    var bytes: [UInt8]

    init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    var count: Int { bytes.count }

    mutating func u8(_ v: UInt8) { bytes.append(v) }

    mutating func u16(_ v: UInt16) {
        withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func u32(_ v: UInt32) {
        withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func u64(_ v: UInt64) {
        withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func zeros(_ n: Int) {
        if n > 0 { bytes.append(contentsOf: repeatElement(0, count: n)) }
    }

    mutating func append(_ b: [UInt8]) { bytes.append(contentsOf: b) }

    mutating func mac(_ m: MACAddress) {
        u16(UInt16(truncatingIfNeeded: m.rawValue >> 32))
        u32(UInt32(truncatingIfNeeded: m.rawValue))
    }

    /// The low `width` bytes of a 128-bit value, most significant first (OXM value layout).
    mutating func value(_ v: FieldValue, width: Int) {
        if width == 16 {
            u64(v.high); u64(v.low)
        } else if width == 8 {
            u64(v.low)
        } else {
            var shift = UInt64(width - 1) * 8
            for _ in 0..<width {
                bytes.append(UInt8(truncatingIfNeeded: v.low >> shift))
                shift &-= 8
            }
        }
    }

    /// A NUL-terminated string in a fixed-size field: truncated to `length - 1` bytes, zero-filled.
    mutating func fixedString(_ s: String, length: Int) {
        var n = 0
        for byte in s.utf8 where n < length - 1 {
            bytes.append(byte); n += 1
        }
        zeros(length - n)
    }

    /// Zeros up to the next multiple of 8 counted from `start`.
    mutating func padTo8(from start: Int) {
        zeros((8 - (count - start) % 8) % 8)
    }

    mutating func setU16(_ v: UInt16, at offset: Int) {
        bytes[offset] = UInt8(truncatingIfNeeded: v >> 8)
        bytes[offset + 1] = UInt8(truncatingIfNeeded: v)
    }
}

/// Rounds up to a multiple of 8 (OpenFlow's structure alignment).
func roundUp8(_ n: Int) -> Int { (n + 7) & ~7 }
