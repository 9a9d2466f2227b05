/// Lists of TLVs (a match's OXM fields, actions, instructions) are held the way they came:
/// built from values, they keep the values (an array, as the caller gave it); decoded, they
/// keep canonical wire bytes instead of arrays of values. Decoding validates each element and
/// writes it back, re-encoded, into one buffer per message, and the lists are views of that
/// buffer: a decoded FLOW_MOD costs one allocation (none from a connection's
/// `OFMessageDecoder`, see `TLVSpare`) instead of three arrays built, reference-counted and torn
/// down, and encoding a decoded list is a copy. Elements of a decoded list are parsed again
/// when it is iterated.
///
/// The bytes are always this codec's own encoding of the values it decoded, so two decoded
/// lists are equal when their bytes are, and iterating never meets a shape it cannot read.
///
/// A struct of both rather than an enum of either: reading a field is a load, where matching
/// an enum case copied and released its payload on every access.
struct TLVList<Element> {
    /// The values, when built from them (empty when decoded).
    let values: [Element]
    /// The canonical bytes, when decoded (nil when built from values).
    let wire: TLVBytes?

    static func values(_ values: [Element]) -> TLVList { TLVList(values: values, wire: nil) }
    static func wire(_ bytes: TLVBytes) -> TLVList { TLVList(values: [], wire: bytes) }
}

extension TLVList: Sendable where Element: Sendable {}

/// A position in an OpenFlow list (`OFMatch.Fields`, `OFActionList`, `OFInstructionList`): an
/// array index when the list was built from values, a byte offset when it was decoded.
public struct OFListIndex: Comparable, Hashable, Sendable {
    let offset: Int
    public static func < (a: OFListIndex, b: OFListIndex) -> Bool { a.offset < b.offset }
}

/// The collection mechanics the three list types share; each gives how long a TLV is and how
/// to parse one.
extension TLVList {
    var startIndex: OFListIndex { OFListIndex(offset: 0) }
    var endIndex: OFListIndex { OFListIndex(offset: wire?.count ?? values.count) }

    /// `length` reads the length of the TLV at an offset of the wire form.
    func index(after i: OFListIndex, length: (TLVBytes, Int) -> Int) -> OFListIndex {
        OFListIndex(offset: i.offset + (wire.map { length($0, i.offset) } ?? 1))
    }

    /// For actions and instructions, whose length is the 16 bits after their 16-bit type.
    func index(afterTypeLength i: OFListIndex) -> OFListIndex {
        index(after: i) { bytes, offset in bytes.u16(at: offset + 2) }
    }

    /// The element at `i`: from the values, or parsed by `parse` from the wire form.
    func element(at i: OFListIndex, parse: (TLVBytes, Int) -> Element) -> Element {
        if let wire { parse(wire, i.offset) } else { values[i.offset] }
    }

    /// Writes the list: decoded, its bytes as they are; built, each value by `encodeValue`, which
    /// is handed the value where it lies in the array. Calling a method on an element copied it
    /// first (an outlined copy, its payload retained and released), so a list's common case is
    /// written from the element in place (OFActionList, OFInstructionList).
    @inline(__always)
    func encode(into w: inout ByteWriter, _ encodeValue: (UnsafePointer<Element>, inout ByteWriter) -> Void) {
        if let wire { return w.append(wire) }
        values.withUnsafeBufferPointer { all in
            guard let base = all.baseAddress else { return }
            for k in 0..<all.count { encodeValue(base + k, &w) }
        }
    }

    /// Whether two decoded lists are equal (their bytes are); nil when either was built from
    /// values, which then compare element by element.
    func sameWire(as other: TLVList) -> Bool? {
        guard let a = wire, let b = other.wire else { return nil }
        return a == b
    }
}

struct TLVBytes: Hashable, @unchecked Sendable {
    /// Written only while nothing else holds it (a decoder's spare, see `TLVSpare`), so sharing
    /// it between threads is safe. Nil when empty.
    private let storage: TLVStorage?
    private let start: Int
    let count: Int

    static let empty = TLVBytes(storage: nil, start: 0, count: 0)

    private init(storage: TLVStorage?, start: Int, count: Int) {
        self.storage = storage; self.start = start; self.count = count
    }

    /// Runs `body` with a writer over storage of `estimate` bytes from `spare` and keeps what it
    /// wrote (moved to storage of the right size only when the estimate was too small), with
    /// what `body` returned.
    @inline(__always)
    static func write<R, E: Error>(estimate: Int, spare: inout TLVSpare,
                                   _ body: (inout ByteWriter) throws(E) -> R) throws(E) -> (TLVBytes, R) {
        if spare.keeps {
            if spare.storage == nil && estimate <= TLVStorage.spareCapacity {
                spare.storage = TLVStorage.make(capacity: TLVStorage.spareCapacity)
            }
            if isKnownUniquelyReferenced(&spare.storage), let storage = spare.storage, storage.size >= estimate {
                return try write(into: storage, capacity: storage.size, body)
            }
        }
        // Exact storage asked for, or the spare is still held by a message in use, or too small:
        // storage of this one's size.
        let capacity = max(estimate, 8)
        return try write(into: TLVStorage.make(capacity: capacity), capacity: capacity, body)
    }

    @inline(__always)
    private static func write<R, E: Error>(into first: TLVStorage, capacity: Int,
                                           _ body: (inout ByteWriter) throws(E) -> R) throws(E) -> (TLVBytes, R) {
        // Only storage made inside comes out of the closure: handing `first` out through it as
        // well cost a retain and a release per call.
        let outcome = first.withUnsafeMutablePointerToElements { base -> Result<(TLVStorage?, Int, R), E> in
            var w = ByteWriter(into: UnsafeMutableBufferPointer(start: base, count: capacity))
            let result: R
            do throws(E) {
                result = try body(&w)
            } catch {
                return .failure(error)
            }
            guard w.ownsStorage else { return .success((nil, w.count, result)) }
            let grown = TLVStorage.make(capacity: w.count)
            grown.withUnsafeMutablePointerToElements { to in
                w.withWrittenBytes { from in UnsafeMutableRawPointer(to).copyMemory(from: from.baseAddress!, byteCount: from.count) }
            }
            return .success((grown, w.count, result))
        }
        let (grown, count, result) = try outcome.get()
        return (TLVBytes(storage: count == 0 ? nil : grown ?? first, start: 0, count: count), result)
    }

    /// The storage the bytes are in (for tests).
    var storageIdentity: ObjectIdentifier? { storage.map(ObjectIdentifier.init) }

    /// The bytes in `range` (counted from the start of these), sharing the storage.
    func slice(_ range: Range<Int>) -> TLVBytes {
        precondition(range.lowerBound >= 0 && range.upperBound <= count)
        return range.isEmpty ? .empty : TLVBytes(storage: storage, start: start + range.lowerBound, count: range.count)
    }

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        guard let storage else { return body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        return storage.withUnsafeMutablePointerToElements { base in
            body(UnsafeRawBufferPointer(start: base + start, count: count))
        }
    }

    /// The byte at `offset`.
    func byte(at offset: Int) -> UInt8 {
        precondition(offset >= 0 && offset < count)
        return withUnsafeBytes { $0[offset] }
    }

    /// The big-endian 16-bit value at `offset` (an action's or instruction's length field).
    func u16(at offset: Int) -> Int {
        precondition(offset >= 0 && offset + 2 <= count)
        return withUnsafeBytes { Int(UInt16(bigEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt16.self))) }
    }

    /// Reads an element this codec wrote at `offset`. The shape was checked when the bytes were
    /// written, so a shape error here is a bug in this module, not bad input: it stops the program.
    func readCanonical<R>(at offset: Int, _ body: (inout ByteReader) throws(OFDecodeError) -> R) -> R {
        withUnsafeBytes { raw in
            var reader = ByteReader(raw, offset: offset, lengthError: .badRequest(.badLen))
            do throws(OFDecodeError) {
                return try body(&reader)
            } catch {
                preconditionFailure("OpenFlow: canonical TLV bytes do not parse at \(offset): \(error)")
            }
        }
    }

    static func == (a: TLVBytes, b: TLVBytes) -> Bool {
        guard a.count == b.count else { return false }
        return a.withUnsafeBytes { x in b.withUnsafeBytes { y in x.elementsEqual(y) } }
    }

    func hash(into hasher: inout Hasher) {
        withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}

/// Where decoded TLV bytes go: into new storage of their size each time (`exact`), or into a
/// decoder's spare storage (`reused`), written again only when nothing else holds it any more,
/// that is when every value decoded into it before is gone (while something does, into new
/// storage of their size). A connection that handles each message before it decodes the next
/// thus decodes without allocating. Bytes past a value's `count` are never read, so what the
/// storage held before cannot show through.
struct TLVSpare {
    fileprivate var storage: TLVStorage?
    fileprivate let keeps: Bool

    static var exact: TLVSpare { TLVSpare(storage: nil, keeps: false) }
    static var reused: TLVSpare { TLVSpare(storage: nil, keeps: true) }

    var identity: ObjectIdentifier? { storage.map(ObjectIdentifier.init) }
}

/// One allocation holding TLV bytes; the header is its capacity (how many of them are used,
/// `TLVBytes` knows).
final class TLVStorage: ManagedBuffer<Int, UInt8> {
    /// A decoder's spare is made this large, so that it serves messages of every usual size.
    static let spareCapacity = 512

    static func make(capacity: Int) -> TLVStorage {
        unsafeDowncast(create(minimumCapacity: capacity) { _ in capacity }, to: TLVStorage.self)
    }

    /// The capacity it was made with. Read through the pointer: `header`, a class property,
    /// costs a dynamic exclusivity check on every read.
    var size: Int { withUnsafeMutablePointerToHeader { $0.pointee } }
}

extension ByteWriter {
    mutating func append(_ b: TLVBytes) {
        b.withUnsafeBytes { append($0) }
    }
}
