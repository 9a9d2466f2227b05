import Packet

/// Reads big-endian fields from a window of a message, never past its end.
///
/// Each reader carries the error the spec names for running out of bytes where it is used
/// (OFPBRC_BAD_LEN in a message body, OFPBMC_BAD_LEN in a match, OFPBAC_BAD_LEN in an action
/// list …), so an overrun anywhere turns into the right OFPT_ERROR without per-call plumbing.
/// Reads through a raw pointer for speed; every read is checked against `end` first, and a
/// reader only exists inside a closure given the bytes' pointer (`withUnsafeBytes`), so it
/// never outlives the bytes it points into.
struct ByteReader {
    let base: UnsafeRawBufferPointer
    var offset: Int
    let end: Int
    let lengthError: OFErrorCode

    init(_ base: UnsafeRawBufferPointer, offset: Int = 0, end: Int? = nil, lengthError: OFErrorCode) {
        self.base = base; self.offset = offset; self.end = end ?? base.count; self.lengthError = lengthError
    }

    var remaining: Int { end - offset }
    var isAtEnd: Bool { offset >= end }

    @inline(__always)
    func need(_ n: Int, _ what: StaticString) throws(OFDecodeError) {
        guard n >= 0, n <= end - offset else { throw overrun(what) }
    }

    /// The error for reading past the end; out of line so the checks above stay small.
    @inline(never)
    func overrun(_ what: StaticString) -> OFDecodeError {
        OFDecodeError(lengthError, what.description)
    }

    @inline(__always)
    mutating func u8() throws(OFDecodeError) -> UInt8 {
        try need(1, "truncated")
        defer { offset += 1 }
        return base[offset]
    }

    @inline(__always)
    mutating func u16() throws(OFDecodeError) -> UInt16 {
        try need(2, "truncated")
        defer { offset += 2 }
        return UInt16(bigEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inline(__always)
    mutating func u32() throws(OFDecodeError) -> UInt32 {
        try need(4, "truncated")
        defer { offset += 4 }
        return UInt32(bigEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    @inline(__always)
    mutating func u64() throws(OFDecodeError) -> UInt64 {
        try need(8, "truncated")
        defer { offset += 8 }
        return UInt64(bigEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// The next 32-bit value, without consuming; nil past the end.
    @inline(__always)
    func peekU32() -> UInt32? {
        guard end - offset >= 4 else { return nil }
        return UInt32(bigEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// A 16-bit value `at` bytes ahead, without consuming; nil past the end.
    func peekU16(at: Int = 0) -> UInt16? {
        guard at >= 0, offset + at + 2 <= end else { return nil }
        return UInt16(base[offset + at]) << 8 | UInt16(base[offset + at + 1])
    }

    @inline(__always)
    mutating func skip(_ n: Int) throws(OFDecodeError) {
        try need(n, "truncated")
        offset += n
    }

    mutating func mac() throws(OFDecodeError) -> MACAddress {
        let hi = try u16()
        let lo = try u32()
        return MACAddress(rawValue: UInt64(hi) << 32 | UInt64(lo))
    }

    mutating func bytes(_ n: Int) throws(OFDecodeError) -> [UInt8] {
        try need(n, "truncated")
        defer { offset += n }
        return Array(UnsafeRawBufferPointer(rebasing: base[offset..<(offset + n)]))
    }

    mutating func rest() -> [UInt8] {
        guard offset < end else { return [] }
        defer { offset = end }
        return Array(UnsafeRawBufferPointer(rebasing: base[offset..<end]))
    }

    /// The type and length of the action or instruction at the reader (16 bits each), checked:
    /// a whole header, a length that is a multiple of 8, at least 8, and within the reader.
    /// `what` names the element in the error, `code` is the error the spec names.
    @inline(__always)
    func typeLengthHeader(_ code: OFErrorCode, _ what: StaticString) throws(OFDecodeError) -> (type: UInt16, length: Int) {
        guard let header = peekU32() else { throw OFDecodeError(code, "\(what) header truncated") }
        let length = Int(header & 0xFFFF)
        guard length >= 8, length % 8 == 0, length <= remaining else { throw OFDecodeError(code, "\(what) length \(length)") }
        return (UInt16(header >> 16), length)
    }

    /// A NUL-terminated string in a fixed-size field.
    mutating func fixedString(_ length: Int) throws(OFDecodeError) -> String {
        try need(length, "truncated")
        defer { offset += length }
        var n = 0
        while n < length && base[offset + n] != 0 { n += 1 }
        return String(decoding: UnsafeRawBufferPointer(rebasing: base[offset..<(offset + n)]), as: UTF8.self)
    }

    /// Consumes the next `n` bytes, checked once, as a fixed layout read without further checks:
    /// a message's fixed part costs one bounds check instead of one per field.
    @inline(__always)
    mutating func fixed(_ n: Int, _ what: StaticString) throws(OFDecodeError) -> FixedLayout {
        try need(n, what)
        defer { offset += n }
        return FixedLayout(base: base.baseAddress! + offset)
    }

    /// Splits off the next `n` bytes as their own reader (with its own length error) and
    /// consumes them here. Fails with this reader's error when fewer than `n` remain.
    @inline(__always)
    mutating func sub(_ n: Int, lengthError: OFErrorCode, _ what: StaticString) throws(OFDecodeError) -> ByteReader {
        try need(n, what)
        defer { offset += n }
        return ByteReader(base, offset: offset, end: offset + n, lengthError: lengthError)
    }
}

/// A fixed-size part of a message whose length was checked once (`ByteReader.fixed`): big-endian
/// loads at byte offsets inside it.
struct FixedLayout {
    let base: UnsafeRawPointer

    @inline(__always) func u8(_ at: Int) -> UInt8 { base.load(fromByteOffset: at, as: UInt8.self) }
    @inline(__always) func u16(_ at: Int) -> UInt16 { UInt16(bigEndian: base.loadUnaligned(fromByteOffset: at, as: UInt16.self)) }
    @inline(__always) func u32(_ at: Int) -> UInt32 { UInt32(bigEndian: base.loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
    @inline(__always) func u64(_ at: Int) -> UInt64 { UInt64(bigEndian: base.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }

    /// An OXM value of `width` bytes (1, 2, 4, 6, 8 or 16) at `at`, as a 128-bit pair.
    @inline(__always)
    func value(_ at: Int, width: Int) -> FieldValue {
        switch width {
        case 1: return FieldValue(UInt64(u8(at)))
        case 2: return FieldValue(UInt64(u16(at)))
        case 4: return FieldValue(UInt64(u32(at)))
        case 6: return FieldValue(UInt64(u16(at)) << 32 | UInt64(u32(at + 2)))
        case 8: return FieldValue(u64(at))
        case 16: return FieldValue(high: u64(at), low: u64(at + 8))
        default:
            var v: UInt64 = 0
            for i in 0..<min(width, 8) { v = v << 8 | UInt64(u8(at + i)) }
            return FieldValue(v)
        }
    }
}
