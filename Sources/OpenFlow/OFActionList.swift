/// An action list (apply/write-actions, a bucket, a PACKET_OUT), kept as its wire bytes
/// (see CanonicalTLVs.swift). Build it from actions or an array literal; iterate it for them.
public struct OFActionList: Hashable, Sendable, ExpressibleByArrayLiteral, CustomStringConvertible {
    /// The actions' encodings back to back.
    let bytes: TLVBytes

    init(canonical bytes: TLVBytes) { self.bytes = bytes }

    public init() { bytes = .empty }

    public init<S: Sequence>(_ actions: S) where S.Element == OFAction {
        bytes = canonicalBytes(of: actions) { a, w in a.encode(into: &w) }
    }

    public init(arrayLiteral actions: OFAction...) { self.init(actions) }

    /// Bytes on the wire.
    public var encodedLength: Int { bytes.count }

    public var description: String { Array(self).description }

    func encode(into w: inout ByteWriter) { w.append(bytes) }

    /// Reads an action list filling all of `r`, checking every action against `options`, and
    /// keeps it in canonical form.
    static func decode(from r: inout ByteReader, options: OFDecodeOptions) throws(OFDecodeError) -> OFActionList {
        if r.isAtEnd { return OFActionList() }
        return OFActionList(canonical: try TLVBytes.write(estimate: r.remaining) { (w) throws(OFDecodeError) in
            try OFAction.decodeList(from: &r, options: options, into: &w)
        }.0)
    }
}

extension OFActionList: Collection {
    /// A position in the list: the byte offset of an action.
    public struct Index: Comparable, Hashable, Sendable {
        let offset: Int
        public static func < (a: Index, b: Index) -> Bool { a.offset < b.offset }
    }

    public var startIndex: Index { Index(offset: 0) }
    public var endIndex: Index { Index(offset: bytes.count) }
    public var isEmpty: Bool { bytes.isEmpty }

    public func index(after i: Index) -> Index { Index(offset: i.offset + bytes.u16(at: i.offset + 2)) }

    public subscript(i: Index) -> OFAction {
        bytes.readCanonical(at: i.offset) { (r) throws(OFDecodeError) in try OFAction.parse(from: &r) }
    }
}
