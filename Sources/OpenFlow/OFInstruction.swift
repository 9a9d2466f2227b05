/// `ofp_instruction_type`.
public enum OFInstructionType: UInt16, Sendable, CaseIterable {
    case gotoTable = 1, writeMetadata, writeActions, applyActions, clearActions, meter
    case experimenter = 0xFFFF
}

/// One instruction of a flow entry (spec §7.2.4).
public enum OFInstruction: Hashable, Sendable {
    case gotoTable(UInt8)
    case writeMetadata(value: UInt64, mask: UInt64)
    case writeActions([OFAction])
    case applyActions([OFAction])
    case clearActions
    case meter(UInt32)
    /// Experimenter id and the bytes after it (zero-padded to a multiple of 8 on encode).
    case experimenter(id: UInt32, data: [UInt8])

    public var type: OFInstructionType {
        switch self {
        case .gotoTable: .gotoTable
        case .writeMetadata: .writeMetadata
        case .writeActions: .writeActions
        case .applyActions: .applyActions
        case .clearActions: .clearActions
        case .meter: .meter
        case .experimenter: .experimenter
        }
    }

    public var encodedLength: Int {
        switch self {
        case .gotoTable, .clearActions, .meter: 8
        case .writeMetadata: 24
        case .writeActions(let a), .applyActions(let a): 8 + OFAction.encodedLength(a)
        case .experimenter(_, let data): roundUp8(8 + data.count)
        }
    }

    func encode(into w: inout ByteWriter) {
        let start = w.count
        w.u16(type.rawValue)
        w.u16(0)  // length, written once the body is
        switch self {
        case .gotoTable(let t):
            w.u8(t); w.zeros(3)
        case .writeMetadata(let value, let mask):
            w.zeros(4); w.u64(value); w.u64(mask)
        case .writeActions(let actions), .applyActions(let actions):
            w.zeros(4)
            OFAction.encode(actions, into: &w)
        case .clearActions:
            w.zeros(4)
        case .meter(let id):
            w.u32(id)
        case .experimenter(let id, let data):
            w.u32(id); w.append(data)
            w.padTo8(from: start)
        }
        w.setU16(UInt16(truncatingIfNeeded: w.count - start), at: start + 2)
    }
}

extension OFInstruction {
    static func encode(_ list: [OFInstruction], into w: inout ByteWriter) {
        for i in list { i.encode(into: &w) }
    }

    static func encodedLength(_ list: [OFInstruction]) -> Int {
        var n = 0
        for i in list { n += i.encodedLength }
        return n
    }

    /// Reads an instruction list filling all of `r`. A flow entry holds at most one
    /// instruction of each type (spec §5.9); a repeated type is refused as unsupported.
    static func decodeList(from r: inout ByteReader, options: OFDecodeOptions) throws(OFDecodeError) -> [OFInstruction] {
        var list: [OFInstruction] = []
        if !r.isAtEnd { list.reserveCapacity(2) }
        var seen: UInt32 = 0
        while !r.isAtEnd {
            let i = try decode(from: &r, options: options)
            let bit: UInt32 = i.type == .experimenter ? 0 : 1 << UInt32(i.type.rawValue)
            guard seen & bit == 0 else {
                throw OFDecodeError(.badInstruction(.unsupInst), "instruction \(i.type) appears twice")
            }
            seen |= bit
            list.append(i)
        }
        return list
    }

    static func decode(from r: inout ByteReader, options: OFDecodeOptions) throws(OFDecodeError) -> OFInstruction {
        guard r.remaining >= 4, let type = r.peekU16(), let length = r.peekU16(at: 2).map(Int.init) else {
            throw OFDecodeError(.badInstruction(.badLen), "instruction header truncated")
        }
        guard length >= 8, length % 8 == 0, length <= r.remaining else {
            throw OFDecodeError(.badInstruction(.badLen), "instruction length \(length)")
        }
        var b = try r.sub(length, lengthError: .badInstruction(.badLen), "instruction")
        try b.skip(4)
        func fixed(_ n: Int) throws(OFDecodeError) {
            guard length == n else { throw OFDecodeError(.badInstruction(.badLen), "instruction \(type) length \(length)") }
        }
        switch OFInstructionType(rawValue: type) {
        case .gotoTable:
            try fixed(8)
            let table = try b.u8()
            guard table <= options.maxTableID else {
                throw OFDecodeError(.badInstruction(.badTableID), "goto_table \(table)")
            }
            return .gotoTable(table)
        case .writeMetadata:
            try fixed(24)
            try b.skip(4)
            return .writeMetadata(value: try b.u64(), mask: try b.u64())
        case .writeActions:
            try b.skip(4)
            return .writeActions(try OFAction.decodeList(from: &b, options: options))
        case .applyActions:
            try b.skip(4)
            return .applyActions(try OFAction.decodeList(from: &b, options: options))
        case .clearActions:
            try fixed(8)
            return .clearActions
        case .meter:
            try fixed(8)
            let id = try b.u32()
            if options.datapathFeaturesOnly {
                throw OFDecodeError(.badInstruction(.unsupInst), "meter instruction not supported")
            }
            return .meter(id)
        case .experimenter:
            let id = try b.u32()
            if options.datapathFeaturesOnly {
                throw OFDecodeError(.badInstruction(.badExperimenter), "experimenter instruction 0x\(String(id, radix: 16))")
            }
            return .experimenter(id: id, data: b.rest())
        case nil:
            throw OFDecodeError(.badInstruction(.unknownInst), "unknown instruction type \(type)")
        }
    }
}
