import Packet

/// Appends big-endian fields to a buffer. Every OpenFlow structure is written through this,
/// so padding is always zero and lengths are patched in place once known.
///
/// Writes through a raw pointer (appending to `[UInt8]` element by element or with
/// `append(contentsOf:)` of raw bytes dominated encoding time). It starts in the caller's
/// buffer, usually the result array's own storage sized by an estimate, and moves to memory of
/// its own, freed in `deinit`, only when that fills up.
struct ByteWriter: ~Copyable {
    private var storage: UnsafeMutableRawPointer
    private var capacity: Int
    private(set) var count = 0
    /// Whether `storage` was allocated here (after outgrowing the caller's buffer).
    private(set) var ownsStorage: Bool

    /// Writes into `buffer` until it is full.
    init(into buffer: UnsafeMutableBufferPointer<UInt8>) {
        if let base = buffer.baseAddress, buffer.count > 0 {
            storage = UnsafeMutableRawPointer(base)
            capacity = buffer.count
            ownsStorage = false
        } else {
            capacity = 64
            storage = .allocate(byteCount: capacity, alignment: 8)
            ownsStorage = true
        }
    }

    deinit { if ownsStorage { storage.deallocate() } }

    /// The bytes written so far, as a new array.
    consuming func finish() -> [UInt8] {
        let n = count
        let source = storage
        return [UInt8](unsafeUninitializedCapacity: n) { buffer, initialized in
            if n > 0 { buffer.baseAddress!.initialize(from: source.assumingMemoryBound(to: UInt8.self), count: n) }
            initialized = n
        }
    }

    /// Runs `body` over the bytes written so far (valid only inside it).
    func withWrittenBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        body(UnsafeRawBufferPointer(start: storage, count: count))
    }

    /// Runs `body` with a writer over a new array of `estimate` bytes' capacity and returns
    /// what it wrote, copying only when the estimate was too small.
    static func write(estimate: Int, _ body: (inout ByteWriter) -> Void) -> [UInt8] {
        // Zero-filled rather than uninitialized: that initializer is specialized for UInt8,
        // the uninitialized one looks up generic metadata on every call.
        var bytes = [UInt8](repeating: 0, count: max(estimate, 8))
        let (grown, written) = bytes.withUnsafeMutableBufferPointer { buffer -> ([UInt8]?, Int) in
            var w = ByteWriter(into: buffer)
            body(&w)
            return w.ownsStorage ? (w.finish(), 0) : (nil, w.count)
        }
        if let grown { return grown }
        if written < bytes.count { bytes.removeLast(bytes.count - written) }
        return bytes
    }

    /// Makes room for `n` more bytes. The check is inlined into every write; growing is not,
    /// so the primitives below stay a compare, a store and an add.
    @inline(__always)
    private mutating func reserve(_ n: Int) {
        if count + n > capacity { grow(n) }
    }

    @inline(never)
    private mutating func grow(_ n: Int) {
        var newCapacity = capacity * 2
        while newCapacity < count + n { newCapacity *= 2 }
        let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 8)
        grown.copyMemory(from: storage, byteCount: count)
        if ownsStorage { storage.deallocate() }
        storage = grown
        capacity = newCapacity
        ownsStorage = true
    }

    @inline(__always)
    mutating func u8(_ v: UInt8) {
        reserve(1)
        storage.storeBytes(of: v, toByteOffset: count, as: UInt8.self)
        count += 1
    }

    @inline(__always)
    mutating func u16(_ v: UInt16) {
        reserve(2)
        storage.storeBytes(of: v.bigEndian, toByteOffset: count, as: UInt16.self)
        count += 2
    }

    @inline(__always)
    mutating func u32(_ v: UInt32) {
        reserve(4)
        storage.storeBytes(of: v.bigEndian, toByteOffset: count, as: UInt32.self)
        count += 4
    }

    @inline(__always)
    mutating func u64(_ v: UInt64) {
        reserve(8)
        storage.storeBytes(of: v.bigEndian, toByteOffset: count, as: UInt64.self)
        count += 8
    }

    /// Padding is 0–7 bytes almost everywhere: one 8-byte store instead of a memset call where
    /// 8 bytes fit (the bytes past `n` are overwritten by what follows or never counted).
    @inline(__always)
    mutating func zeros(_ n: Int) {
        guard n > 0 else { return }
        if n <= 8 && count + 8 <= capacity {
            storage.storeBytes(of: UInt64(0), toByteOffset: count, as: UInt64.self)
        } else {
            reserve(n)
            (storage + count).initializeMemory(as: UInt8.self, repeating: 0, count: n)
        }
        count += n
    }

    mutating func append(_ b: [UInt8]) {
        b.withUnsafeBytes { append($0) }
    }

    mutating func append(_ b: UnsafeRawBufferPointer) {
        guard let source = b.baseAddress, b.count > 0 else { return }
        reserve(b.count)
        (storage + count).copyMemory(from: source, byteCount: b.count)
        count += b.count
    }

    mutating func mac(_ m: MACAddress) {
        u16(UInt16(truncatingIfNeeded: m.rawValue >> 32))
        u32(UInt32(truncatingIfNeeded: m.rawValue))
    }

    /// Appends `n` bytes laid out by `body` at offsets within them, with one capacity check
    /// for all (the mirror of `ByteReader.fixed`): a fixed part of a structure costs a store per
    /// field instead of a check, a store and a count update. `body` writes every byte.
    @inline(__always)
    mutating func fixed(_ n: Int, _ body: (FixedOutput) -> Void) {
        reserve(n)
        body(FixedOutput(base: storage + count))
        count += n
    }

    /// A NUL-terminated string in a fixed-size field: truncated to `length - 1` bytes, zero-filled.
    mutating func fixedString(_ s: String, length: Int) {
        var n = 0
        for byte in s.utf8 where n < length - 1 {
            u8(byte); n += 1
        }
        zeros(length - n)
    }

    /// Zeros up to the next multiple of 8 counted from `start`.
    @inline(__always)
    mutating func padTo8(from start: Int) {
        zeros((8 - (count - start) % 8) % 8)
    }

    /// Sets the 16-bit length field of the structure written from `start` (at `start + 2`, where
    /// the message header, ofp_match, actions and instructions all have it) to the bytes written
    /// since `start`: lengths are patched in once the body is written.
    @inline(__always)
    mutating func patchLength(from start: Int) {
        precondition(start >= 0 && start + 4 <= count)
        storage.storeBytes(of: UInt16(truncatingIfNeeded: count - start).bigEndian, toByteOffset: start + 2, as: UInt16.self)
    }
}

/// Big-endian stores at byte offsets into space `ByteWriter.fixed` reserved.
struct FixedOutput {
    let base: UnsafeMutableRawPointer

    @inline(__always) func u8(_ at: Int, _ v: UInt8) { base.storeBytes(of: v, toByteOffset: at, as: UInt8.self) }
    @inline(__always) func u16(_ at: Int, _ v: UInt16) { base.storeBytes(of: v.bigEndian, toByteOffset: at, as: UInt16.self) }
    @inline(__always) func u32(_ at: Int, _ v: UInt32) { base.storeBytes(of: v.bigEndian, toByteOffset: at, as: UInt32.self) }
    @inline(__always) func u64(_ at: Int, _ v: UInt64) { base.storeBytes(of: v.bigEndian, toByteOffset: at, as: UInt64.self) }

    /// The low `width` bytes (1, 2, 4, 6, 8 or 16) of a 128-bit value at `at`, most significant
    /// first (OXM value layout).
    @inline(__always)
    func value(_ at: Int, _ v: FieldValue, width: Int) {
        switch width {
        case 1: u8(at, UInt8(truncatingIfNeeded: v.low))
        case 2: u16(at, UInt16(truncatingIfNeeded: v.low))
        case 4: u32(at, UInt32(truncatingIfNeeded: v.low))
        case 6: u16(at, UInt16(truncatingIfNeeded: v.low >> 32)); u32(at + 2, UInt32(truncatingIfNeeded: v.low))
        case 8: u64(at, v.low)
        case 16: u64(at, v.high); u64(at + 8, v.low)
        default:
            for i in 0..<width { u8(at + i, UInt8(truncatingIfNeeded: v.low >> UInt64(8 * (width - 1 - i)))) }
        }
    }
}

/// Rounds up to a multiple of 8 (OpenFlow's structure alignment).
func roundUp8(_ n: Int) -> Int { (n + 7) & ~7 }
