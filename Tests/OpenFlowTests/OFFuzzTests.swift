import Foundation
import Packet
import Testing
import TestSupport
@testable import OpenFlow

/// A million seeded random and mutated messages through framer and decoder: nothing may
/// crash or read out of bounds, and the mix must reach the deep parsers (match, actions,
/// instructions, multipart bodies), not stop at the header.
@Suite struct OFFuzzTests {
    static let count = ProcessInfo.processInfo.environment["OF_FUZZ_COUNT"].flatMap(Int.init) ?? 1_000_000

    static let corpus: [[UInt8]] = {
        var c = SampleMessages.all.map { try! $0.1.encode(xid: 1) }
        c += OFBadInputTests.cases.map(\.bytes)
        return c
    }()

    struct Tally {
        var messages = 0, decoded = 0, framing = 0, incomplete = 0
        var header = 0, length = 0, deep = 0, matchActionInstruction = 0
        var byType: [UInt16: Int] = [:]
        var reencodeMismatches = 0

        mutating func merge(_ o: Tally) {
            messages += o.messages; decoded += o.decoded; framing += o.framing; incomplete += o.incomplete
            header += o.header; length += o.length; deep += o.deep; matchActionInstruction += o.matchActionInstruction
            reencodeMismatches += o.reencodeMismatches
            byType.merge(o.byType, uniquingKeysWith: +)
        }
    }

    static let interesting: [UInt16] = [0, 1, 2, 4, 7, 8, 12, 16, 24, 64, 0x7FFF, 0x8000, 0xFFFE, 0xFFFF]

    static func mutate(_ input: [UInt8], _ rng: inout SeededGenerator) -> [UInt8] {
        var m = input
        func fixLength() {
            let n = min(m.count, 65535)
            if m.count > n { m.removeLast(m.count - n) }
            if m.count >= 4 { m[2] = UInt8(n >> 8); m[3] = UInt8(n & 0xFF) }
        }
        let body = m.count > 8 ? 8..<m.count : nil
        switch rng.int(0, 99) {
        case 0..<8:
            break
        case 8..<40:
            if let body { for _ in 0..<rng.int(1, 3) { m[rng.int(body.lowerBound, body.upperBound - 1)] ^= UInt8(rng.int(1, 255)) } }
        case 40..<55:
            if m.count >= 10 {
                let at = rng.int(4, m.count / 2 - 1) * 2
                if at + 1 < m.count {
                    let v = rng.pick(interesting)
                    m[at] = UInt8(v >> 8); m[at + 1] = UInt8(v & 0xFF)
                }
            }
        case 55..<65:
            if m.count > 8 { m.removeLast(rng.int(1, (m.count - 8))) }
            fixLength()
        case 65..<73:
            for _ in 0..<rng.int(1, 16) { m.append(rng.byte()) }
            fixLength()
        case 73..<85:
            m = randomFlowMod(&rng)
        case 85..<90:
            m[rng.int(0, min(8, m.count) - 1)] ^= UInt8(rng.int(1, 255))
        case 90..<96:
            let n = rng.int(8, 160)
            m = (0..<n).map { _ in rng.byte() }
            m[0] = 4; m[1] = UInt8(rng.int(0, 31))
            fixLength()
        default:
            m = (0..<rng.int(0, 64)).map { _ in rng.byte() }
        }
        return m
    }

    /// A flow-mod built from random fields, values, masks, actions and instructions: mostly
    /// well-formed TLVs whose contents break the rules (prerequisites, ranges, masks, ports).
    static func randomFlowMod(_ rng: inout SeededGenerator) -> [UInt8] {
        let fields = FlowField.allCases
        var oxms: [OXMField] = []
        for _ in 0..<rng.int(0, 6) {
            let f = rng.pick(fields)
            let v = FieldValue(high: rng.next(),
                               low: rng.bool() ? UInt64(rng.int(0, 3)) : rng.next())
            let masked = rng.bool()
            let full = f.fullMask
            var value = FieldValue(high: v.high & full.high, low: v.low & full.low)
            if rng.int(0, 4 - 1) == 0 { value = v }
            var mask: FieldValue? = masked ? FieldValue(high: full.high, low: full.low & ~UInt64(rng.byte())) : nil
            if masked && rng.bool() { value = FieldValue(high: value.high & mask!.high, low: value.low & mask!.low) }
            if f == .ethType && rng.bool() { value = FieldValue(rng.pick([0x0800, 0x86DD, 0x0806])); mask = nil }
            if f == .ipProto && rng.bool() { value = FieldValue(rng.pick([1, 6, 17, 58])); mask = nil }
            oxms.append(OXMField(f, value, mask: mask))
        }
        func action() -> OFAction {
            switch rng.int(0, 8 - 1) {
            case 0: return .output(port: rng.pick([1, 2, 0, OFPortNumber.controller, OFPortNumber.any, UInt32(truncatingIfNeeded: rng.next())]),
                                   maxLength: UInt16(truncatingIfNeeded: rng.next()))
            case 1: return .setField(OXMField(rng.pick(fields), UInt64(rng.int(0, 70))))
            case 2: return .pushVLAN(ethertype: rng.pick([0x8100, 0x88A8, 0x0800]))
            case 3: return .group(UInt32(truncatingIfNeeded: rng.next()) >> UInt32(rng.int(0, 31)))
            case 4: return .popVLAN
            case 5: return .decNwTTL
            case 6: return .pushMPLS(ethertype: 0x8847)
            default: return .experimenter(id: 0x2320, data: [1, 2, 3, 4])
            }
        }
        var instructions: [OFInstruction] = []
        for _ in 0..<rng.int(0, 3) {
            switch rng.int(0, 6 - 1) {
            case 0: instructions.append(.applyActions(OFActionList((0..<rng.int(0, 4)).map { _ in action() })))
            case 1: instructions.append(.writeActions(OFActionList((0..<rng.int(0, 3)).map { _ in action() })))
            case 2: instructions.append(.gotoTable(rng.byte()))
            case 3: instructions.append(.writeMetadata(value: 1, mask: 1))
            case 4: instructions.append(.clearActions)
            default: instructions.append(.meter(1))
            }
        }
        let mod = OFFlowMod(tableID: UInt8(rng.int(0, 3)), command: rng.pick(OFFlowModCommand.allCases),
                            match: OFMatch(oxms), instructions: OFInstructionList(instructions))
        return (try? OFMessage.flowMod(mod).encode(xid: 1)) ?? []
    }

    static func run(seed: UInt64, count: Int) -> Tally {
        var rng = SeededGenerator(seed: seed)
        var t = Tally()
        var done = 0
        while done < count {
            // 1–3 messages per read, as a TCP stream delivers them.
            let batch = min(rng.int(1, 3), count - done)
            var framer = OFFramer()
            var chunk: [UInt8] = []
            for _ in 0..<batch { chunk += mutate(rng.pick(corpus), &rng) }
            done += batch
            t.messages += batch
            framer.append(chunk)
            var options: OFDecodeOptions = rng.bool() ? .controller : .datapath
            options.maxTableID = rng.bool() ? OFTableID.max : 3
            // As a connection decodes (its storage reused from message to message), and
            // re-decoded below one-shot.
            var decoder = OFMessageDecoder(options: options)
            do {
                while let frame = try framer.nextMessage() {
                    // The error as a value, caught where it first propagates: a rethrow would
                    // cost a backtrace capture per refused message under Swift Testing.
                    switch Result(catching: { () throws(OFDecodeError) in try decoder.decode(frame.bytes) }) {
                    case .success(let decoded):
                        let message = decoded.message
                        t.decoded += 1
                        if case .flowMod(let mod) = message {
                            // What decodes re-encodes to something that decodes the same.
                            let wire = try? message.encode(xid: 1)
                            let again = wire.flatMap { try? OFMessage.decode($0, options: options).message }
                            if again != message { t.reencodeMismatches += 1 }
                            // The decoded lists' bytes are canonical: read back as values and
                            // encoded from those, they are the same bytes.
                            var rebuilt = mod
                            rebuilt.match = OFMatch(Array(mod.match.fields))
                            rebuilt.instructions = OFInstructionList(mod.instructions.map { i -> OFInstruction in
                                switch i {
                                case .applyActions(let a): .applyActions(OFActionList(Array(a)))
                                case .writeActions(let a): .writeActions(OFActionList(Array(a)))
                                default: i
                                }
                            })
                            if (try? OFMessage.flowMod(rebuilt).encode(xid: 1)) != wire { t.reencodeMismatches += 1 }
                        }
                    case .failure(let error):
                        t.byType[error.code.type.rawValue, default: 0] += 1
                        switch error.code.type {
                        case .badRequest where error.code.code == OFBadRequestCode.badLen.rawValue: t.length += 1
                        case .badRequest where error.code.code != OFBadRequestCode.badMultipart.rawValue: t.header += 1
                        case .badMatch, .badAction, .badInstruction: t.deep += 1; t.matchActionInstruction += 1
                        default: t.deep += 1
                        }
                    }
                }
                if framer.bufferedCount > 0 { t.incomplete += 1 }
            } catch {
                t.framing += 1
            }
        }
        return t
    }

    @Test func millionMessagesNoCrashDeepCoverage() async {
        let shards = 4
        let total = Self.count
        let tally = await withTaskGroup(of: Tally.self) { group in
            for s in 0..<shards {
                let n = total / shards + (s < total % shards ? 1 : 0)
                group.addTask { Self.run(seed: 0x0F13_0000 + UInt64(s), count: n) }
            }
            var sum = Tally()
            for await t in group { sum.merge(t) }
            return sum
        }
        #expect(tally.messages == total)
        let n = Double(total)
        let summary = "decoded \(tally.decoded), deep errors \(tally.deep) (match/action/instruction \(tally.matchActionInstruction)), "
            + "header \(tally.header), length \(tally.length), framing \(tally.framing), incomplete \(tally.incomplete), "
            + "by error type \(tally.byType.sorted { $0.key < $1.key })"
        print("OpenFlow fuzz: \(total) messages: \(summary)")
        #expect(Double(tally.decoded + tally.deep) / n > 0.35, "\(summary)")
        #expect(Double(tally.matchActionInstruction) / n > 0.08, "\(summary)")
        #expect(Double(tally.decoded) / n > 0.10, "\(summary)")
        #expect(tally.reencodeMismatches == 0)
    }
}

extension SeededGenerator {
    /// Concrete helpers: the generic `random(in:using:)` is slow in debug builds, and the
    /// fuzz loop runs a million times.
    mutating func int(_ low: Int, _ high: Int) -> Int { low + Int(next() % UInt64(high - low + 1)) }
    mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next()) }
    mutating func bool() -> Bool { next() & 1 == 1 }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0, items.count - 1)] }
}
