/// `ofp_instruction_type`.
public enum OFInstructionType: UInt16, Sendable, CaseIterable {
    case gotoTable = 1, writeMetadata, writeActions, applyActions, clearActions, meter
    case experimenter = 0xFFFF
}

/// One instruction of a flow entry (spec §7.2.4).
public enum OFInstruction: Hashable, Sendable {
    case gotoTable(UInt8)
    case writeMetadata(value: UInt64, mask: UInt64)
    case writeActions(OFActionList)
    case applyActions(OFActionList)
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
        case .writeActions(let a), .applyActions(let a): 8 + a.encodedLength
        case .experimenter(_, let data): roundUp8(8 + data.count)
        }
    }

    func encode(into w: inout ByteWriter) {
        switch self {
        case .gotoTable(let t):
            Self.write(type.rawValue, into: &w) { w in w.u8(t); w.zeros(3) }
        case .writeMetadata(let value, let mask):
            Self.write(type.rawValue, into: &w) { w in w.zeros(4); w.u64(value); w.u64(mask) }
        case .writeActions(let actions), .applyActions(let actions):
            Self.encodeActions(type, actions, into: &w)
        case .clearActions:
            Self.write(type.rawValue, into: &w) { w in w.zeros(4) }
        case .meter(let id):
            Self.write(type.rawValue, into: &w) { w in w.u32(id) }
        case .experimenter(let id, let data):
            Self.write(type.rawValue, into: &w) { w in w.u32(id); w.append(data) }
        }
    }

    /// A write- or apply-actions instruction. A list's encoder calls it for apply-actions, the
    /// instruction nearly every flow has, straight from the list's storage: as an argument of
    /// `encode` the instruction was copied first, its action list retained and released.
    @inline(__always)
    static func encodeActions(_ type: OFInstructionType, _ actions: OFActionList, into w: inout ByteWriter) {
        writeActions(type.rawValue, into: &w) { w in actions.encode(into: &w) }
    }

    /// A write- or apply-actions instruction whose actions `body` writes: the 8-byte header, with
    /// the length patched in once they are written (actions are whole 8-byte units, so there is
    /// no padding to add). The encoder's and the decoder's (which writes actions back as it
    /// checks them) one layout; kept apart from `write`, whose 4-byte header and padding cost
    /// the FLOW_MOD's encode and decode 19 and 24 instructions.
    @inline(__always)
    static func writeActions<E: Error>(_ type: UInt16, into w: inout ByteWriter,
                                       _ body: (inout ByteWriter) throws(E) -> Void) throws(E) {
        let start = w.count
        w.fixed(8) { o in o.u16(0, type); o.u16(2, 0); o.u32(4, 0) }
        try body(&w)
        w.patchLength(from: start)
    }

    /// Any other instruction of `type`: its header, what `body` writes, padding to 8 bytes, and
    /// the length patched in.
    @inline(__always)
    private static func write(_ type: UInt16, into w: inout ByteWriter, _ body: (inout ByteWriter) -> Void) {
        let start = w.count
        w.fixed(4) { o in o.u16(0, type); o.u16(2, 0) }
        body(&w)
        w.padTo8(from: start)
        w.patchLength(from: start)
    }
}

extension OFInstruction {
    /// Reads instructions filling all of `r`, checking each (and each action) against
    /// `options`, and writes them to `w` in canonical form. A flow entry holds at most one
    /// instruction of each type (spec §5.9); a repeated type is refused as unsupported. With
    /// `table`, a goto_table must lead past it: the pipeline only goes forward (spec §5.1).
    static func decodeList(from r: inout ByteReader, options: OFDecodeOptions, in table: UInt8? = nil,
                           into w: inout ByteWriter) throws(OFDecodeError) {
        var seen: UInt32 = 0
        while !r.isAtEnd {
            let (type, length) = try shape(of: r)
            // Write/apply-actions, the instructions nearly every flow has, go straight to their
            // actions; only the others are made into values first.
            if type == OFInstructionType.applyActions.rawValue || type == OFInstructionType.writeActions.rawValue {
                let bit = UInt32(1) << UInt32(type)
                guard seen & bit == 0 else {
                    throw OFDecodeError(.badInstruction(.unsupInst), "instruction \(OFInstructionType(rawValue: type)!) appears twice")
                }
                seen |= bit
                var actions = try r.sub(length, lengthError: .badInstruction(.badLen), "instruction")
                try actions.skip(8)
                try writeActions(type, into: &w) { (w) throws(OFDecodeError) in
                    try OFAction.decodeList(from: &actions, options: options, into: &w)
                }
                continue
            }
            let (instruction, _) = try parse(from: &r)
            try instruction.validate(options: options)
            if let table, case .gotoTable(let next) = instruction, next <= table {
                throw OFDecodeError(.badInstruction(.badTableID), "goto_table \(next) from table \(table)")
            }
            let bit: UInt32 = instruction.type == .experimenter ? 0 : 1 << UInt32(instruction.type.rawValue)
            guard seen & bit == 0 else {
                throw OFDecodeError(.badInstruction(.unsupInst), "instruction \(instruction.type) appears twice")
            }
            seen |= bit
            instruction.encode(into: &w)
        }
    }

    /// The type and length of the instruction at `r`, checked (`ByteReader.typeLengthHeader`).
    @inline(__always)
    static func shape(of r: ByteReader) throws(OFDecodeError) -> (type: UInt16, length: Int) {
        try r.typeLengthHeader(.badInstruction(.badLen), "instruction")
    }

    /// Reads one instruction, checking only its shape: type and lengths. The actions of
    /// write/apply-actions come back unread, as a reader over their bytes, in place of the
    /// instruction's (then empty) list.
    static func parse(from r: inout ByteReader) throws(OFDecodeError) -> (OFInstruction, actions: ByteReader?) {
        let (type, length) = try shape(of: r)
        var b = try r.sub(length, lengthError: .badInstruction(.badLen), "instruction")
        try b.skip(4)
        func fixed(_ n: Int) throws(OFDecodeError) {
            guard length == n else { throw OFDecodeError(.badInstruction(.badLen), "instruction \(type) length \(length)") }
        }
        switch OFInstructionType(rawValue: type) {
        case .gotoTable:
            try fixed(8)
            return (.gotoTable(try b.u8()), nil)
        case .writeMetadata:
            try fixed(24)
            try b.skip(4)
            return (.writeMetadata(value: try b.u64(), mask: try b.u64()), nil)
        case .writeActions:
            try b.skip(4)
            return (.writeActions(OFActionList()), b)
        case .applyActions:
            try b.skip(4)
            return (.applyActions(OFActionList()), b)
        case .clearActions:
            try fixed(8)
            return (.clearActions, nil)
        case .meter:
            try fixed(8)
            return (.meter(try b.u32()), nil)
        case .experimenter:
            return (.experimenter(id: try b.u32(), data: b.rest()), nil)
        case nil:
            throw OFDecodeError(.badInstruction(.unknownInst), "unknown instruction type \(type)")
        }
    }

    /// Checks the instruction's arguments, and that the datapath (per `options`) implements it.
    /// The actions are checked as they are read.
    func validate(options: OFDecodeOptions) throws(OFDecodeError) {
        switch self {
        case .gotoTable(let table) where table > options.maxTableID:
            throw OFDecodeError(.badInstruction(.badTableID), "goto_table \(table)")
        case .meter where options.datapathFeaturesOnly:
            throw OFDecodeError(.badInstruction(.unsupInst), "meter instruction not supported")
        case .experimenter(let id, _) where options.datapathFeaturesOnly:
            throw OFDecodeError(.badInstruction(.badExperimenter), "experimenter instruction 0x\(String(id, radix: 16))")
        default:
            break
        }
    }
}
