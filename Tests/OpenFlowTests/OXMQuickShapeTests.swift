import Packet
import Testing
import TestSupport
@testable import OpenFlow

/// The match decoder checks usual TLVs with `OXMQuickShape`'s bit sets and prerequisites with
/// `Established.allowed`, written out from `FlowField`'s facts. These hold them to those facts,
/// and hold the decoder to the general per-field checks on random matches.
@Suite struct OXMQuickShapeTests {
    /// A field the quick path may take: number below 32, and a value that fills its bytes.
    static func isPlain(_ f: FlowField) -> Bool {
        let width = f.oxmLength
        let full = width == 16 ? FieldValue(high: ~0, low: ~0) : FieldValue(width == 8 ? ~0 : (1 << UInt64(8 * width)) - 1)
        return f.oxmField < 32 && f.oxmValueMask == full
    }

    @Test func shapesAreFlowFieldsFacts() {
        for number in UInt32(0)..<128 {
            for hasMask in [false, true] {
                for length in UInt32(0)...40 {
                    let header = UInt32(OXMClass.openFlowBasic) << 16 | number << 9 | (hasMask ? 0x100 : 0) | length
                    var expected: Int?
                    if let f = FlowField(oxmField: UInt8(number)), Self.isPlain(f), !hasMask || f.isMaskable,
                       Int(length) == (hasMask ? 2 : 1) * f.oxmLength {
                        expected = 4 + Int(length)
                    }
                    #expect(OXMQuickShape.length(ofHeader: header, available: 4 + Int(length)) == expected,
                            "field \(number) mask \(hasMask) length \(length)")
                    if expected != nil {
                        #expect(OXMQuickShape.length(ofHeader: header, available: 3 + Int(length)) == nil, "overrun taken: \(number)")
                        #expect(OXMQuickShape.length(ofHeader: header ^ 0x0001_0000, available: 64) == nil, "other class taken: \(number)")
                    }
                }
            }
        }
        // The quick path is for the usual fields, not a corner of them.
        #expect(FlowField.allCases.filter(Self.isPlain).count == 23)
    }

    @Test func allowedIsAllowsForEveryField() {
        for ethType: UInt64? in [nil, 0x0800, 0x86DD, 0x0806, 0x8100] {
            for ipProto: UInt64? in [nil, 1, 6, 17, 58, 132] {
                for vlanPresent in [false, true] {
                    var e = OFMatch.Established()
                    e.ethType = ethType; e.ipProto = ipProto; e.vlanPresent = vlanPresent
                    let known = FlowField.allCases.reduce(UInt64(0)) { $0 | 1 << UInt64($1.oxmField) }
                    #expect(e.allowed & ~known == 0)
                    for f in FlowField.allCases {
                        #expect(e.allows(f) == (e.allowed >> UInt64(f.oxmField) & 1 != 0),
                                "\(f.rawValue) with eth_type \(String(describing: ethType)) ip_proto \(String(describing: ipProto)) vlan \(vlanPresent)")
                    }
                }
            }
        }
    }

    /// What the general checks make of match TLVs: the error code, or the match they are.
    static func reference(_ tlvs: [UInt8]) -> Result<OFMatch, OFDecodeError> {
        tlvs.withUnsafeBytes { raw in
            Result { () throws(OFDecodeError) -> OFMatch in
                var r = ByteReader(raw, lengthError: .badMatch(.badLen))
                var fields: [OXMField] = []
                while !r.isAtEnd {
                    let f = try OXMField.parse(from: &r, context: .match)
                    try f.validate(context: .match)
                    guard !fields.contains(where: { $0.field == f.field }) else { throw OFDecodeError(.badMatch(.dupField), "dup") }
                    fields.append(f)
                }
                let match = OFMatch(fields)
                try match.checkPrerequisites()
                return match
            }
        }
    }

    static func decoded(_ tlvs: [UInt8]) -> Result<OFMatch, OFDecodeError> {
        let bytes = Raw.match(tlvs)
        return bytes.withUnsafeBytes { raw in
            Result { () throws(OFDecodeError) -> OFMatch in
                var r = ByteReader(raw, lengthError: .badRequest(.badLen))
                var spare = TLVSpare.exact
                let match = try OFMatch.decode(from: &r, spare: &spare)
                guard r.isAtEnd else { throw OFDecodeError(.badRequest(.badLen), "match left bytes over") }
                return match
            }
        }
    }

    /// A TLV of a random known or unknown field, of the right length or not, masked or not,
    /// with values that mostly make sense for it (prerequisites) and sometimes not.
    static func randomTLV(_ rng: inout SeededGenerator) -> [UInt8] {
        let number = UInt8(rng.int(0, 9) == 0 ? rng.int(0, 45) : Int(rng.pick(FlowField.allCases).oxmField))
        let width = FlowField(oxmField: number)?.oxmLength ?? rng.int(1, 8)
        let hasMask = rng.int(0, 3) == 0
        var value: [UInt8] = (0..<width).map { _ in rng.byte() }
        switch number {
        case 5: value = Raw.be16(rng.pick([0x0800, 0x86DD, 0x0806, 0x8100]))
        case 10: value = [rng.pick([1, 6, 17, 58, 132])]
        case 6: value = Raw.be16(rng.pick([0, 0x1000, 0x1000 | UInt16(rng.int(1, 4094)), UInt16(rng.int(1, 0xFFFF))]))
        case 7, 8, 9: value = [rng.int(0, 1) == 0 ? 0 : rng.byte()]
        default: break
        }
        var payload = value
        if hasMask {
            var mask: [UInt8] = (0..<width).map { _ in rng.int(0, 2) == 0 ? 0xFF : rng.byte() }
            if rng.int(0, 4) != 0 { payload = zip(value, mask).map { $0 & $1 } }
            if number == 6 && rng.int(0, 1) == 0 { mask = Raw.be16(0x1000) }
            payload += mask
        }
        var length = payload.count
        switch rng.int(0, 29) {
        case 0: length += 1
        case 1: length = max(0, length - 1)
        default: break
        }
        return Raw.oxm(number, payload, hasMask: hasMask, length: length)
    }

    @Test func decoderAgreesWithTheGeneralChecks() {
        var rng = SeededGenerator(seed: 0x0A0C_5EED)
        var accepted = 0, refused: [String: Int] = [:]
        for _ in 0..<30_000 {
            var tlvs: [UInt8] = []
            for _ in 0..<rng.int(0, 6) { tlvs += Self.randomTLV(&rng) }
            if rng.int(0, 19) == 0, !tlvs.isEmpty { tlvs.removeLast(rng.int(1, min(3, tlvs.count))) }
            let expected = Self.reference(tlvs), got = Self.decoded(tlvs)
            switch (expected, got) {
            case (.success(let a), .success(let b)):
                #expect(Array(a.fields) == Array(b.fields), "\(tlvs)")
                accepted += 1
            case (.failure(let a), .failure(let b)):
                #expect(a.code == b.code, "\(tlvs): \(a.reason) vs \(b.reason)")
                refused["\(a.code)", default: 0] += 1
            default:
                Issue.record("\(tlvs): general checks \(expected), decoder \(got)")
            }
        }
        // The mix reaches both outcomes and the errors the match decoder can give.
        #expect(accepted > 3_000)
        for code in [OFErrorCode.badMatch(.badField), .badMatch(.badLen), .badMatch(.dupField), .badMatch(.badPrereq),
                     .badMatch(.badWildcards), .badMatch(.badMask), .badMatch(.badValue)] {
            #expect(refused["\(code)", default: 0] > 50, "\(code): \(refused)")
        }
    }
}
