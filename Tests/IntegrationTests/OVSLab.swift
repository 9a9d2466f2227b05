import Foundation
import Testing
import TestSupport

// Helpers of the controller interop tests (ControllerInteropTests.swift): a private Open vSwitch
// (ovsdb-server + ovs-vswitchd, userspace datapath) in the lab's directory, the built
// `sdn-controller` on a loopback port, and parsers for what both print.

/// Tools the Open vSwitch tests need (besides `namespaceTools`).
let ovsTools = ["ovs-vsctl", "ovs-vswitchd", "ovsdb-server", "ovs-ofctl", "ping", "ovsdb-tool", "ovs-appctl", "env", "bash"]

/// `0x00000000000000a1`: how sdn-controller prints a datapath id.
func formatDPID(_ dpid: UInt64) -> String { String(format: "0x%016llx", dpid) }

/// A datapath id owned by this lab (its prefix's 4 hex digits, then `n`), so two runs never share one.
extension Lab {
    func datapathID(_ n: UInt8) -> UInt64 {
        0x5D00_0000_0000_0000 | UInt64(UInt16(prefix.dropFirst(2), radix: 16) ?? 0) << 8 | UInt64(n)
    }
}

// MARK: - Open vSwitch

/// One private Open vSwitch: its database, `ovsdb-server` and `ovs-vswitchd` live in
/// `LAB/ovs`, found by every OVS tool through OVS_RUNDIR/OVS_DBDIR/OVS_LOGDIR/OVS_SYSCONFDIR.
///
/// `start()` runs ovsdb-tool create, ovsdb-server --detach (pidfile, own unixctl socket),
/// `ovs-vsctl --no-wait init` and ovs-vswitchd --detach (pidfile, own unixctl socket).
/// `stop()` (call it in `defer`, after the lab's `cleanup` is deferred, so it runs first) asks
/// ovs-vswitchd to `exit --cleanup` through its own unixctl socket (removing its datapath and
/// TAPs), kills ovsdb-server by its pidfile's PID (SIGKILL after 5 s, for either daemon),
/// deletes the `ovs-netdev` TAP the userspace datapath made if it is left, and the namespace.
///
/// Both daemons run in a network namespace of their own (`namespace`, the lab's prefix +
/// "ovs"): the userspace datapath always names its TAP `ovs-netdev`, so a second userspace
/// Open vSwitch in the same namespace cannot open its datapath ("creating tap device failed:
/// Device or resource busy", then every bridge fails) — and another one may be running on this
/// machine. So the TAP ports OVS creates appear in that namespace (tests move them on into the
/// hosts' namespaces), and a controller for this OVS runs there too, on that namespace's
/// loopback. The OVS tools talk to the daemons over unix sockets, from anywhere.
///
/// Every OVS tool runs through `env --default-signal`: a process started from a test thread
/// inherits its signal mask with SIGTERM blocked, and a daemon that cannot be ended by SIGTERM
/// would only go with SIGKILL.
final class OVSLab {
    let lab: Lab
    let directory: String
    let namespace: String
    private(set) var ovsdbPID: Int32?
    private(set) var vswitchdPID: Int32?
    private var namespaceMade = false
    static let schema = "/usr/share/openvswitch/vswitch.ovsschema"

    init(_ lab: Lab) throws {
        self.lab = lab
        directory = lab.path("ovs")
        namespace = lab.name("ovs")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    var database: String { "\(directory)/conf.db" }
    var dbSocket: String { "\(directory)/db.sock" }
    var vswitchdControl: String { "\(directory)/ovs-vswitchd.ctl" }
    var environment: [String] { ["OVS_RUNDIR", "OVS_DBDIR", "OVS_LOGDIR", "OVS_SYSCONFDIR"].map { "\($0)=\(directory)" } }

    /// Runs an OVS tool with the private environment, under `timeout(1)`.
    @discardableResult
    func tool(_ program: String, _ arguments: [String], timeout seconds: Int = 20) throws -> ShellResult {
        try lab.run("env", ["--default-signal"] + environment + [Shell.which(program) ?? program] + arguments, timeout: seconds)
    }

    /// Runs an OVS tool that must succeed; its stdout.
    @discardableResult
    func must(_ program: String, _ arguments: [String], timeout seconds: Int = 20) throws -> String {
        let r = try tool(program, arguments, timeout: seconds)
        guard r.status == 0 else {
            throw LabError("\(program) \(arguments.joined(separator: " ")) failed with status \(r.status):\n\(r.stderr)\(r.stdout)\n\(logTail())")
        }
        return r.stdout
    }

    func start() throws {
        try lab.mustRun("ip", ["netns", "add", namespace])
        namespaceMade = true
        try lab.mustExec(namespace, "ip", ["link", "set", "lo", "up"])
        try must("ovsdb-tool", ["create", database, Self.schema])
        try daemon("ovsdb-server", [database, "--remote=punix:\(dbSocket)", "--pidfile=\(directory)/ovsdb-server.pid",
                                    "--unixctl=\(directory)/ovsdb-server.ctl", "--log-file=\(directory)/ovsdb-server.log"])
        ovsdbPID = try Self.readPID("\(directory)/ovsdb-server.pid")
        try vsctl(["--no-wait", "init"])
        try daemon("ovs-vswitchd", ["unix:\(dbSocket)", "--pidfile=\(directory)/ovs-vswitchd.pid",
                                    "--unixctl=\(vswitchdControl)", "--log-file=\(directory)/ovs-vswitchd.log"])
        vswitchdPID = try Self.readPID("\(directory)/ovs-vswitchd.pid")
    }

    /// Starts `program ARGS… -vconsole:off --detach` in `namespace` and returns once its parent
    /// process has exited (OVS's parent waits until the daemon is ready). The daemon must not
    /// keep any descriptor of the test process: it would hold a pipe someone reads to its end
    /// (the very `Shell.run` that starts it hangs otherwise), so a bash wrapper closes every fd
    /// above 2 and sends the output to DIR/PROGRAM.start.
    func daemon(_ program: String, _ arguments: [String]) throws {
        let output = "\(directory)/\(program).start"
        let script = #"for f in /proc/self/fd/*; do n=${f##*/}; [ "$n" -gt 2 ] 2>/dev/null && eval "exec $n>&-" 2>/dev/null; done; "#
            + #"exec "$@" </dev/null >>"\#(output)" 2>&1"#
        let command = [Shell.which("ip") ?? "ip", "netns", "exec", namespace, "env", "--default-signal"] + environment
            + [Shell.which(program) ?? program] + arguments + ["-vconsole:off", "--detach"]
        let r = try lab.run("bash", ["-c", script, "bash"] + command, timeout: 30)
        guard r.status == 0 else {
            let said = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            throw LabError("\(program) --detach failed with status \(r.status): \(said)\(r.stderr)")
        }
    }

    /// Stops both daemons (by their own control socket and PIDs), removes the datapath's TAP
    /// and the namespace. Safe after a partial `start()`, and more than once.
    func stop() {
        let started = Date()
        defer {
            let took = Date().timeIntervalSince(started)
            if took > 3 { print("OVSLab: stopping Open vSwitch took \(String(format: "%.1f", took)) s") }
        }
        if let pid = vswitchdPID {
            _ = try? tool("ovs-appctl", ["-t", vswitchdControl, "exit", "--cleanup"], timeout: 10)
            if Self.end(pid, name: "ovs-vswitchd") { print("OVSLab: ovs-vswitchd \(pid) ignored exit --cleanup and was killed") }
            vswitchdPID = nil
        }
        if let pid = ovsdbPID {
            if Self.end(pid, name: "ovsdb-server", signal: SIGTERM) { print("OVSLab: ovsdb-server \(pid) ignored SIGTERM and was killed") }
            ovsdbPID = nil
        }
        if namespaceMade {
            // `exit --cleanup` removes it; if the daemon had to be killed it is still there.
            if lab.linkExists("ovs-netdev", in: namespace) { _ = try? lab.exec(namespace, "ip", ["link", "del", "ovs-netdev"]) }
            _ = try? lab.run("ip", ["netns", "del", namespace])
            namespaceMade = false
        }
    }

    /// The last lines of ovs-vswitchd's log, for failure messages.
    func logTail(_ lines: Int = 15) -> String {
        let log = (try? String(contentsOfFile: "\(directory)/ovs-vswitchd.log", encoding: .utf8)) ?? ""
        return "ovs-vswitchd.log (tail):\n" + log.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    // MARK: Processes by PID

    static func readPID(_ file: String) throws -> Int32 {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8),
              let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0 else {
            throw LabError("no PID in \(file)")
        }
        return pid
    }

    /// Whether `pid` is a live (not zombie) process named `name`.
    static func isAlive(_ pid: Int32, name: String) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else { return false }
        let comm = stat[stat.index(after: open)..<close]
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).prefix(1)
        return name.hasPrefix(comm) && state != "Z" && state != "X"
    }

    /// Sends `signal` (if any), waits up to 5 s for the process to go, then SIGKILLs it. Only a
    /// process that still carries `name` is signalled, so a reused PID is never hit. True when
    /// SIGKILL was needed.
    @discardableResult
    static func end(_ pid: Int32, name: String, signal: Int32? = nil) -> Bool {
        if let signal, isAlive(pid, name: name) { kill(pid, signal) }
        if Lab.poll(seconds: 5, { !isAlive(pid, name: name) }) { return false }
        kill(pid, SIGKILL)
        _ = Lab.poll(seconds: 3) { !isAlive(pid, name: name) }
        return true
    }

    // MARK: Tools

    @discardableResult
    func vsctl(_ arguments: [String]) throws -> String {
        try must("ovs-vsctl", ["--db=unix:\(dbSocket)", "--timeout=15"] + arguments, timeout: 25)
    }

    /// `ovs-ofctl -O OpenFlow13 [OPTIONS] COMMAND BRIDGE ARGS…`, which must succeed.
    @discardableResult
    func ofctl(_ command: String, _ bridge: String, _ arguments: [String] = [], options: [String] = []) throws -> String {
        try must("ovs-ofctl", ["-O", "OpenFlow13", "--timeout=10"] + options + [command, bridge] + arguments, timeout: 15)
    }

    /// The flows of `bridge` as `dump-flows` prints them.
    func flows(_ bridge: String) throws -> [DumpedFlow] { DumpedFlow.parse(try ofctl("dump-flows", bridge)) }

    /// `add-br BRIDGE` on the userspace datapath, OpenFlow 1.3 only, fail mode secure, with a
    /// fixed datapath id, and (when given) its controller with a 1 s reconnect backoff cap.
    func addBridge(_ bridge: String, datapathID: UInt64, controllerPort: Int?) throws {
        try vsctl(["add-br", bridge, "--", "set", "bridge", bridge, "datapath_type=netdev", "protocols=OpenFlow13",
                   "fail_mode=secure", "other_config:datapath-id=\(String(format: "%016llx", datapathID))"])
        if let port = controllerPort { try setController(bridge, port: port) }
    }

    func setController(_ bridge: String, port: Int) throws {
        try vsctl(["set-controller", bridge, "tcp:127.0.0.1:\(port)"])
        try vsctl(["set", "controller", bridge, "max_backoff=1000"])
    }

    /// A `type=tap` port that OVS creates (in `namespace`), as OpenFlow port `ofport`. Returns
    /// once the TAP exists (bounded); throws with OVS's view of the interface otherwise.
    func addTapPort(_ bridge: String, _ port: String, ofport: Int) throws {
        try vsctl(["add-port", bridge, port, "--", "set", "interface", port, "type=tap", "ofport_request=\(ofport)"])
        guard Lab.poll(seconds: 5, { lab.linkExists(port, in: namespace) }) else {
            let row = (try? vsctl(["--columns=name,type,ofport,error", "list", "interface", port])) ?? "?"
            throw LabError("OVS reports TAP port \(port) added, but there is no such link:\n\(row)\n\(logTail(30))")
        }
    }
}

// MARK: - sdn-controller

/// A running `sdn-controller`, whose log lines go to its stdout file.
struct ControllerProcess {
    let background: Lab.Background
    let port: Int

    var log: String { background.stdout }
    var pid: Int32 { background.pid }

    /// Waits up to `seconds` for a log line containing `text`; false when it did not come (or
    /// the controller exited).
    func waitFor(_ text: String, seconds: Double) -> Bool {
        Lab.poll(seconds: seconds) { log.contains(text) || !background.isRunning } && log.contains(text)
    }

    /// Whether the one switch connection it had is still its only one and was never closed.
    var keptItsOnlyConnection: Bool {
        lines(containing: " is datapath ").count == 1 && lines(containing: "closing").isEmpty
            && lines(containing: "disconnected").isEmpty
    }

    /// The log lines containing `text`.
    func lines(containing text: String) -> [String] {
        log.split(separator: "\n").map(String.init).filter { $0.contains(text) }
    }
}

extension Lab {
    /// Starts `sdn-controller --listen 127.0.0.1:PORT` (port 0: the kernel picks one, read back
    /// from its "openflow: listening on 127.0.0.1:PORT" line) with SIGTERM at its default, so
    /// that SIGTERM stops it as it would a supervisor's.
    /// `namespace`: run it there (`ip netns exec`, which execs: the PID is the controller's).
    func startController(port: Int = 0, apps: String = "learning,lldp", lldpInterval: Double = 5, echoInterval: Double = 5,
                         in namespace: String? = nil) throws -> ControllerProcess {
        let b = try spawnUnblocked("sdn-controller", try Self.executable("sdn-controller"),
                                   ["--listen", "127.0.0.1:\(port)", "--apps", apps, "--lldp-interval", String(lldpInterval),
                                    "--echo-interval", String(echoInterval), "--api", "127.0.0.1:0"],
                                   in: namespace)
        let marker = "openflow: listening on 127.0.0.1:"
        let listening = Self.poll(seconds: 15) { b.stdout.contains("controller: apps ") || !b.isRunning }
        guard listening, b.isRunning,
              let line = b.stdout.split(separator: "\n").first(where: { $0.hasPrefix(marker) }),
              let bound = Int(line.dropFirst(marker.count).prefix { $0.isNumber }), bound > 0 else {
            let status = b.isRunning ? "did not report listening" : "exited with status \(b.process.terminationStatus)"
            b.stop()
            throw LabError("sdn-controller --listen 127.0.0.1:\(port) \(status)\nstdout: \(b.stdout)\nstderr: \(b.stderr)")
        }
        if port != 0 && bound != port { throw LabError("sdn-controller asked for port \(port) listens on \(bound)") }
        return ControllerProcess(background: b, port: bound)
    }
}

// MARK: - Hosts

/// Two hosts in namespaces on TAP ports 1 and 2 of one OVS bridge (h1 10.96.0.1, h2 10.96.0.2).
struct OVSTwoHosts {
    let bridge: String
    let datapathID: UInt64
    let port1: String, port2: String
    let ns1: String, ns2: String
    let ip1 = "10.96.0.1", ip2 = "10.96.0.2"
    let mac1 = "02:00:00:00:96:01", mac2 = "02:00:00:00:96:02"

    /// Makes the bridge and its two TAP ports, moves each TAP into its host's namespace with its
    /// address and MAC, up, and only then points the bridge at the controller on `controllerPort`
    /// (so the controller's first view of the switch has both ports).
    init(_ ovs: OVSLab, controllerPort: Int) throws {
        let lab = ovs.lab
        bridge = lab.name("br"); datapathID = lab.datapathID(1)
        port1 = lab.name("p1"); port2 = lab.name("p2")
        ns1 = lab.name("h1"); ns2 = lab.name("h2")
        try ovs.addBridge(bridge, datapathID: datapathID, controllerPort: nil)
        try ovs.addTapPort(bridge, port1, ofport: 1)
        try ovs.addTapPort(bridge, port2, ofport: 2)
        for (port, ns, ip, mac) in [(port1, ns1, ip1, mac1), (port2, ns2, ip2, mac2)] {
            try lab.mustRun("ip", ["netns", "add", ns])
            try lab.mustRun("ip", ["-n", ovs.namespace, "link", "set", port, "netns", ns])
            try lab.mustExec(ns, "ip", ["link", "set", port, "address", mac])
            try lab.mustExec(ns, "ip", ["addr", "add", "\(ip)/24", "dev", port])
            try lab.mustExec(ns, "ip", ["link", "set", port, "up"])
            try lab.mustExec(ns, "ip", ["link", "set", "lo", "up"])
        }
        try ovs.setController(bridge, port: controllerPort)
    }
}

extension Lab {
    func mustRun(_ program: String, _ arguments: [String]) throws {
        let r = try run(program, arguments)
        guard r.status == 0 else { throw LabError("\(program) \(arguments.joined(separator: " ")): status \(r.status): \(r.stderr)") }
    }

    func mustExec(_ namespace: String, _ program: String, _ arguments: [String]) throws {
        let r = try exec(namespace, program, arguments)
        guard r.status == 0 else { throw LabError("in \(namespace): \(program) \(arguments.joined(separator: " ")): status \(r.status): \(r.stderr)") }
    }

    /// `ping -c COUNT -i 0.2 -W WAIT` from `namespace`: how many replies came, and the output.
    func pingReplies(from namespace: String, _ address: String, count: Int = 5, wait: Int = 2) throws -> (received: Int, output: String) {
        let r = try exec(namespace, "ping", ["-n", "-c", String(count), "-i", "0.2", "-W", String(wait), address],
                         timeout: count * (wait + 1) + 5)
        let received = r.stdout.split(separator: "\n").first { $0.contains(" received") }
            .flatMap { line in line.split(separator: ",").first { $0.contains("received") } }
            .flatMap { Int($0.trimmingCharacters(in: .whitespaces).prefix { $0.isNumber }) } ?? 0
        return (received, r.stdout + r.stderr)
    }
}

// MARK: - Flows

extension DumpedFlow {
    /// The `cookie=0x…` value of the line.
    var cookie: UInt64? {
        guard let r = line.range(of: "cookie=0x") else { return nil }
        return UInt64(line[r.upperBound...].prefix { $0.isHexDigit }, radix: 16)
    }

    /// Whether the cookie's high 32 bits are `tag` (0x4c454152 "LEAR", 0x4d495353 "MISS", 0x4c4c4450 "LLDP").
    func cookieTag(is tag: UInt32) -> Bool { cookie.map { $0 >> 32 == UInt64(tag) } ?? false }

    /// The `duration=…s` value of the line, in seconds.
    var duration: Double? {
        guard let r = line.range(of: "duration=") else { return nil }
        return Double(line[r.upperBound...].prefix { $0.isNumber || $0 == "." })
    }

    func has(_ fragments: String...) -> Bool { fragments.allSatisfy { line.contains($0) } }
}

/// Cookie tags of sdn-controller's flows.
enum ControllerCookie {
    static let learned: UInt32 = 0x4C45_4152
    static let miss: UInt32 = 0x4D49_5353
    static let lldp: UInt32 = 0x4C4C_4450
}
