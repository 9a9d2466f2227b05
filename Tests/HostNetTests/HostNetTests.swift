import Foundation
import HostNet
import Synchronization
import Testing
import TestSupport

/// Privileged tests of HostNet against the real kernel. iproute2 (`ip -j …`) is the independent
/// judge of what HostNet did; HostNet's own readers are checked against it, never the reverse.
@Suite("HostNet", .serialized)
struct HostNetTests {
    // MARK: - Namespaces

    @Test func namespaceCreateOpenDelete() throws {
        guard gate() else { return }
        let name = uniqueName("ns")
        defer { cleanupNamespaces(name) }

        #expect(!NetworkNamespace.exists(named: name))
        let created = try NetworkNamespace.create(named: name)
        #expect(created.name == name)
        #expect(created.fileDescriptor >= 0)
        #expect(NetworkNamespace.exists(named: name))
        #expect(try namespaceList().contains(name))

        // iproute2 can enter it, and it is a fresh namespace: only a down loopback.
        let links = try ipJSON(["link", "show"], in: name)
        #expect(links.compactMap { $0["ifname"] as? String } == ["lo"])

        // It really is another namespace, and `run` leaves the caller where it was.
        let here = try namespaceIdentity()
        let inside = try created.run { try namespaceIdentity() }
        #expect(inside != here)
        #expect(try namespaceIdentity() == here)
        let opened = try NetworkNamespace.open(named: name)
        #expect(try opened.run { try namespaceIdentity() } == inside)

        let again = #expect(throws: HostNetError.self) { try NetworkNamespace.create(named: name) }
        #expect(again?.description == "create namespace \(name): File exists")

        try NetworkNamespace.delete(named: name)
        #expect(!NetworkNamespace.exists(named: name))
        #expect(try !namespaceList().contains(name))
        let reopen = #expect(throws: HostNetError.self) { try NetworkNamespace.open(named: name) }
        #expect(reopen?.description == "open namespace \(name): No such file or directory")
        #expect(throws: HostNetError.self) { try NetworkNamespace.delete(named: name) }
    }

    @Test func namespaceNamesThatWouldEscapeTheDirectoryAreRefused() {
        for bad in ["", ".", "..", "a/b", "../etc"] {
            #expect(throws: HostNetError.self) { try NetworkNamespace.create(named: bad) }
            #expect(!NetworkNamespace.exists(named: bad))
        }
    }

    @Test func runPropagatesTheBodysErrorAndResult() throws {
        guard gate() else { return }
        let name = uniqueName("ns")
        defer { cleanupNamespaces(name) }
        let ns = try NetworkNamespace.create(named: name)
        struct Marker: Error {}
        #expect(throws: Marker.self) { try ns.run { throw Marker() } }
        #expect(try ns.run { 42 } == 42)
    }

    @Test func namespaceMadeByIproute2IsUsable() throws {
        guard gate() else { return }
        let name = uniqueName("ip")
        defer { cleanupNamespaces(name) }
        let added = try Shell.run("ip", ["netns", "add", name])
        try #require(added.status == 0, "ip netns add: \(added.stderr)")
        #expect(NetworkNamespace.exists(named: name))
        let ns = try NetworkNamespace.open(named: name)
        #expect(try RouteNetlink(namespace: ns).links().map(\.name) == ["lo"])
        try NetworkNamespace.delete(named: name)
        #expect(try !namespaceList().contains(name))
    }

    @Test func concurrentUseKeepsEveryCallerInItsOwnNamespace() throws {
        guard gate() else { return }
        let name = uniqueName("cc")
        defer { cleanupNamespaces(name) }
        let ns = try NetworkNamespace.create(named: name)
        let net = try RouteNetlink(namespace: ns)
        let here = try namespaceIdentity()
        let inside = try ns.run { try namespaceIdentity() }
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 32) { i in
            do {
                let seen = try ns.run { try namespaceIdentity() }
                if seen != inside { failures.withLock { $0.append("run \(i) saw \(seen)") } }
                if try net.links().map(\.name) != ["lo"] { failures.withLock { $0.append("links \(i)") } }
                let after = try namespaceIdentity()
                if after != here { failures.withLock { $0.append("caller \(i) left in \(after)") } }
            } catch {
                failures.withLock { $0.append("\(i): \(error)") }
            }
        }
        #expect(failures.withLock { $0 } == [])
    }

    // MARK: - Links

    @Test func vethWithPeerCreatedInAnotherNamespace() throws {
        guard gate() else { return }
        let tag = uniqueName("")
        let nsName = tag + "ns", host = tag + "h", peer = tag + "p"
        defer { cleanupLinks(host); cleanupNamespaces(nsName) }

        let ns = try NetworkNamespace.create(named: nsName)
        let net = try RouteNetlink()
        try net.createVeth(host, peer: peer, peerNamespace: ns)

        let hostLink = try #require(try ipJSON(["-d", "link", "show", "dev", host]).first)
        #expect(linkKind(hostLink) == "veth")
        #expect(try Shell.run("ip", ["link", "show", "dev", peer]).status != 0, "peer must not be here")
        let peerLink = try #require(try ipJSON(["-d", "link", "show", "dev", peer], in: nsName).first)
        #expect(linkKind(peerLink) == "veth")

        // Our reader agrees with iproute2 on both sides.
        let ours = try #require(try net.link(named: host))
        #expect(ours.kind == "veth")
        #expect(Int(ours.index) == hostLink["ifindex"] as? Int)
        #expect(ours.mac == hostLink["address"] as? String)
        #expect(try net.links().contains { $0.name == host })
        let inside = try RouteNetlink(namespace: ns)
        #expect(try inside.link(named: peer)?.kind == "veth")
        #expect(try inside.links().map(\.name).sorted() == ["lo", peer].sorted())

        let taken = #expect(throws: HostNetError.self) {
            try net.createVeth(host, peer: tag + "q", peerNamespace: ns)
        }
        #expect(taken?.reason == "File exists")
    }

    @Test func setMACMTUUpRenameMoveDelete() throws {
        guard gate() else { return }
        let tag = uniqueName("")
        let nsName = tag + "a", otherName = tag + "b"
        let a = tag + "x", b = tag + "y", renamed = tag + "z"
        defer { cleanupNamespaces(nsName, otherName) }
        let ns = try NetworkNamespace.create(named: nsName)
        let other = try NetworkNamespace.create(named: otherName)
        let net = try RouteNetlink(namespace: ns)
        try net.createVeth(a, peer: b)

        try net.setMAC(a, "02:42:ac:11:00:0a")
        try net.setMTU(a, 1400)
        try net.setUp(a)
        var shown = try #require(try ipJSON(["link", "show", "dev", a], in: nsName).first)
        #expect(shown["address"] as? String == "02:42:ac:11:00:0a")
        #expect(shown["mtu"] as? Int == 1400)
        #expect(flags(shown).contains("UP"))
        #expect(!flags(shown).contains("LOWER_UP"), "peer is down, so no carrier")

        var ours = try #require(try net.link(named: a))
        #expect(ours.mac == "02:42:ac:11:00:0a")
        #expect(ours.mtu == 1400)
        #expect(ours.isUp && !ours.hasCarrier)

        try net.setUp(b)
        ours = try #require(try net.link(named: a))
        #expect(ours.hasCarrier)
        shown = try #require(try ipJSON(["link", "show", "dev", a], in: nsName).first)
        #expect(flags(shown).contains("LOWER_UP"))

        try net.setUp(a, false)
        shown = try #require(try ipJSON(["link", "show", "dev", a], in: nsName).first)
        #expect(!flags(shown).contains("UP"))
        #expect(try net.link(named: a)?.isUp == false)

        try net.setUp(b, false)
        try net.rename(b, to: renamed)
        #expect(try net.link(named: b) == nil)
        #expect(try ipJSON(["link", "show", "dev", renamed], in: nsName).count == 1)

        try net.moveToNamespace(renamed, other)
        #expect(try net.link(named: renamed) == nil)
        #expect(try ipJSON(["link", "show", "dev", renamed], in: otherName).count == 1)

        try net.deleteLink(a)
        #expect(try net.link(named: a) == nil)
        #expect(try ipJSON(["link", "show"], in: otherName).compactMap { $0["ifname"] as? String } == ["lo"],
                "deleting one end of a veth removes its peer too")
    }

    // MARK: - Addresses and routes

    @Test func addressesInsideANamespace() throws {
        guard gate() else { return }
        let tag = uniqueName("")
        let nsName = tag + "ns", a = tag + "a", b = tag + "b"
        defer { cleanupNamespaces(nsName) }
        let ns = try NetworkNamespace.create(named: nsName)
        let net = try RouteNetlink(namespace: ns)
        try net.createVeth(a, peer: b)
        try net.setUp(a)
        let v4 = "10.\(octet()).\(octet()).1"
        try net.addAddress(a, "\(v4)/24")
        try net.addAddress(a, "2001:db8::1/64")

        let info = try #require(try ipJSON(["addr", "show", "dev", a], in: nsName).first)
        let addrs = try #require(info["addr_info"] as? [[String: Any]])
        let ipv4 = try #require(addrs.first { $0["local"] as? String == v4 })
        #expect(ipv4["prefixlen"] as? Int == 24)
        #expect(ipv4["family"] as? String == "inet")
        let ipv6 = try #require(addrs.first { $0["local"] as? String == "2001:db8::1" })
        #expect(ipv6["prefixlen"] as? Int == 64)
        #expect(ipv6["nodad"] as? Bool == true)
        #expect(ipv6["tentative"] == nil, "IFA_F_NODAD makes the address usable at once")

        let ours = try net.addresses(a)
        #expect(ours.contains("\(v4)/24"))
        #expect(ours.contains("2001:db8::1/64"))
        #expect(try net.addresses(b).isEmpty)

        let duplicate = #expect(throws: HostNetError.self) { try net.addAddress(a, "\(v4)/24") }
        #expect(duplicate?.reason == "File exists")
        let bad = #expect(throws: HostNetError.self) { try net.addAddress(a, "10.0.0.300/24") }
        #expect(bad?.description.contains("10.0.0.300/24") == true)
        #expect(throws: HostNetError.self) { try net.addAddress(a, "10.0.0.1/33") }
    }

    @Test func defaultRoute() throws {
        guard gate() else { return }
        let tag = uniqueName("")
        let nsName = tag + "ns", a = tag + "a", b = tag + "b"
        defer { cleanupNamespaces(nsName) }
        let ns = try NetworkNamespace.create(named: nsName)
        let net = try RouteNetlink(namespace: ns)
        try net.createVeth(a, peer: b)

        // Nothing connected yet: the kernel's reason comes through, not libnl's "Unspecific failure".
        let unreachable = #expect(throws: HostNetError.self) { try net.addDefaultRoute(via: "192.0.2.1") }
        #expect(unreachable?.description == "add default route via 192.0.2.1: Network is unreachable")

        try net.setUp(a)
        try net.addAddress(a, "192.0.2.10/24")
        try net.addAddress(a, "2001:db8:1::10/64")
        try net.addDefaultRoute(via: "192.0.2.1")
        try net.addDefaultRoute(via: "2001:db8:1::1")

        let v4 = try #require(try ipJSON(["route", "show", "default"], in: nsName).first)
        #expect(v4["gateway"] as? String == "192.0.2.1")
        #expect(v4["dev"] as? String == a)
        let v6 = try #require(try ipJSON(["-6", "route", "show", "default"], in: nsName).first)
        #expect(v6["gateway"] as? String == "2001:db8:1::1")

        let twice = #expect(throws: HostNetError.self) { try net.addDefaultRoute(via: "192.0.2.1") }
        #expect(twice?.reason == "File exists")
    }

    // MARK: - End to end

    @Test func twoNamespacesPingOverAVethConfiguredByHostNet() throws {
        guard gate(tools: ["ip", "ping"]) else { return }
        let tag = uniqueName("")
        let nameA = tag + "a", nameB = tag + "b"
        defer { cleanupNamespaces(nameA, nameB) }
        let nsA = try NetworkNamespace.create(named: nameA)
        let nsB = try NetworkNamespace.create(named: nameB)
        let netA = try RouteNetlink(namespace: nsA)
        let netB = try RouteNetlink(namespace: nsB)
        let endA = tag + "ea", endB = tag + "eb"
        try netA.createVeth(endA, peer: endB, peerNamespace: nsB)
        let subnet = "10.\(octet()).\(octet())"
        try netA.addAddress(endA, "\(subnet).1/24")
        try netB.addAddress(endB, "\(subnet).2/24")
        for (net, link) in [(netA, endA), (netB, endB)] {
            try net.setUp("lo")
            try net.setUp(link)
        }

        let ping = try Shell.run("ip", ["netns", "exec", nameA, "ping", "-c", "1", "-W", "2", "\(subnet).2"])
        #expect(ping.status == 0, "ping failed: \(ping.stdout)\(ping.stderr)")
    }

    // MARK: - Events

    @Test func linkMonitorSeesCarrierAndUpDownWithinOneSecond() throws {
        guard gate() else { return }
        let tag = uniqueName("")
        let nsName = tag + "ns", a = tag + "a", b = tag + "b"
        defer { cleanupNamespaces(nsName) }
        let ns = try NetworkNamespace.create(named: nsName)
        let net = try RouteNetlink(namespace: ns)
        try net.createVeth(a, peer: b)
        try net.setUp(a)

        let monitor = try LinkMonitor(namespace: ns)
        #expect(monitor.fileDescriptor >= 0)
        #expect(try monitor.drainEvents().isEmpty, "nothing changed since subscribing")
        let events = EventWaiter(monitor)

        try net.setUp(b)  // gives `a` its carrier
        let carrier = try events.wait(within: 1.0) { $0.name == a && $0.isUp && $0.hasCarrier }
        #expect(carrier != nil, "no carrier-up event for \(a) within 1 s")

        try events.forget()
        try net.setUp(b, false)
        let lost = try events.wait(within: 1.0) { $0.name == a && !$0.hasCarrier }
        #expect(lost != nil, "no carrier-down event for \(a) within 1 s")
        let down = try events.wait(within: 1.0) { $0.name == b && !$0.isUp }
        #expect(down != nil, "no admin-down event for \(b) within 1 s")

        try events.forget()
        try net.deleteLink(a)
        let gone = try events.wait(within: 1.0) { $0.name == a && $0.isDeleted }
        #expect(gone != nil, "no removal event for \(a) within 1 s")
    }

    // MARK: - Links inside namespaces, read repeatedly

    @Test func namespacedLinkReaderKeepsOneSocketAndFollowsTheNamespaceBehindTheName() throws {
        guard gate() else { return }
        let name = uniqueName("ns")
        let link = uniqueName("v")
        defer { cleanupNamespaces(name) }
        func makeNamespace(mtu: Int) throws {
            _ = try NetworkNamespace.create(named: name)
            let added = try Shell.run("ip", ["-n", name, "link", "add", link, "mtu", String(mtu), "type", "veth", "peer", "name", link + "p"])
            try #require(added.status == 0, "ip link add: \(added.stderr)")
        }
        // Only descriptors on this test's own namespace are counted: the process-wide count
        // moves whenever a test running in parallel opens or closes a file.
        func identity(_ path: String) -> (dev: UInt64, ino: UInt64)? {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }  // follows /proc/self/fd links
            return (UInt64(info.st_dev), UInt64(info.st_ino))
        }
        func descriptors(onNamespace namespace: (dev: UInt64, ino: UInt64)) -> Int {
            let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
            return fds.filter { identity("/proc/self/fd/" + $0).map { $0 == namespace } ?? false }.count
        }

        try makeNamespace(mtu: 1400)
        let namespace = try #require(identity("/run/netns/" + name))
        #expect(descriptors(onNamespace: namespace) == 0)
        let reader = NamespacedLinkReader()
        #expect(reader.link(named: link, inNamespace: name)?.mtu == 1400)
        #expect(reader.openSockets == 1)
        // The reader holds the namespace open for its socket; further reads reuse both: no
        // descriptor (nor thread) per read.
        #expect(descriptors(onNamespace: namespace) == 1)
        for _ in 0..<50 { #expect(reader.link(named: link, inNamespace: name)?.mtu == 1400) }
        #expect(descriptors(onNamespace: namespace) == 1)
        #expect(reader.link(named: uniqueName("x"), inNamespace: name) == nil)

        // Deleted: the socket goes with it (it would otherwise keep the namespace alive).
        try NetworkNamespace.delete(named: name)
        #expect(reader.link(named: link, inNamespace: name) == nil)
        #expect(reader.openSockets == 0)
        #expect(descriptors(onNamespace: namespace) == 0)

        // A new namespace under the same name is read, not the old one.
        try makeNamespace(mtu: 1300)
        #expect(reader.link(named: link, inNamespace: name)?.mtu == 1300)
        reader.keep(only: [])
        #expect(reader.openSockets == 0)
    }

    // MARK: - Errors

    @Test func errorsNameTheSubjectAndTheReason() throws {
        guard gate() else { return }
        let net = try RouteNetlink()
        let missing = uniqueName("none")
        let error = #expect(throws: HostNetError.self) { try net.setUp(missing) }
        #expect(error?.description == "set link up \(missing): No such device")
        #expect(error?.operation == "set link up")
        #expect(error?.subject == missing)
        #expect(try net.link(named: missing) == nil)

        #expect(throws: HostNetError.self) { try net.setMTU(missing, 1400) }
        #expect(throws: HostNetError.self) { try net.deleteLink(missing) }
        #expect(throws: HostNetError.self) { try net.addresses(missing) }

        let long = #expect(throws: HostNetError.self) { try net.createVeth("hn-way-too-long-name", peer: "hnp") }
        #expect(long?.reason.contains("longer than 15") == true)
        let mac = #expect(throws: HostNetError.self) { try net.setMAC("lo", "not-a-mac") }
        #expect(mac?.description.contains("not-a-mac") == true)

        let nsName = uniqueName("ns")
        defer { cleanupNamespaces(nsName) }
        _ = try NetworkNamespace.create(named: nsName)
        let exists = #expect(throws: HostNetError.self) { try NetworkNamespace.create(named: nsName) }
        #expect(exists?.description == "create namespace \(nsName): File exists")
        #expect(NetworkNamespace.exists(named: nsName), "a failed create must not remove the existing one")
    }
}

// MARK: - Helpers

/// Whether a privileged test may run; records a failure instead of skipping when CI requires it.
private func gate(tools: [String] = ["ip"]) -> Bool {
    guard let reason = Privileged.skipReason(needsRoot: true, tools: tools) else { return true }
    if Privileged.required {
        Issue.record("privileged HostNet test cannot run: \(reason)")
    } else {
        print("skip: HostNet privileged test: \(reason)")
    }
    return false
}

/// "hn" + 4 random hex digits + suffix; callers keep the result within 15 bytes.
private func uniqueName(_ suffix: String) -> String {
    "hn" + String(format: "%04x", UInt16.random(in: .min ... .max)) + suffix
}

private func octet() -> Int { Int.random(in: 1...254) }

/// Removes namespaces with iproute2, so cleanup does not depend on the code under test.
private func cleanupNamespaces(_ names: String...) {
    for name in names { _ = try? Shell.run("ip", ["netns", "del", name]) }
}

private func cleanupLinks(_ names: String...) {
    for name in names { _ = try? Shell.run("ip", ["link", "del", name]) }
}

private struct CommandFailed: Error, CustomStringConvertible {
    var description: String
}

/// `ip -j ARGS` (inside `namespace` when given), parsed as the JSON array iproute2 prints.
private func ipJSON(_ arguments: [String], in namespace: String? = nil) throws -> [[String: Any]] {
    let full = (namespace.map { ["netns", "exec", $0, "ip"] } ?? []) + ["-j"] + arguments
    let result = try Shell.run("ip", full)
    guard result.status == 0 else {
        throw CommandFailed(description: "ip \(full.joined(separator: " ")): \(result.stderr)")
    }
    let text = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    if text.isEmpty { return [] }
    guard let array = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [Any] else {
        throw CommandFailed(description: "ip \(full.joined(separator: " ")): not a JSON array: \(text)")
    }
    // `ip addr` prints an empty object for links it filtered out.
    return array.compactMap { $0 as? [String: Any] }.filter { !$0.isEmpty }
}

private func flags(_ link: [String: Any]) -> [String] { link["flags"] as? [String] ?? [] }

private func linkKind(_ link: [String: Any]) -> String? {
    (link["linkinfo"] as? [String: Any])?["info_kind"] as? String
}

private func namespaceList() throws -> [String] {
    try Shell.run("ip", ["netns", "list"]).stdout
        .split(separator: "\n")
        .map { String($0.split(separator: " ").first ?? "") }
}

/// The calling thread's network namespace identity (`net:[inode]`).
@Sendable private func namespaceIdentity() throws -> String {
    try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self/ns/net")
}

/// Collects a monitor's events so that several expectations can look at one change's events.
private final class EventWaiter {
    let monitor: LinkMonitor
    var seen: [LinkInfo] = []

    init(_ monitor: LinkMonitor) { self.monitor = monitor }

    /// Drops everything reported so far, before making the next change.
    func forget() throws {
        _ = try monitor.drainEvents()
        seen.removeAll()
    }

    /// Polls the monitor's descriptor until a matching event arrives or time runs out.
    func wait(within seconds: Double, _ predicate: (LinkInfo) -> Bool) throws -> LinkInfo? {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            seen += try monitor.drainEvents()
            if let hit = seen.first(where: predicate) { return hit }
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { return nil }
            var descriptor = pollfd(fd: monitor.fileDescriptor, events: Int16(POLLIN), revents: 0)
            _ = poll(&descriptor, 1, Int32(max(1, remaining * 1000)))
        }
    }
}
