import Packet
import Testing
@testable import OpenFlow

/// `OFMessageDecoder` writes decoded lists into storage it keeps between messages. These tests
/// hold it to its promise both ways: a message that is kept never changes under a later decode,
/// and storage nothing holds any more is written again instead of a new allocation.
@Suite struct OFMessageDecoderTests {
    static func flowMod(_ i: Int, actions: Int = 1) -> OFFlowMod {
        OFFlowMod(cookie: UInt64(i), priority: UInt16(i & 0xFFFF),
                  match: OFMatch([.inPort(UInt32(i + 1)), .ethType(0x0800), .ipv4Dst(IPv4Address(rawValue: UInt32(0x0A00_0000 + i)))]),
                  instructions: [.applyActions(OFActionList((0..<actions).map { .output(port: UInt32(i + 1 + $0)) }))])
    }

    static func packetIn(_ i: Int) -> OFPacketIn {
        OFPacketIn(bufferID: OFP.noBuffer, totalLength: 60, reason: .noMatch, tableID: 0, cookie: UInt64(i),
                   match: OFMatch([.inPort(UInt32(i))]), data: [UInt8](repeating: UInt8(i & 0xFF), count: 60))
    }

    /// Kept messages of every kind the decoder writes lists for stay what they were while the
    /// same decoder decodes others after them, and each equals what `OFMessage.decode` makes.
    @Test func keptMessagesDoNotChange() throws {
        var decoder = OFMessageDecoder(options: .controller)
        var kept: [(OFMessage, OFMessage)] = []
        for i in 0..<200 {
            let message: OFMessage = switch i % 3 {
            case 0: .flowMod(Self.flowMod(i, actions: 1 + i % 5))
            case 1: .packetIn(Self.packetIn(i))
            default: .flowRemoved(OFFlowRemoved(cookie: UInt64(i), priority: 1, reason: .delete, tableID: 0,
                                                durationSec: 1, durationNsec: 2, idleTimeout: 0, hardTimeout: 0,
                                                packetCount: 3, byteCount: 4, match: OFMatch([.inPort(UInt32(i)), .ethType(0x86DD)])))
            }
            let bytes = try message.encode(xid: UInt32(i))
            let decoded = try decoder.decode(bytes).message
            #expect(decoded == (try OFMessage.decode(bytes).message))
            // Every third message is dropped at once, so its storage comes free for the next.
            if i % 3 != 2 { kept.append((decoded, message)) }
        }
        for (decoded, original) in kept {
            #expect(decoded == original)
            #expect(try decoded.encode(xid: 1) == original.encode(xid: 1))
        }
    }

    /// Storage nothing holds is written again: each decoded FLOW_MOD is dropped before the next,
    /// and all are decoded into the decoder's one spare. While one is kept, the next goes into
    /// storage of its own; once it is dropped, into the spare again.
    @Test func freeStorageIsReused() throws {
        var decoder = OFMessageDecoder(options: .datapath)
        let bytes = try (0..<10).map { try OFMessage.flowMod(Self.flowMod($0)).encode(xid: UInt32($0)) }
        func storage(_ decoded: OFDecodedMessage) -> ObjectIdentifier? {
            guard case .flowMod(let mod) = decoded.message else { return nil }
            #expect(mod.match.storage.wire?.storageIdentity == mod.instructions.storage.wire?.storageIdentity)
            return mod.match.storage.wire?.storageIdentity
        }
        var used: Set<ObjectIdentifier?> = []
        for (i, b) in bytes.enumerated() {
            let decoded = try decoder.decode(b)
            #expect(decoded.message == .flowMod(Self.flowMod(i)))
            used.insert(storage(decoded))
        }
        let spare = try #require(decoder.spareIdentity)
        #expect(used == [spare])

        var held: OFDecodedMessage? = try decoder.decode(bytes[1])
        #expect(storage(held!) == spare)
        let second = try decoder.decode(bytes[2])
        #expect(storage(second) != spare, "storage a kept message uses was written again")
        #expect(held?.message == .flowMod(Self.flowMod(1)))
        #expect(second.message == .flowMod(Self.flowMod(2)))
        held = nil
        let third = try decoder.decode(bytes[3])
        #expect(storage(third) == spare)
        #expect(third.message == .flowMod(Self.flowMod(3)))
    }

    /// Messages handed to another task, as the controller hands PACKET_INs to its apps: the
    /// decoder must not write into storage until the other task has dropped what it read. The
    /// consumer checks every message it gets against the one that was encoded.
    @Test func messagesHandedToAnotherTaskStayIntact() async throws {
        let count = 20_000
        let wire = try (0..<64).map { try OFMessage.flowMod(Self.flowMod($0, actions: 1 + $0 % 3)).encode(xid: UInt32($0)) }
        let (stream, continuation) = AsyncStream.makeStream(of: (Int, OFDecodedMessage).self, bufferingPolicy: .bufferingNewest(8))
        let consumer = Task {
            var wrong = 0, seen = 0
            for await (i, decoded) in stream {
                seen += 1
                if decoded.message != .flowMod(Self.flowMod(i % 64, actions: 1 + i % 64 % 3)) { wrong += 1 }
            }
            return (seen, wrong)
        }
        var decoder = OFMessageDecoder(options: .datapath)
        var reused = 0
        for i in 0..<count {
            let decoded = try decoder.decode(wire[i % 64])
            if case .flowMod(let mod) = decoded.message, mod.match.storage.wire?.storageIdentity == decoder.spareIdentity {
                reused += 1
            }
            continuation.yield((i, decoded))
        }
        continuation.finish()
        let (seen, wrong) = await consumer.value
        #expect(seen > 0)
        #expect(reused > 0, "the spare was never free, so nothing was tested")
        #expect(wrong == 0)
    }

    /// A message larger than the spare decodes into storage of its own, and the spare stays.
    @Test func largeMessageDoesNotReplaceTheSpare() throws {
        var decoder = OFMessageDecoder(options: .controller)
        _ = try decoder.decode(try OFMessage.flowMod(Self.flowMod(1)).encode(xid: 1))
        let spare = try #require(decoder.spareIdentity)
        let large = OFMessage.flowMod(Self.flowMod(2, actions: 60))
        let decoded = try decoder.decode(try large.encode(xid: 2))
        #expect(decoded.message == large)
        #expect(decoder.spareIdentity == spare)
    }

    /// Errors are the same as `OFMessage.decode`'s, and a refused message leaves the decoder usable.
    @Test func errorsMatchOneShotDecode() throws {
        var decoder = OFMessageDecoder(options: .datapath)
        var bytes = try OFMessage.flowMod(Self.flowMod(3)).encode(xid: 3)
        bytes[48 + 4 + 2] = 0x7E  // the first OXM TLV's field: 63, which OpenFlow 1.3 does not define
        let oneShot = #expect(throws: OFDecodeError.self) { try OFMessage.decode(bytes, options: .datapath) }
        let withDecoder = #expect(throws: OFDecodeError.self) { try decoder.decode(bytes) }
        #expect(oneShot?.code == withDecoder?.code)
        let good = OFMessage.flowMod(Self.flowMod(4))
        #expect(try decoder.decode(try good.encode(xid: 4)).message == good)
    }
}
