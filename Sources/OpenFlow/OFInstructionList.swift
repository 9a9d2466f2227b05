/// A flow entry's instructions: the ones it was built from, or the wire bytes it was decoded
/// from (see CanonicalTLVs.swift). Build it from instructions or an array literal; iterate it
/// for them. The action lists of the instructions a decoded list yields share its bytes.
public struct OFInstructionList: Hashable, Sendable, ExpressibleByArrayLiteral, CustomStringConvertible {
    let storage: TLVList<OFInstruction>

    init(canonical bytes: TLVBytes) { storage = .wire(bytes) }

    public init() { storage = .values([]) }

    public init(_ instructions: [OFInstruction]) { storage = .values(instructions) }

    public init<S: Sequence>(_ instructions: S) where S.Element == OFInstruction { storage = .values(Array(instructions)) }

    public init(arrayLiteral instructions: OFInstruction...) { storage = .values(instructions) }

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
        storage.encode(into: &w) { instruction, w in
            if case .applyActions(let actions) = instruction.pointee {
                OFInstruction.encodeActions(.applyActions, actions, into: &w)
            } else {
                instruction.pointee.encode(into: &w)
            }
        }
    }

    public static func == (a: OFInstructionList, b: OFInstructionList) -> Bool {
        a.storage.sameWire(as: b.storage) ?? a.elementsEqual(b)
    }

    public func hash(into hasher: inout Hasher) {
        for i in self { hasher.combine(i) }
    }
}

extension OFInstructionList: Collection {
    public var startIndex: OFListIndex { storage.startIndex }
    public var endIndex: OFListIndex { storage.endIndex }

    public func index(after i: OFListIndex) -> OFListIndex { storage.index(afterTypeLength: i) }

    public subscript(i: OFListIndex) -> OFInstruction {
        storage.element(at: i) { bytes, offset in
            let (instruction, actions) = bytes.readCanonical(at: offset) { (r) throws(OFDecodeError) in
                try OFInstruction.parse(from: &r)
            }
            guard let actions else { return instruction }
            let list = OFActionList(canonical: bytes.slice(actions.offset..<actions.end))
            return instruction.type == .writeActions ? .writeActions(list) : .applyActions(list)
        }
    }
}

extension OFInstructionList {
    /// Reads a flow's match and the instructions that fill the rest of `r` (a FLOW_MOD, a flow
    /// stats entry), checking both, into one buffer from `spare` that the two share. With
    /// `table`, a goto_table must lead past it. Transparent: marked inline-always it was called
    /// out of line once it took `spare` (decode 1,411 -> 1,371 instructions per FLOW_MOD).
    @_transparent
    static func decodeWithMatch(from r: inout ByteReader, options: OFDecodeOptions, in table: UInt8? = nil,
                                spare: inout TLVSpare) throws(OFDecodeError) -> (OFMatch, OFInstructionList) {
        let (bytes, matchTLVs) = try TLVBytes.write(estimate: r.remaining, spare: &spare) { (w) throws(OFDecodeError) in
            let match = try OFMatch.decode(from: &r, into: &w)
            try OFInstruction.decodeList(from: &r, options: options, in: table, into: &w)
            return match
        }
        return (OFMatch(canonical: bytes.slice(matchTLVs)),
                OFInstructionList(canonical: bytes.slice(matchTLVs.upperBound..<bytes.count)))
    }
}
