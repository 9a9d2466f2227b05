/// A flow entry's instructions, kept as their wire bytes (see CanonicalTLVs.swift). Build it
/// from instructions or an array literal; iterate it for them. The action lists of the
/// instructions it yields share its bytes.
public struct OFInstructionList: Hashable, Sendable, ExpressibleByArrayLiteral, CustomStringConvertible {
    /// The instructions' encodings back to back.
    let bytes: TLVBytes

    init(canonical bytes: TLVBytes) { self.bytes = bytes }

    public init() { bytes = .empty }

    public init<S: Sequence>(_ instructions: S) where S.Element == OFInstruction {
        bytes = canonicalBytes(of: instructions) { i, w in i.encode(into: &w) }
    }

    public init(arrayLiteral instructions: OFInstruction...) { self.init(instructions) }

    /// Bytes on the wire.
    public var encodedLength: Int { bytes.count }

    public var description: String { Array(self).description }

    func encode(into w: inout ByteWriter) { w.append(bytes) }
}

extension OFInstructionList: Collection {
    /// A position in the list: the byte offset of an instruction.
    public struct Index: Comparable, Hashable, Sendable {
        let offset: Int
        public static func < (a: Index, b: Index) -> Bool { a.offset < b.offset }
    }

    public var startIndex: Index { Index(offset: 0) }
    public var endIndex: Index { Index(offset: bytes.count) }
    public var isEmpty: Bool { bytes.isEmpty }

    public func index(after i: Index) -> Index { Index(offset: i.offset + bytes.u16(at: i.offset + 2)) }

    public subscript(i: Index) -> OFInstruction {
        let (instruction, actions) = bytes.readCanonical(at: i.offset) { (r) throws(OFDecodeError) in
            try OFInstruction.parse(from: &r)
        }
        guard let actions else { return instruction }
        let list = OFActionList(canonical: bytes.slice(actions.offset..<actions.end))
        return instruction.type == .writeActions ? .writeActions(list) : .applyActions(list)
    }
}

extension OFInstructionList {
    /// Reads a flow's match and the instructions that fill the rest of `r` (a FLOW_MOD, a flow
    /// stats entry), checking both, into one buffer that the two share. With `table`, a
    /// goto_table must lead past it.
    static func decodeWithMatch(from r: inout ByteReader, options: OFDecodeOptions,
                                in table: UInt8? = nil) throws(OFDecodeError) -> (OFMatch, OFInstructionList) {
        let (bytes, matchTLVs) = try TLVBytes.write(estimate: r.remaining) { (w) throws(OFDecodeError) in
            let match = try OFMatch.decode(from: &r, into: &w)
            try OFInstruction.decodeList(from: &r, options: options, in: table, into: &w)
            return match
        }
        return (OFMatch(canonical: bytes.slice(matchTLVs)),
                OFInstructionList(canonical: bytes.slice(matchTLVs.upperBound..<bytes.count)))
    }
}
