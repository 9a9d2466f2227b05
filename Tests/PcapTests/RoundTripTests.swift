import Foundation
import Testing
@testable import Pcap

/// Frames written by `PcapWriter` come back from `PcapReader` unchanged.
@Suite struct RoundTripTests {
    static let timestamps = [
        PcapTimestamp(seconds: 1_700_000_000, nanoseconds: 123_456_789),
        PcapTimestamp(seconds: 1_700_000_001, nanoseconds: 1),
        PcapTimestamp(seconds: 1_700_000_002, nanoseconds: 999_999_999),
    ]

    static func truncatedToMicroseconds(_ timestamp: PcapTimestamp) -> PcapTimestamp {
        PcapTimestamp(seconds: timestamp.seconds, nanoseconds: timestamp.nanoseconds / 1_000 * 1_000)
    }

    func writeSamples(to path: String, precision: TimestampPrecision) throws -> [[UInt8]] {
        let frames = sampleFrames(count: Self.timestamps.count)
        let writer = try PcapWriter(path: path, precision: precision)
        for (frame, timestamp) in zip(frames, Self.timestamps) { writer.write(frame, timestamp: timestamp) }
        try writer.flush()
        writer.close()
        return frames
    }

    @Test func nanosecondFileKeepsNanoseconds() throws {
        let directory = try scratchDirectory()
        defer { removeDirectory(directory) }
        let path = directory.appendingPathComponent("ns.pcap").path
        let frames = try writeSamples(to: path, precision: .nanoseconds)

        let reader = try PcapReader(path: path)
        #expect(reader.precision == .nanoseconds)
        #expect(reader.linkType == LinkType.ethernet.rawValue)
        let packets = try reader.readAll()
        #expect(packets.map(\.data) == frames)
        #expect(packets.map(\.timestamp) == Self.timestamps)
        #expect(packets.map(\.originalLength) == frames.map(\.count))
        #expect(try reader.next() == nil, "the end stays the end")
    }

    @Test func microsecondFileTruncatesToMicroseconds() throws {
        let directory = try scratchDirectory()
        defer { removeDirectory(directory) }
        let path = directory.appendingPathComponent("us.pcap").path
        let frames = try writeSamples(to: path, precision: .microseconds)

        let packets = try PcapReader(path: path, precision: .nanoseconds).readAll()
        #expect(packets.map(\.data) == frames)
        #expect(packets.map(\.timestamp) == Self.timestamps.map(Self.truncatedToMicroseconds))
    }

    @Test func readingAtMicrosecondsScalesANanosecondFileDown() throws {
        let directory = try scratchDirectory()
        defer { removeDirectory(directory) }
        let path = directory.appendingPathComponent("ns.pcap").path
        _ = try writeSamples(to: path, precision: .nanoseconds)

        let reader = try PcapReader(path: path, precision: .microseconds)
        #expect(reader.precision == .microseconds)
        #expect(try reader.readAll().map(\.timestamp) == Self.timestamps.map(Self.truncatedToMicroseconds))
    }

    @Test func snapshotLengthCutsFramesAndKeepsTheirLength() throws {
        let directory = try scratchDirectory()
        defer { removeDirectory(directory) }
        let path = directory.appendingPathComponent("snap.pcap").path
        let long = ethernetFrame(etherType: 0x0800, payload: [UInt8](repeating: 0xab, count: 300))
        let writer = try PcapWriter(path: path, linkType: .ethernet, snaplen: 96)
        #expect(writer.snapshotLength == 96)
        writer.write(long, timestamp: PcapTimestamp(seconds: 1))
        writer.write(PcapPacket(timestamp: PcapTimestamp(seconds: 2), data: Array(long.prefix(40)), originalLength: 1500))
        long.withUnsafeBytes { writer.write($0, timestamp: PcapTimestamp(seconds: 3), originalLength: 10) }
        writer.close()

        let reader = try PcapReader(path: path)
        #expect(reader.snapshotLength == 96)
        let packets = try reader.readAll()
        #expect(packets.count == 3)
        #expect(packets[0].data == Array(long.prefix(96)))
        #expect(packets[0].originalLength == long.count)
        #expect(packets[0].isTruncated)
        #expect(packets[1].data == Array(long.prefix(40)))
        #expect(packets[1].originalLength == 1500)
        // A claimed length shorter than what was captured would make the record invalid.
        #expect(packets[2].originalLength == 96)
    }

    @Test func linkTypeAndEmptyFramesRoundTrip() throws {
        let directory = try scratchDirectory()
        defer { removeDirectory(directory) }
        let path = directory.appendingPathComponent("raw.pcap").path
        let writer = try PcapWriter(path: path, linkType: LinkType.raw.rawValue, precision: .nanoseconds)
        writer.write([], timestamp: PcapTimestamp(seconds: 7, nanoseconds: 8))
        writer.write([0x45, 0x00], timestamp: PcapTimestamp(seconds: 9))
        writer.close()
        writer.close()  // idempotent
        writer.write([1, 2, 3], timestamp: PcapTimestamp(seconds: 10))  // ignored once closed
        #expect(throws: PcapError.self) { try writer.flush() }

        let reader = try PcapReader(path: path)
        #expect(reader.linkType == LinkType.raw.rawValue)
        #expect(LinkType(rawValue: reader.linkType).name == "RAW")
        let packets = try reader.readAll()
        #expect(packets.map(\.data) == [[], [0x45, 0x00]])
        #expect(packets.map(\.timestamp) == [PcapTimestamp(seconds: 7, nanoseconds: 8), PcapTimestamp(seconds: 9)])
    }

    @Test func zeroCopyReadSeesTheSameBytes() throws {
        let directory = try scratchDirectory()
        defer { removeDirectory(directory) }
        let path = directory.appendingPathComponent("zc.pcap").path
        let frames = try writeSamples(to: path, precision: .nanoseconds)

        let reader = try PcapReader(path: path)
        var seen: [(PcapTimestamp, [UInt8])] = []
        while let entry = try reader.withNextPacket({ timestamp, bytes in (timestamp, Array(bytes)) }) {
            seen.append(entry)
        }
        #expect(seen.map(\.1) == frames)
        #expect(seen.map(\.0) == Self.timestamps)
    }

    @Test func fileFilterKeepsOnlyMatchingFrames() throws {
        let directory = try scratchDirectory()
        defer { removeDirectory(directory) }
        let path = directory.appendingPathComponent("mixed.pcap").path
        let wanted = sampleFrames(count: 3, etherType: 0x88b5)
        let other = sampleFrames(count: 3, etherType: 0x88b6)
        let writer = try PcapWriter(path: path)
        for (index, pair) in zip(wanted, other).enumerated() {
            writer.write(pair.0, timestamp: PcapTimestamp(seconds: Int64(index)))
            writer.write(pair.1, timestamp: PcapTimestamp(seconds: Int64(index), nanoseconds: 500))
        }
        writer.close()

        let reader = try PcapReader(path: path)
        try reader.setFilter("ether proto 0x88b5")
        #expect(try reader.readAll().map(\.data) == wanted)
    }

    @Test func invalidFilterNamesTheExpressionAndLibpcapsComplaint() throws {
        let directory = try scratchDirectory()
        defer { removeDirectory(directory) }
        let path = directory.appendingPathComponent("f.pcap").path
        _ = try writeSamples(to: path, precision: .microseconds)

        let reader = try PcapReader(path: path)
        let error = #expect(throws: PcapError.self) { try reader.setFilter("ether proto and and") }
        #expect(error?.operation == .compileFilter)
        #expect(error?.description.contains("ether proto and and") == true)
        #expect(error?.description.contains("syntax error") == true, "\(String(describing: error))")
    }

    @Test func closedReaderThrowsInsteadOfCrashing() throws {
        let directory = try scratchDirectory()
        defer { removeDirectory(directory) }
        let path = directory.appendingPathComponent("c.pcap").path
        _ = try writeSamples(to: path, precision: .microseconds)

        let reader = try PcapReader(path: path)
        reader.close()
        reader.close()
        #expect(throws: PcapError.self) { try reader.next() }
    }
}
