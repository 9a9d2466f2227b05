import Foundation
import Testing
import TestSupport
@testable import Pcap

/// Damaged or missing files give a `PcapError`, never a crash, and keep what came before.
@Suite struct BadInputTests {
    static let frames = sampleFrames(count: 3)

    static func validFile(nanosecond: Bool = false) -> PcapFileBuilder {
        var file = PcapFileBuilder(nanosecond: nanosecond)
        for (index, frame) in frames.enumerated() {
            file.appendRecord(seconds: 1_700_000_000 + UInt32(index), fraction: 42, data: frame)
        }
        return file
    }

    @Test func handBuiltFileReads() throws {
        let directory = try scratchDirectory()
        defer { removeDirectory(directory) }
        let path = directory.appendingPathComponent("ok.pcap").path
        try Self.validFile(nanosecond: true).write(to: path)

        let packets = try PcapReader(path: path).readAll()
        #expect(packets.map(\.data) == Self.frames)
        #expect(packets.first?.timestamp == PcapTimestamp(seconds: 1_700_000_000, nanoseconds: 42))
    }

    @Test func missingFileNamesThePath() throws {
        let path = "/nonexistent-\(UUID().uuidString)/capture.pcap"
        let error = #expect(throws: PcapError.self) { try PcapReader(path: path) }
        #expect(error?.operation == .openFile)
        #expect(error?.subject == path)
        #expect(error?.description.contains(path) == true)
        #expect(error?.description.contains("No such file") == true, "\(String(describing: error))")
    }

    /// Files libpcap must refuse at open; named cases so a failure says which.
    enum UnreadableFile: String, CaseIterable, Sendable {
        case garbage, empty, shortHeader, badVersion

        var bytes: [UInt8] {
            switch self {
            case .garbage: garbageBytes(count: 4096)
            case .empty: []
            case .shortHeader: Array(PcapFileBuilder().bytes.prefix(10))
            case .badVersion:
                { var header = PcapFileBuilder().bytes; header[4] = 0x77; return header }()
            }
        }
    }

    @Test(arguments: UnreadableFile.allCases)
    func unreadableFileThrowsOnOpen(file: UnreadableFile) throws {
        let directory = try scratchDirectory()
        defer { removeDirectory(directory) }
        let path = directory.appendingPathComponent("bad.pcap").path
        try Data(file.bytes).write(to: URL(fileURLWithPath: path))

        let error = #expect(throws: PcapError.self) { try PcapReader(path: path) }
        #expect(error?.operation == .openFile)
        #expect(error?.message.isEmpty == false)
    }

    @Test func recordCutInHalfKeepsEarlierFramesThenThrows() throws {
        let directory = try scratchDirectory()
        defer { removeDirectory(directory) }
        let path = directory.appendingPathComponent("cut.pcap").path
        let whole = Self.validFile().bytes
        let lastRecordSize = 16 + Self.frames[2].count
        try Data(whole.dropLast(lastRecordSize / 2)).write(to: URL(fileURLWithPath: path))

        let reader = try PcapReader(path: path)
        #expect(try reader.next()?.data == Self.frames[0])
        #expect(try reader.next()?.data == Self.frames[1])
        let error = #expect(throws: PcapError.self) { try reader.next() }
        #expect(error?.operation == .readFile)
        #expect(error?.message.contains("truncated") == true, "\(String(describing: error))")
    }

    @Test func recordHeaderCutShortThrows() throws {
        let directory = try scratchDirectory()
        defer { removeDirectory(directory) }
        let path = directory.appendingPathComponent("cut-header.pcap").path
        var file = Self.validFile()
        file.bytes += [0x01, 0x02, 0x03, 0x04, 0x05]  // five bytes of a sixteen-byte record header
        try file.write(to: path)

        let reader = try PcapReader(path: path)
        #expect(throws: PcapError.self) { try reader.readAll() }
    }

    @Test func absurdCapturedLengthThrows() throws {
        let directory = try scratchDirectory()
        defer { removeDirectory(directory) }
        let path = directory.appendingPathComponent("huge.pcap").path
        var file = Self.validFile()
        file.appendRecord(seconds: 1, fraction: 0, data: [1, 2, 3], capturedLength: 0xffff_fff0)
        try file.write(to: path)

        let reader = try PcapReader(path: path)
        for frame in Self.frames { #expect(try reader.next()?.data == frame) }
        #expect(throws: PcapError.self) { try reader.next() }
    }

    /// Every prefix of a valid file, and the file with each of `flipping` bytes inverted, opens
    /// or throws, reads or throws: no crash, no hang, never more frame bytes than the file has.
    func survivesDamage(to whole: [UInt8], flipping: Range<Int>, in directory: URL) throws {
        var variants: [[UInt8]] = (0..<whole.count).map { Array(whole.prefix($0)) }
        for index in flipping.clamped(to: 0..<whole.count) {
            var flipped = whole
            flipped[index] ^= 0xff
            variants.append(flipped)
        }
        for (number, bytes) in variants.enumerated() {
            let path = directory.appendingPathComponent("v\(number)").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            guard let reader = try? PcapReader(path: path) else { continue }
            var total = 0
            var records = 0
            while let packet = try? reader.next() {
                total += packet.data.count
                records += 1
                #expect(total <= bytes.count, "variant \(number)")
                if records > bytes.count { Issue.record("variant \(number) never ends"); break }
            }
        }
    }

    @Test func damagedPcapIsSurvived() throws {
        let directory = try scratchDirectory()
        defer { removeDirectory(directory) }
        // The file header and the first record header are where a flipped byte matters.
        try survivesDamage(to: Self.validFile().bytes, flipping: 0..<(24 + 16 + 4), in: directory)
    }

    @Test func damagedPcapngIsSurvived() throws {
        let path = Fixtures.path("timestamps.pcapng")
        try #require(FileManager.default.fileExists(atPath: path), "fixture \(path) is missing")
        let directory = try scratchDirectory()
        defer { removeDirectory(directory) }
        let whole = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        // pcapng is all block headers and options: flip every byte.
        try survivesDamage(to: whole, flipping: 0..<whole.count, in: directory)
    }

    @Test func writerIntoMissingDirectoryThrows() throws {
        let path = "/nonexistent-\(UUID().uuidString)/out.pcap"
        let error = #expect(throws: PcapError.self) { try PcapWriter(path: path) }
        #expect(error?.operation == .createDumpFile)
        #expect(error?.description.contains(path) == true)
        #expect(error?.description.contains("No such file") == true, "\(String(describing: error))")
    }

    @Test func writeFailureSurfacesAtFlush() throws {
        let writer = try PcapWriter(path: "/dev/full")
        writer.write(sampleFrames(count: 1)[0], timestamp: .now)
        let error = #expect(throws: PcapError.self) { try writer.flush() }
        #expect(error?.operation == .writeFile)
        #expect(error?.description.contains("No space left") == true, "\(String(describing: error))")
        writer.close()
    }
}
