import Foundation
import Testing
import TestSupport
@testable import Pcap

/// Other tools are the judges of the file format: we read what scapy wrote, and tshark reads
/// what we wrote.
@Suite struct IndependentToolTests {
    /// Written by `tools/fixtures` with scapy.
    @Test func readsNanosecondFixture() throws {
        let path = Fixtures.path("timestamps-ns.pcap")
        try #require(FileManager.default.fileExists(atPath: path), "fixture \(path) is missing")
        let reader = try PcapReader(path: path)
        #expect(reader.linkType == LinkType.ethernet.rawValue)
        let packets = try reader.readAll()
        #expect(packets.map(\.timestamp.description) == [
            "1700000000.123456789", "1700000001.000000001", "1700000002.999999999",
        ])
        #expect(packets.allSatisfy { !$0.data.isEmpty && $0.originalLength == $0.data.count })
    }

    @Test func readsPcapngFixture() throws {
        let path = Fixtures.path("timestamps.pcapng")
        try #require(FileManager.default.fileExists(atPath: path), "fixture \(path) is missing")
        let packets = try PcapReader(path: path).readAll()
        #expect(packets.map(\.timestamp.description) == [
            "1700000000.123456000", "1700000001.000001000", "1700000002.999999000",
        ])
        let micro = try PcapReader(path: path, precision: .microseconds).readAll()
        #expect(micro.map(\.timestamp) == packets.map(\.timestamp))
        #expect(micro.map(\.data) == packets.map(\.data))
    }

    /// Every fixture reads to its end, and tshark agrees on each frame's time and lengths.
    @Test func everyFixtureAgreesWithTshark() throws {
        guard toolTestMayRun(tools: ["tshark"]) else { return }
        let names = try FileManager.default.contentsOfDirectory(atPath: Fixtures.directory.path)
            .filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }
            .sorted()
        try #require(!names.isEmpty, "no fixtures in \(Fixtures.directory.path)")
        for name in names {
            let path = Fixtures.path(name)
            let packets = try PcapReader(path: path).readAll()
            let ours = packets.map { "\($0.timestamp)\t\($0.originalLength)\t\($0.data.count)" }
            #expect(try tsharkFrames(path) == ours, "\(name)")
        }
    }

    /// True when python3 can import scapy; otherwise skips, or fails where CI demands the peer.
    func scapyMayRun(_ test: String = #function, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        let probe = try? Shell.run("python3", ["-c", "import scapy"])
        guard probe?.status != 0 else { return true }
        let lastLine = probe?.stderr.split(separator: "\n").last.map(String.init) ?? "python3 did not start"
        return gate("python3 cannot import scapy: \(lastLine)", test, sourceLocation)
    }

    /// tshark's view of a file: one "time<TAB>length<TAB>captured length" line per frame.
    func tsharkFrames(_ path: String) throws -> [String] {
        let result = try Shell.run("tshark", ["-r", path, "-T", "fields",
                                              "-e", "frame.time_epoch", "-e", "frame.len", "-e", "frame.cap_len"])
        try #require(result.status == 0, "tshark -r \(path) failed: \(result.stderr)")
        return result.stdout.split(separator: "\n").map(String.init)
    }

    /// scapy writes a nanosecond pcap, a microsecond pcap and a pcapng of the same frames.
    @Test func readsWhatScapyWrites() throws {
        guard toolTestMayRun(tools: ["python3"]), scapyMayRun() else { return }
        let directory = try scratchDirectory()
        defer { removeDirectory(directory) }
        // scapy rounds to the microsecond where libpcap truncates; whole microseconds agree.
        let script = """
        import sys
        from scapy.all import Ether, Raw, wrpcap, wrpcapng
        from scapy.utils import EDecimal
        out = sys.argv[1]
        def frames(times):
            result = []
            for index, time in enumerate(times):
                frame = Ether(dst='02:00:00:00:00:02', src='02:00:00:00:00:01', type=0x88b5) / Raw(bytes([index]) * (50 + index))
                frame.time = EDecimal(time)
                result.append(frame)
            return result
        wrpcap(out + '/ns.pcap', frames(['1700000000.123456789', '1700000001.000000001']), nano=True)
        wrpcap(out + '/us.pcap', frames(['1700000000.123456', '1700000001.000001']))
        wrpcapng(out + '/ng.pcapng', frames(['1700000000.123456', '1700000001.000001']))
        """
        let result = try Shell.run("python3", ["-c", script, directory.path])
        try #require(result.status == 0, "scapy failed: \(result.stderr)")

        let expectedData: [[UInt8]] = (0..<2).map { index in
            ethernetFrame(etherType: 0x88b5, payload: [UInt8](repeating: UInt8(index), count: 50 + index))
        }
        let cases: [(String, [String])] = [
            ("ns.pcap", ["1700000000.123456789", "1700000001.000000001"]),
            ("us.pcap", ["1700000000.123456000", "1700000001.000001000"]),
            ("ng.pcapng", ["1700000000.123456000", "1700000001.000001000"]),
        ]
        for (name, times) in cases {
            let packets = try PcapReader(path: directory.appendingPathComponent(name).path).readAll()
            #expect(packets.map(\.data) == expectedData, "\(name)")
            #expect(packets.map(\.timestamp.description) == times, "\(name)")
        }
    }

    /// tshark agrees on every frame's time, length and captured length in files we wrote.
    @Test(arguments: [TimestampPrecision.microseconds, .nanoseconds])
    func tsharkReadsWhatWeWrite(precision: TimestampPrecision) throws {
        guard toolTestMayRun(tools: ["tshark"]) else { return }
        let directory = try scratchDirectory()
        defer { removeDirectory(directory) }
        let path = directory.appendingPathComponent("ours.pcap").path
        let timestamps = RoundTripTests.timestamps
        let frames = sampleFrames(count: timestamps.count)
        let writer = try PcapWriter(path: path, precision: precision, snaplen: 80)
        for (frame, timestamp) in zip(frames, timestamps) { writer.write(frame, timestamp: timestamp) }
        try writer.flush()
        writer.close()

        let expected = zip(frames, timestamps).map { frame, timestamp in
            let time = precision == .nanoseconds ? timestamp : RoundTripTests.truncatedToMicroseconds(timestamp)
            return "\(time)\t\(frame.count)\t\(min(frame.count, 80))"
        }
        #expect(try tsharkFrames(path) == expected)
    }
}
