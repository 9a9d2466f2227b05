import Packet

/// `ofp_table_feature_prop_type`.
public enum OFTableFeaturePropertyType: UInt16, Sendable, CaseIterable {
    case instructions = 0, instructionsMiss, nextTables, nextTablesMiss, writeActions, writeActionsMiss
    case applyActions, applyActionsMiss, match, wildcards = 10, writeSetfield = 12, writeSetfieldMiss
    case applySetfield, applySetfieldMiss
    case experimenter = 0xFFFE, experimenterMiss = 0xFFFF
}

/// One table feature property. Lists of instructions and actions hold their type numbers
/// (an experimenter entry's extra bytes are not kept); OXM lists hold 32-bit OXM headers.
public enum OFTableFeatureProperty: Hashable, Sendable {
    case instructions([UInt16], miss: Bool)
    case nextTables([UInt8], miss: Bool)
    case writeActions([UInt16], miss: Bool)
    case applyActions([UInt16], miss: Bool)
    case match([UInt32])
    case wildcards([UInt32])
    case writeSetfield([UInt32], miss: Bool)
    case applySetfield([UInt32], miss: Bool)
    case experimenter(id: UInt32, expType: UInt32, data: [UInt8], miss: Bool)
    /// A property type this codec does not know (kept when decoding replies).
    case unknown(type: UInt16, data: [UInt8])

    public var type: UInt16 {
        func t(_ hit: OFTableFeaturePropertyType, _ miss: OFTableFeaturePropertyType, _ m: Bool) -> UInt16 {
            (m ? miss : hit).rawValue
        }
        switch self {
        case .instructions(_, let m): return t(.instructions, .instructionsMiss, m)
        case .nextTables(_, let m): return t(.nextTables, .nextTablesMiss, m)
        case .writeActions(_, let m): return t(.writeActions, .writeActionsMiss, m)
        case .applyActions(_, let m): return t(.applyActions, .applyActionsMiss, m)
        case .match: return OFTableFeaturePropertyType.match.rawValue
        case .wildcards: return OFTableFeaturePropertyType.wildcards.rawValue
        case .writeSetfield(_, let m): return t(.writeSetfield, .writeSetfieldMiss, m)
        case .applySetfield(_, let m): return t(.applySetfield, .applySetfieldMiss, m)
        case .experimenter(_, _, _, let m): return t(.experimenter, .experimenterMiss, m)
        case .unknown(let type, _): return type
        }
    }

    /// The property's `length` field (without the padding to 8).
    var length: Int {
        switch self {
        case .instructions(let l, _), .writeActions(let l, _), .applyActions(let l, _): 4 + 4 * l.count
        case .nextTables(let l, _): 4 + l.count
        case .match(let l), .wildcards(let l), .writeSetfield(let l, _), .applySetfield(let l, _): 4 + 4 * l.count
        case .experimenter(_, _, let d, _): 12 + d.count
        case .unknown(_, let d): 4 + d.count
        }
    }

    func encode(into w: inout ByteWriter) {
        let start = w.count
        w.u16(type)
        w.u16(UInt16(truncatingIfNeeded: length))
        switch self {
        case .instructions(let l, _), .writeActions(let l, _), .applyActions(let l, _):
            for t in l { w.u16(t); w.u16(4) }
        case .nextTables(let l, _):
            for t in l { w.u8(t) }
        case .match(let l), .wildcards(let l), .writeSetfield(let l, _), .applySetfield(let l, _):
            for h in l { w.u32(h) }
        case .experimenter(let id, let expType, let data, _):
            w.u32(id); w.u32(expType); w.append(data)
        case .unknown(_, let data):
            w.append(data)
        }
        w.padTo8(from: start)
    }

    /// `strict` (a SET request) refuses unknown property types; a reply keeps them.
    static func decode(from r: inout ByteReader, strict: Bool) throws(OFDecodeError) -> OFTableFeatureProperty {
        let badLen = OFErrorCode.tableFeaturesFailed(.badLen)
        guard r.remaining >= 4 else { throw OFDecodeError(badLen, "table feature property truncated") }
        let type = try r.u16()
        let length = Int(try r.u16())
        guard length >= 4, length - 4 <= r.remaining else {
            throw OFDecodeError(badLen, "table feature property length \(length)")
        }
        var p = try r.sub(length - 4, lengthError: badLen, "table feature property")
        // The last property's padding may be cut short by a peer; tolerate what is there.
        try r.skip(min(roundUp8(length) - length, r.remaining))

        func ids() throws(OFDecodeError) -> [UInt16] {
            var out: [UInt16] = []
            while !p.isAtEnd {
                guard p.remaining >= 4 else { throw OFDecodeError(badLen, "instruction/action id truncated") }
                let t = try p.u16()
                let len = Int(try p.u16())
                guard len >= 4 else { throw OFDecodeError(badLen, "instruction/action id length \(len)") }
                try p.skip(len - 4)
                out.append(t)
            }
            return out
        }
        func oxms() throws(OFDecodeError) -> [UInt32] {
            var out: [UInt32] = []
            while !p.isAtEnd {
                let h = try p.u32()
                // An experimenter OXM id carries its experimenter id after the header.
                if h >> 16 == UInt32(OXMClass.experimenter) { try p.skip(4) }
                out.append(h)
            }
            return out
        }
        switch OFTableFeaturePropertyType(rawValue: type) {
        case .instructions: return .instructions(try ids(), miss: false)
        case .instructionsMiss: return .instructions(try ids(), miss: true)
        case .nextTables: return .nextTables(p.rest(), miss: false)
        case .nextTablesMiss: return .nextTables(p.rest(), miss: true)
        case .writeActions: return .writeActions(try ids(), miss: false)
        case .writeActionsMiss: return .writeActions(try ids(), miss: true)
        case .applyActions: return .applyActions(try ids(), miss: false)
        case .applyActionsMiss: return .applyActions(try ids(), miss: true)
        case .match: return .match(try oxms())
        case .wildcards: return .wildcards(try oxms())
        case .writeSetfield: return .writeSetfield(try oxms(), miss: false)
        case .writeSetfieldMiss: return .writeSetfield(try oxms(), miss: true)
        case .applySetfield: return .applySetfield(try oxms(), miss: false)
        case .applySetfieldMiss: return .applySetfield(try oxms(), miss: true)
        case .experimenter, .experimenterMiss:
            return .experimenter(id: try p.u32(), expType: try p.u32(), data: p.rest(),
                                 miss: type == OFTableFeaturePropertyType.experimenterMiss.rawValue)
        case nil:
            if strict { throw OFDecodeError(.tableFeaturesFailed(.badType), "table feature property type \(type)") }
            return .unknown(type: type, data: p.rest())
        }
    }
}

/// `ofp_table_features`: what one flow table can match, do and lead to.
public struct OFTableFeatures: Hashable, Sendable {
    public var tableID: UInt8
    /// At most 31 bytes survive the wire.
    public var name: String
    public var metadataMatch: UInt64
    public var metadataWrite: UInt64
    public var config: UInt32
    public var maxEntries: UInt32
    public var properties: [OFTableFeatureProperty]

    public init(tableID: UInt8, name: String, metadataMatch: UInt64 = ~0, metadataWrite: UInt64 = ~0,
                config: UInt32 = 0, maxEntries: UInt32, properties: [OFTableFeatureProperty]) {
        self.tableID = tableID; self.name = name; self.metadataMatch = metadataMatch
        self.metadataWrite = metadataWrite; self.config = config; self.maxEntries = maxEntries
        self.properties = properties
    }

    /// A table of a `tableCount`-table pipeline that supports every instruction but meter,
    /// the given actions, and every field this codec carries for match, wildcard and set-field.
    public static func standard(tableID: UInt8, tableCount: Int, name: String? = nil, maxEntries: UInt32 = 65536,
                                actions: [OFActionType] = [.output, .pushVLAN, .popVLAN, .group, .decNwTTL, .setField])
        -> OFTableFeatures {
        let count = min(tableCount, Int(OFTableID.max) + 1)
        let last = Int(tableID) + 1 >= count
        var instructions: [OFInstructionType] = [.writeMetadata, .writeActions, .applyActions, .clearActions]
        if !last { instructions.insert(.gotoTable, at: 0) }
        let inst = instructions.map(\.rawValue)
        let next = last ? [] : (Int(tableID) + 1..<count).map { UInt8($0) }
        let acts = actions.map(\.rawValue)
        let fields = FlowField.allCases
        let match = fields.map { $0.oxmHeader(hasMask: $0.isMaskable) }
        let wildcards = fields.map { $0.oxmHeader() }
        let settable = fields.filter { !$0.isReadOnly && $0 != .metadata }.map { $0.oxmHeader() }
        return OFTableFeatures(
            tableID: tableID, name: name ?? "table\(tableID)", maxEntries: maxEntries,
            properties: [
                .instructions(inst, miss: false), .instructions(inst, miss: true),
                .nextTables(next, miss: false), .nextTables(next, miss: true),
                .writeActions(acts, miss: false), .writeActions(acts, miss: true),
                .applyActions(acts, miss: false), .applyActions(acts, miss: true),
                .match(match), .wildcards(wildcards),
                .writeSetfield(settable, miss: false), .writeSetfield(settable, miss: true),
                .applySetfield(settable, miss: false), .applySetfield(settable, miss: true),
            ])
    }

    public var encodedLength: Int { 64 + properties.reduce(0) { $0 + roundUp8($1.length) } }

    func encode(into w: inout ByteWriter) {
        w.u16(UInt16(truncatingIfNeeded: encodedLength))
        w.u8(tableID); w.zeros(5)
        w.fixedString(name, length: OFP.maxTableNameLength)
        w.u64(metadataMatch); w.u64(metadataWrite)
        w.u32(config); w.u32(maxEntries)
        for p in properties { p.encode(into: &w) }
    }

    static func decode(from r: inout ByteReader, strict: Bool) throws(OFDecodeError) -> OFTableFeatures {
        let badLen = OFErrorCode.tableFeaturesFailed(.badLen)
        guard let length = r.peekU16().map(Int.init), length >= 64, length <= r.remaining else {
            throw OFDecodeError(badLen, "table features length")
        }
        var t = try r.sub(length, lengthError: badLen, "table features")
        try t.skip(2)
        let tableID = try t.u8()
        try t.skip(5)
        let name = try t.fixedString(OFP.maxTableNameLength)
        let metadataMatch = try t.u64(), metadataWrite = try t.u64()
        let config = try t.u32(), maxEntries = try t.u32()
        var properties: [OFTableFeatureProperty] = []
        while !t.isAtEnd {
            properties.append(try OFTableFeatureProperty.decode(from: &t, strict: strict))
        }
        return OFTableFeatures(tableID: tableID, name: name, metadataMatch: metadataMatch, metadataWrite: metadataWrite,
                               config: config, maxEntries: maxEntries, properties: properties)
    }
}
