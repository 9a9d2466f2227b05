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

    @inline(__always)
    func encode(into w: inout ByteWriter) {
        storage.encode(into: &w) { action, w in
            if case .output(let port, let maxLength) = action.pointee {
                OFAction.encodeOutput(port: port, maxLength: maxLength, into: &w)
            } else {
                action.pointee.encode(into: &w)
            }
        }
    }

    /// Reads an action list filling all of `r`, checking every action against `options`, and
    /// keeps it in canonical form.
    static func decode(from r: inout ByteReader, options: OFDecodeOptions) throws(OFDecodeError) -> OFActionList {
        if r.isAtEnd { return OFActionList() }
        var exact = TLVSpare.exact
        return OFActionList(canonical: try TLVBytes.write(estimate: r.remaining, spare: &exact) { (w) throws(OFDecodeError) in
            try OFAction.decodeList(from: &r, options: options, into: &w)
        }.0)
    }

    public static func == (a: OFActionList, b: OFActionList) -> Bool {
        a.storage.sameWire(as: b.storage) ?? a.elementsEqual(b)
    }

    public func hash(into hasher: inout Hasher) {
        for a in self { hasher.combine(a) }
    }
}

extension OFActionList: Collection {
    public var startIndex: OFListIndex { storage.startIndex }
    public var endIndex: OFListIndex { storage.endIndex }

    public func index(after i: OFListIndex) -> OFListIndex { storage.index(afterTypeLength: i) }

    public subscript(i: OFListIndex) -> OFAction {
        storage.element(at: i) { bytes, offset in
            bytes.readCanonical(at: offset) { (r) throws(OFDecodeError) in try OFAction.parse(from: &r) }
        }
    }
}
