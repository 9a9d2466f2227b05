import Testing
import TestSupport
@testable import OpenFlow

@Suite struct OFFramerTests {
    static let encoded: [[UInt8]] = SampleMessages.all.enumerated().map { i, s in try! s.1.encode(xid: UInt32(i)) }
    static let stream: [UInt8] = encoded.flatMap { $0 }

    static func drain(_ framer: inout OFFramer) throws -> [[UInt8]] {
        var out: [[UInt8]] = []
        while let frame = try framer.nextMessage() {
            #expect(Int(frame.header.length) == frame.bytes.count)
            #expect(frame.body.count == frame.bytes.count - 8)
            out.append(Array(frame.bytes))
        }
        return out
    }

    @Test func byteAtATime() throws {
        var framer = OFFramer()
        var got: [[UInt8]] = []
        for byte in Self.stream {
            framer.append([byte])
            got += try Self.drain(&framer)
        }
        #expect(got == Self.encoded)
        #expect(framer.bufferedCount == 0)
    }

    @Test func allMessagesInOneChunk() throws {
        var framer = OFFramer()
        framer.append(Self.stream)
        #expect(try Self.drain(&framer) == Self.encoded)
        #expect(try framer.nextMessage() == nil)
    }

    @Test func randomChunks() throws {
        var rng = SeededGenerator(seed: 7)
        for _ in 0..<50 {
            var framer = OFFramer()
            var got: [[UInt8]] = []
            var i = 0
            while i < Self.stream.count {
                let n = min(Int.random(in: 1...3000, using: &rng), Self.stream.count - i)
                Self.stream[i..<(i + n)].withUnsafeBytes { framer.append($0) }
                i += n
                got += try Self.drain(&framer)
            }
            #expect(got == Self.encoded)
        }
    }

    @Test func partialHeaderWaits() throws {
        var framer = OFFramer()
        framer.append(Array(Self.encoded[0].prefix(5)))
        #expect(try framer.nextMessage() == nil)
        framer.append(Array(Self.encoded[0].dropFirst(5)))
        #expect(try framer.nextMessage().map { Array($0.bytes) } == Self.encoded[0])
    }

    @Test(arguments: [0, 1, 7])
    func undersizeLengthIsFatal(length: Int) throws {
        var framer = OFFramer()
        framer.append(Self.encoded[0] + [4, 0, 0, UInt8(length), 0, 0, 0, 1] + Self.encoded[1])
        #expect(try framer.nextMessage().map { Array($0.bytes) } == Self.encoded[0])
        let error = #expect(throws: OFFramingError.self) { try framer.nextMessage() }
        #expect(error?.length == length)
        #expect(error?.code == .badRequest(.badLen))
        // The stream cannot be resynchronised: the framer stays failed.
        framer.append(Self.encoded[2])
        #expect(throws: OFFramingError.self) { try framer.nextMessage() }
    }

    @Test func oversizeLengthIsFatal() throws {
        var framer = OFFramer(maxLength: 1024)
        let big = try OFMessage.echoRequest([UInt8](repeating: 7, count: 2000)).encode(xid: 1)
        framer.append(Array(big.prefix(8)))
        let error = #expect(throws: OFFramingError.self) { try framer.nextMessage() }
        #expect(error?.length == 2008)
        #expect(error?.header == Array(big.prefix(8)))
    }

    /// A frame shares the framer's buffer; one kept while more bytes come in keeps its bytes.
    @Test func framesKeptAcrossAppendsKeepTheirBytes() throws {
        var framer = OFFramer()
        framer.append(Self.encoded[0] + Self.encoded[1])
        let first = try #require(try framer.nextMessage())
        let second = try #require(try framer.nextMessage())
        framer.append(Self.encoded[2])  // the buffer is emptied and refilled while both are alive
        #expect(Array(first.bytes) == Self.encoded[0])
        #expect(Array(second.bytes) == Self.encoded[1])
        #expect(try framer.nextMessage().map { Array($0.bytes) } == Self.encoded[2])
        #expect(try OFMessage.decode(second.bytes).header.xid == 1)
    }

    @Test func largestMessageFrames() throws {
        #expect(OFFramer.maxMessageLength == 65535)
        let max = try OFMessage.echoReply([UInt8](repeating: 1, count: 65535 - 8)).encode(xid: 3)
        #expect(max.count == 65535)
        #expect(throws: OFEncodeError.self) { try OFMessage.echoReply([UInt8](repeating: 1, count: 65535 - 7)).encode(xid: 3) }
        var framer = OFFramer()
        framer.append(max + Self.encoded[0])
        #expect(try framer.nextMessage().map { Array($0.bytes) } == max)
        #expect(try framer.nextMessage().map { Array($0.bytes) } == Self.encoded[0])
        if case .echoReply(let payload) = try OFMessage.decode(max).message { #expect(payload.count == 65527) }
    }
}
