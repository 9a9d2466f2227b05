import Foundation
import Glibc
import Testing
import TestSupport
@testable import Pcap

/// A veth pair with names unique to one test, so tests can run side by side.
struct VethPair {
    let near: String
    let far: String

    init() throws {
        let tag = String(format: "%04x", UInt16.random(in: .min ... .max))
        near = "pct\(tag)a"
        far = "pct\(tag)b"
        let created = try Shell.run("ip", ["link", "add", near, "type", "veth", "peer", "name", far])
        guard created.status == 0 else { throw ShellFailure(what: "ip link add \(near)", stderr: created.stderr) }
        // The far end first: the near end (the tests' sender) then comes up with a carrier and
        // its transmit queue is activated at once, not later by the kernel's link watcher.
        for name in [far, near] {
            let up = try Shell.run("ip", ["link", "set", name, "up"])
            guard up.status == 0 else { delete(); throw ShellFailure(what: "ip link set \(name) up", stderr: up.stderr) }
        }
        // And both ends report operstate up (the link watcher has run) before a test uses them.
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline && ![near, far].allSatisfy(Self.isOperationallyUp) {
            usleep(10_000)
        }
    }

    static func isOperationallyUp(_ name: String) -> Bool {
        (try? String(contentsOfFile: "/sys/class/net/\(name)/operstate", encoding: .utf8))?.hasPrefix("up") == true
    }

    /// Deleting one end removes both.
    func delete() {
        _ = try? Shell.run("ip", ["link", "del", near])
    }
}

struct ShellFailure: Error, CustomStringConvertible {
    var what: String
    var stderr: String
    var description: String { "\(what) failed: \(stderr)" }
}

/// Sends whole Ethernet frames out of an interface through an AF_PACKET socket.
struct RawSender {
    let descriptor: Int32
    let interfaceIndex: Int32

    init(interface: String) throws {
        interfaceIndex = Int32(if_nametoindex(interface))
        descriptor = socket(AF_PACKET, Int32(SOCK_RAW.rawValue), 0)
        guard interfaceIndex != 0, descriptor >= 0 else {
            throw ShellFailure(what: "AF_PACKET socket on \(interface)", stderr: String(cString: strerror(errno)))
        }
    }

    func send(_ frame: [UInt8]) throws {
        // struct sockaddr_ll is not imported into Swift: family, protocol, ifindex, then zeros.
        var address = [UInt8](repeating: 0, count: 20)
        withUnsafeBytes(of: UInt16(AF_PACKET)) { address.replaceSubrange(0..<2, with: $0) }
        withUnsafeBytes(of: interfaceIndex) { address.replaceSubrange(4..<8, with: $0) }
        let sent = frame.withUnsafeBytes { bytes in
            address.withUnsafeBytes { raw in
                sendto(descriptor, bytes.baseAddress, bytes.count, 0,
                       raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
            }
        }
        guard sent == frame.count else {
            throw ShellFailure(what: "sendto", stderr: String(cString: strerror(errno)))
        }
    }

    func close() { Glibc.close(descriptor) }
}

@Suite struct LiveCaptureTests {
    /// Frames of the filtered ethertype arrive intact and in order, others are kept out, and
    /// timestamps fall between sending and receiving.
    @Test(arguments: [TimestampPrecision.microseconds, .nanoseconds])
    func filteredCaptureOnVeth(precision: TimestampPrecision) throws {
        guard privilegedTestMayRun(tools: ["ip"]) else { return }
        let veth = try VethPair()
        defer { veth.delete() }

        let capture = try LiveCapture(interface: veth.far, filter: "ether proto 0x88b5", precision: precision)
        defer { capture.close() }
        #expect(capture.linkType == LinkType.ethernet.rawValue)
        #expect(capture.precision == precision)
        #expect(capture.selectableFileDescriptor >= 0)

        let sender = try RawSender(interface: veth.near)
        defer { sender.close() }
        let wanted = sampleFrames(count: 5, etherType: 0x88b5)
        let unwanted = sampleFrames(count: 5, etherType: 0x88b6)
        let before = PcapTimestamp.now
        for (good, bad) in zip(wanted, unwanted) {
            try sender.send(bad)
            try sender.send(good)
        }

        var captured: [PcapPacket] = []
        while captured.count < wanted.count, let packet = try capture.next(timeoutMilliseconds: 2_000) {
            captured.append(packet)
        }
        let after = PcapTimestamp.now
        #expect(captured.map(\.data) == wanted)
        #expect(captured.allSatisfy { $0.originalLength == $0.data.count })
        #expect(captured.allSatisfy { before <= $0.timestamp && $0.timestamp <= after },
                "\(before) … \(after): \(captured.map(\.timestamp))")
        #expect(captured.map(\.timestamp) == captured.map(\.timestamp).sorted())
        #expect(try capture.next(timeoutMilliseconds: 200) == nil, "a frame of another ethertype got through")

        let stats = try capture.statistics()
        #expect(stats.received >= UInt32(wanted.count))
        #expect(stats.dropped == 0)
    }

    /// With nothing arriving, a read returns nil after about its timeout rather than hanging.
    @Test func quietInterfaceTimesOut() throws {
        guard privilegedTestMayRun(tools: ["ip"]) else { return }
        let veth = try VethPair()
        defer { veth.delete() }
        let capture = try LiveCapture(interface: veth.far, filter: "ether proto 0x88b5", immediate: false)

        let clock = ContinuousClock()
        let start = clock.now
        #expect(try capture.next(timeoutMilliseconds: 300) == nil)
        let waited = clock.now - start
        // The upper bound only catches a hang; a starved CI machine may stretch the wait well past 300 ms.
        #expect(waited >= .milliseconds(290) && waited < .seconds(60), "waited \(waited)")
        #expect(try capture.next(timeoutMilliseconds: 0) == nil)

        // Without immediate mode libpcap holds frames for its buffer timeout; they still come.
        let sender = try RawSender(interface: veth.near)
        defer { sender.close() }
        let frame = sampleFrames(count: 1)[0]
        try sender.send(frame)
        #expect(try capture.next(timeoutMilliseconds: 2_000)?.data == frame)

        capture.close()
        capture.close()
        #expect(capture.selectableFileDescriptor == -1)
        #expect(throws: PcapError.self) { try capture.next(timeoutMilliseconds: 0) }
    }

    @Test func filterCanBeReplaced() throws {
        guard privilegedTestMayRun(tools: ["ip"]) else { return }
        let veth = try VethPair()
        defer { veth.delete() }
        let capture = try LiveCapture(interface: veth.far, filter: "ether proto 0x88b5")
        let sender = try RawSender(interface: veth.near)
        defer { sender.close() }

        try capture.setFilter("ether proto 0x88b6")
        let first = sampleFrames(count: 1, etherType: 0x88b5)[0]
        let second = sampleFrames(count: 1, etherType: 0x88b6)[0]
        try sender.send(first)
        try sender.send(second)
        #expect(try capture.next(timeoutMilliseconds: 2_000)?.data == second)
    }

    /// A port whose link goes down keeps its capture: reads time out quietly, and frames flow
    /// again once the link is back up, as a switch port needs.
    @Test func captureSurvivesLinkDownAndUp() throws {
        guard privilegedTestMayRun(tools: ["ip"]) else { return }
        let veth = try VethPair()
        defer { veth.delete() }
        let capture = try LiveCapture(interface: veth.far, filter: "ether proto 0x88b5")
        let sender = try RawSender(interface: veth.near)
        defer { sender.close() }

        try #require(try Shell.run("ip", ["link", "set", veth.far, "down"]).status == 0)
        #expect(try capture.next(timeoutMilliseconds: 200) == nil)
        try #require(try Shell.run("ip", ["link", "set", veth.far, "up"]).status == 0)

        // The sending end transmits again only once the kernel's link watcher has re-activated
        // its queue, which a busy machine may run a second or more after `ip link set up`: a
        // frame sent before that is dropped on the sending side, not lost by the capture. So
        // send until one arrives (each try waits a second), within a bound that catches a
        // capture that never recovers.
        let frame = sampleFrames(count: 1)[0]
        var captured: [UInt8]?
        for _ in 0..<15 where captured == nil {
            try sender.send(frame)
            captured = try capture.next(timeoutMilliseconds: 1_000)?.data
        }
        #expect(captured == frame)
    }

    /// A deleted interface is an error naming it, at once, not a read that never ends.
    @Test func removedInterfaceThrows() throws {
        guard privilegedTestMayRun(tools: ["ip"]) else { return }
        let veth = try VethPair()
        defer { veth.delete() }
        let capture = try LiveCapture(interface: veth.far)
        veth.delete()

        let clock = ContinuousClock()
        let start = clock.now
        let error = #expect(throws: PcapError.self) {
            while try capture.next(timeoutMilliseconds: 1_000) != nil {}  // drain IPv6 chatter
        }
        #expect(clock.now - start < .seconds(3))
        #expect(error?.operation == .readInterface)
        #expect(error?.description.contains(veth.far) == true, "\(String(describing: error))")
    }

    @Test func invalidFilterNamesTheExpression() throws {
        guard privilegedTestMayRun() else { return }
        let error = #expect(throws: PcapError.self) {
            try LiveCapture(interface: "lo", filter: "ether proto nonsense-protocol")
        }
        #expect(error?.operation == .compileFilter)
        #expect(error?.description.contains("'ether proto nonsense-protocol' on lo") == true,
                "\(String(describing: error))")
        #expect(error?.message.isEmpty == false)
    }

    @Test func missingInterfaceIsNamed() throws {
        guard privilegedTestMayRun() else { return }
        let error = #expect(throws: PcapError.self) { try LiveCapture(interface: "pctmissing0") }
        #expect(error?.operation == .openInterface)
        #expect(error?.status == .noSuchDevice)
        #expect(error?.description.contains("pctmissing0") == true, "\(String(describing: error))")
    }
}
