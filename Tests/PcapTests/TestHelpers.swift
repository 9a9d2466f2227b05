import Foundation
import Testing
import TestSupport
@testable import Pcap

/// True when a privileged test may run. Otherwise it prints why it skips, or, when CI demands
/// privileged tests (`SDN_REQUIRE_PRIVILEGED=1`), records a failure so a skip never passes.
func privilegedTestMayRun(tools: [String] = [], _ test: String = #function,
                          sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
    gate(Privileged.skipReason(needsRoot: true, tools: tools), test, sourceLocation)
}

/// True when an external tool is present. Otherwise as `privilegedTestMayRun`, without root.
func toolTestMayRun(tools: [String], _ test: String = #function,
                    sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
    gate(Privileged.skipReason(needsRoot: false, tools: tools), test, sourceLocation)
}

/// Passes when there is no reason to skip; otherwise skips with the reason, or fails in CI.
func gate(_ skipReason: String?, _ test: String, _ sourceLocation: SourceLocation) -> Bool {
    guard let skipReason else { return true }
    if Privileged.required {
        Issue.record("\(test) must run but cannot: \(skipReason)", sourceLocation: sourceLocation)
    } else {
        print("skipping \(test): \(skipReason)")
    }
    return false
}

/// An Ethernet frame built by hand, so these tests depend on nothing but libpcap.
func ethernetFrame(etherType: UInt16, payload: [UInt8],
                   destination: [UInt8] = [0x02, 0, 0, 0, 0, 0x02],
                   source: [UInt8] = [0x02, 0, 0, 0, 0, 0x01]) -> [UInt8] {
    var frame = destination + source
    frame.append(UInt8(etherType >> 8))
    frame.append(UInt8(etherType & 0xff))
    return frame + payload
}

/// Distinct frames of assorted lengths, each stamped with its index so mix-ups show.
func sampleFrames(count: Int, etherType: UInt16 = 0x88b5) -> [[UInt8]] {
    (0..<count).map { index -> [UInt8] in
        let filler = (0..<(46 + index * 17)).map { (byte: Int) -> UInt8 in UInt8(truncatingIfNeeded: byte &* 7 &+ index) }
        return ethernetFrame(etherType: etherType, payload: [UInt8(index)] + filler)
    }
}

/// Deterministic noise (a linear congruential generator), so a failure reproduces.
func garbageBytes(count: Int, seed: UInt32 = 0x5eed) -> [UInt8] {
    var state = seed
    return (0..<count).map { _ in
        state = state &* 1_664_525 &+ 1_013_904_223
        return UInt8(truncatingIfNeeded: state >> 24)
    }
}

/// A classic little-endian pcap file assembled byte by byte, independent of libpcap's writer,
/// for handing the reader damaged files.
struct PcapFileBuilder {
    var nanosecond = false
    var snaplen: UInt32 = 65535
    var linkType: UInt32 = 1
    var bytes: [UInt8] = []

    init(nanosecond: Bool = false, snaplen: UInt32 = 65535, linkType: UInt32 = 1) {
        self.nanosecond = nanosecond
        self.snaplen = snaplen
        self.linkType = linkType
        append32(nanosecond ? 0xa1b2_3c4d : 0xa1b2_c3d4)
        append16(2); append16(4)          // version 2.4
        append32(0); append32(0)          // thiszone, sigfigs
        append32(snaplen); append32(linkType)
    }

    mutating func append16(_ value: UInt16) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
    mutating func append32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }

    /// Appends a record; `capturedLength` overrides the header's caplen to fake corruption.
    mutating func appendRecord(seconds: UInt32, fraction: UInt32, data: [UInt8],
                               capturedLength: UInt32? = nil, originalLength: UInt32? = nil) {
        append32(seconds); append32(fraction)
        append32(capturedLength ?? UInt32(data.count)); append32(originalLength ?? UInt32(data.count))
        bytes += data
    }

    func write(to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }
}

/// A fresh directory for one test's files; removed by the caller's `defer`.
func scratchDirectory() throws -> URL {
    try Fixtures.temporaryDirectory(prefix: "pcaptests")
}

func removeDirectory(_ url: URL) {
    try? FileManager.default.removeItem(at: url)
}
