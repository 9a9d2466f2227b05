/// An action list (apply/write-actions, a bucket, a PACKET_OUT): the actions it was built
/// from, or the wire bytes it was decoded from (see CanonicalTLVs.swift). Build it from
/// actions or an array literal; iterate it for them.
public struct OFActionList: Hashable, Sendable, ExpressibleByArrayLiteral, CustomStringConvertible {
    let storage: TLVList<OFAction>

    init(canonical bytes: TLVBytes) { storage = .wire(bytes) }

    public init() { storage = .values([]) }

    public init(_ actions: [OFAction]) { storage = .values(actions) }

    public init<S: Sequence>(_ actions: S) where S.Element == OFAction { storage = .values(Array(actions)) }

    public init(arrayLiteral actions: OFAction...) { storage = .values(actions) }

    /// Bytes on the wire.
    public var encodedLength: Int {
        if let bytes = storage.wire {
            bytes.count
        } else {
            storage.values.reduce(0) { $0 + $1.encodedLength }
        }
    }

    public var description: String { Array(self).description }

    func encode(into w: inout ByteWriter) {
        if let bytes = storage.wire {
            w.append(bytes)
        } else {
            for a in storage.values { a.encode(into: &w) }
        }
    }

    /// Reads an action list filling all of `r`, checking every action against `options`, and
    /// keeps it in canonical form.
    static func decode(from r: inout ByteReader, options: OFDecodeOptions) throws(OFDecodeError) -> OFActionList {
        if r.isAtEnd { return OFActionList() }
        return OFActionList(canonical: try TLVBytes.write(estimate: r.remaining) { (w) throws(OFDecodeError) in
            try OFAction.decodeList(from: &r, options: options, into: &w)
        }.0)
    }

    public static func == (a: OFActionList, b: OFActionList) -> Bool {
        if let x = a.storage.wire, let y = b.storage.wire { return x == y }
        return a.elementsEqual(b)
    }

    public func hash(into hasher: inout Hasher) {
        for a in self { hasher.combine(a) }
    }
}

extension OFActionList: Collection {
    /// A position in the list: an array index, or the byte offset of an action.
    public struct Index: Comparable, Hashable, Sendable {
        let offset: Int
        public static func < (a: Index, b: Index) -> Bool { a.offset < b.offset }
    }

    public var startIndex: Index { Index(offset: 0) }

    public var endIndex: Index {
        if let bytes = storage.wire {
            Index(offset: bytes.count)
        } else {
            Index(offset: storage.values.count)
        }
    }

    public func index(after i: Index) -> Index {
        if let bytes = storage.wire {
            Index(offset: i.offset + bytes.u16(at: i.offset + 2))
        } else {
            Index(offset: i.offset + 1)
        }
    }

    public subscript(i: Index) -> OFAction {
        if let bytes = storage.wire {
            bytes.readCanonical(at: i.offset) { (r) throws(OFDecodeError) in try OFAction.parse(from: &r) }
        } else {
            storage.values[i.offset]
        }
    }
}
