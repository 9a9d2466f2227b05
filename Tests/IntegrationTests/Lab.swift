import Foundation
import Testing
import TestSupport

/// The helper layer of the end-to-end tests: one `Lab` per test.
///
/// A lab hands out kernel names (namespaces, interfaces) that all start with its own random
/// prefix ("it" + 4 hex digits), writes topology files into its own temporary directory, starts
/// the built `vswitchd` executables and background tools, and runs commands inside namespaces.
/// `cleanup()` (call it in `defer`) stops every process the lab started, by PID, and then
/// removes every namespace and link whose name carries the prefix, using iproute2 only, so a
/// failing test (or a switch that does not clean up after itself) leaves nothing behind.
///
/// Every wait has a deadline: commands run under `timeout(1)`, readiness and exit are polled.
final class Lab {
    let prefix: String
    let directory: URL
    private var processes: [Background] = []

    init() throws {
        prefix = "it" + String(format: "%04x", UInt16.random(in: .min ... .max))
        directory = try Fixtures.temporaryDirectory(prefix: "swiftsdn-it")
    }

    // MARK: Names and files

    /// A kernel name owned by this lab: the prefix + `role`, at most 15 bytes (IFNAMSIZ - 1).
    func name(_ role: String) -> String {
        let name = prefix + role
        precondition(name.utf8.count <= 15, "interface name '\(name)' is longer than 15 bytes")
        return name
    }

    /// A path inside the lab's temporary directory.
    func path(_ file: String) -> String { directory.appendingPathComponent(file).path }

    /// Writes `text` to `file` in the lab directory and returns its path.
    @discardableResult
    func write(_ file: String, _ text: String) throws -> String {
        let p = path(file)
        try text.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }

    // MARK: Built executables

    static let buildDirectory = Fixtures.repositoryRoot.appendingPathComponent(".build/debug")

    /// The path of a built executable (`vswitchd`, `sdnctl`), or a thrown error telling to build.
    static func executable(_ name: String) throws -> String {
        let p = buildDirectory.appendingPathComponent(name).path
        guard FileManager.default.isExecutableFile(atPath: p) else {
            throw LabError("\(p) is missing: run `swift build` (or `swift build --build-tests`) in \(Fixtures.repositoryRoot.path) first; the integration tests drive the built executables")
        }
        return p
    }

    // MARK: Running commands

    /// Runs a program to completion under `timeout(1)`: SIGTERM after `seconds`, SIGKILL 2 s later.
    /// A status of 124 (or 137) means the deadline was hit.
    @discardableResult
    func run(_ program: String, _ arguments: [String], timeout seconds: Int = 20) throws -> ShellResult {
        try Shell.run("timeout", ["-k", "2", String(seconds), Shell.which(program) ?? program] + arguments)
    }

    /// Runs a program inside network namespace `namespace`.
    @discardableResult
    func exec(_ namespace: String, _ program: String, _ arguments: [String], timeout seconds: Int = 20) throws -> ShellResult {
        try run("ip", ["netns", "exec", namespace, "timeout", "-k", "2", String(seconds), program] + arguments,
                timeout: seconds + 5)
    }

    /// Pings `address` from `namespace`; true when every echo got its reply.
    func ping(from namespace: String, _ address: String, count: Int = 3, wait: Int = 2) throws -> Bool {
        let r = try exec(namespace, "ping", ["-n", "-c", String(count), "-i", "0.2", "-W", String(wait), address],
                         timeout: count * (wait + 1) + 5)
        return r.status == 0
    }

    /// `sdnctl switch NAME --socket PATH ARGS…` for a switch this lab started.
    @discardableResult
    func sdnctl(_ sw: SwitchProcess, _ arguments: [String]) throws -> ShellResult {
        try sdnctl(sw.name, socket: sw.controlSocket, arguments)
    }

    /// `sdnctl switch NAME --socket PATH ARGS…`.
    @discardableResult
    func sdnctl(_ name: String, socket: String, _ arguments: [String]) throws -> ShellResult {
        try run(try Self.executable("sdnctl"), ["switch", name, "--socket", socket] + arguments, timeout: 15)
    }

    /// Runs `vswitchd ARGS…` to completion (for runs expected to end by themselves).
    func vswitchd(_ arguments: [String], timeout seconds: Int = 30) throws -> ShellResult {
        try run(try Self.executable("vswitchd"), arguments, timeout: seconds)
    }

    // MARK: Long-running processes

    /// A process the lab started and stops in `cleanup`; its output goes to files in the lab dir.
    final class Background {
        let label: String
        let process: Process
        let stdoutPath: String
        let stderrPath: String
        private let handles: [FileHandle]

        init(label: String, program: String, arguments: [String], directory: URL) throws {
            self.label = label
            stdoutPath = directory.appendingPathComponent("\(label).out").path
            stderrPath = directory.appendingPathComponent("\(label).err").path
            _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
            _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
            guard let out = FileHandle(forWritingAtPath: stdoutPath), let err = FileHandle(forWritingAtPath: stderrPath) else {
                throw LabError("cannot open output files for \(label)")
            }
            handles = [out, err]
            process = Process()
            process.executableURL = URL(fileURLWithPath: Shell.which(program) ?? program)
            process.arguments = arguments
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = out
            process.standardError = err
            try process.run()
        }

        var pid: Int32 { process.processIdentifier }
        var isRunning: Bool { process.isRunning }
        var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
        var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

        /// Waits up to `seconds` for the process to end; its exit status, or nil if still running.
        @discardableResult
        func waitForExit(seconds: Double) -> Int32? {
            guard Lab.poll(seconds: seconds, { !self.process.isRunning }) else { return nil }
            return process.terminationStatus
        }

        /// SIGTERM, then SIGKILL if it is still running after `grace` seconds. Returns the exit
        /// status (for a signal death, the signal number) and whether SIGKILL was needed.
        @discardableResult
        func stop(grace: Double = 3) -> (status: Int32, killed: Bool) {
            defer { for h in handles { try? h.close() } }
            guard process.isRunning else { return (process.terminationStatus, false) }
            kill(pid, SIGTERM)
            if let status = waitForExit(seconds: grace) { return (status, false) }
            kill(pid, SIGKILL)
            _ = waitForExit(seconds: 5)
            return (process.terminationStatus, true)
        }
    }

    /// Starts `program ARGS…` in the background (inside `namespace` when given).
    func spawn(_ label: String, _ program: String, _ arguments: [String], in namespace: String? = nil) throws -> Background {
        let (p, a) = namespace.map { ("ip", ["netns", "exec", $0, program] + arguments) } ?? (program, arguments)
        let b = try Background(label: "\(label)-\(processes.count)", program: p, arguments: a, directory: directory)
        processes.append(b)
        return b
    }

    /// One running `vswitchd run`.
    struct SwitchProcess {
        let name: String
        let controlSocket: String
        let background: Background
        var pid: Int32 { background.pid }
    }

    /// Starts `vswitchd run --config CONFIG [--switch NAME]` and waits (bounded) until it prints
    /// that it is running; throws with its stderr when it exits or does not get ready.
    func startSwitch(config: String, switch name: String, selectByName: Bool = true,
                     controlSocket: String? = nil, extraArguments: [String] = []) throws -> SwitchProcess {
        var arguments = ["run", "--config", config]
        if selectByName { arguments += ["--switch", name] }
        let socket = controlSocket ?? path("\(name).sock")
        arguments += ["--control-socket", socket] + extraArguments
        let b = try spawn("vswitchd-\(name)", try Self.executable("vswitchd"), arguments)
        let ready = "vswitchd: switch \(name) running"
        let ok = Self.poll(seconds: 15) { b.stdout.contains(ready) || !b.isRunning }
        guard ok, b.isRunning else {
            let status = b.isRunning ? "still not ready after 15 s" : "exited with status \(b.process.terminationStatus)"
            b.stop()
            throw LabError("vswitchd --switch \(name) \(status)\nstdout: \(b.stdout)\nstderr: \(b.stderr)")
        }
        return SwitchProcess(name: name, controlSocket: socket, background: b)
    }

    // MARK: Kernel state

    /// Names from `ip netns list` that carry this lab's prefix.
    func namespaces() -> [String] {
        let out = (try? run("ip", ["netns", "list"]).stdout) ?? ""
        return out.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
            .filter { $0.hasPrefix(prefix) }
    }

    /// Interfaces of the root namespace (`ip -o link`) that carry this lab's prefix.
    func links() -> [String] {
        let out = (try? run("ip", ["-o", "link", "show"]).stdout) ?? ""
        return out.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: ":", maxSplits: 2)
            guard fields.count >= 2 else { return nil }
            // "7: name@peer: <…>" — the name is the second field, before any "@".
            return String(fields[1].trimmingCharacters(in: .whitespaces).split(separator: "@").first ?? "")
        }.filter { $0.hasPrefix(prefix) }
    }

    /// True when `ip link show NAME` finds the interface (in `namespace` when given).
    func linkExists(_ name: String, in namespace: String? = nil) -> Bool {
        let r = namespace.map { try? exec($0, "ip", ["link", "show", name]) } ?? (try? run("ip", ["link", "show", name]))
        return r?.status == 0
    }

    /// Polls `condition` every 50 ms for up to `seconds`; true as soon as it holds.
    static func poll(seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            if condition() { return true }
            if Date() >= deadline { return false }
            usleep(50_000)
        }
    }

    // MARK: Cleanup

    /// Stops every process this lab started (SIGTERM, SIGKILL after 3 s), then removes every
    /// namespace and root-namespace link with the lab's prefix and the lab directory.
    func cleanup() {
        for b in processes.reversed() { b.stop(grace: 3) }
        processes.removeAll()
        for ns in namespaces() { _ = try? run("ip", ["netns", "del", ns]) }
        for link in links() { _ = try? run("ip", ["link", "del", link]) }
        try? FileManager.default.removeItem(at: directory)
    }
}

struct LabError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Whether a privileged test may run: needs root and `tools`. Without them it prints why and
/// returns false; with `SDN_REQUIRE_PRIVILEGED=1` it records a failure instead.
func integrationGate(needsRoot: Bool = true, tools: [String]) -> Bool {
    guard let reason = Privileged.skipReason(needsRoot: needsRoot, tools: tools) else { return true }
    if Privileged.required {
        Issue.record("integration test cannot run: \(reason)")
    } else {
        print("skip: integration test: \(reason)")
    }
    return false
}

// MARK: - Measurements and parsers

/// One iperf3 TCP run between two namespaces.
struct IperfRun {
    var receivedBytes: Int64
    var bitsPerSecond: Double
    var retransmits: Int
    var gbps: Double { bitsPerSecond / 1e9 }
}

extension Lab {
    /// Runs an iperf3 TCP test for `seconds` from `client` to the server at `serverAddress`
    /// in `server`: `iperf3 -s -1` in the background there, `iperf3 -c … -J` here.
    func iperf3(from client: String, to server: String, serverAddress: String, seconds: Int = 5) throws -> IperfRun {
        let port = Int.random(in: 20_000...60_000)
        let srv = try spawn("iperf3-server", "iperf3", ["-s", "-1", "-p", String(port)], in: server)
        defer { srv.stop() }
        let listening = Self.poll(seconds: 10) {
            let r = try? exec(server, "ss", ["-Hltn", "sport = :\(port)"], timeout: 5)
            return !(r?.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ?? true) || !srv.isRunning
        }
        guard listening, srv.isRunning else {
            throw LabError("iperf3 server in \(server) did not start listening on \(port): \(srv.stdout) \(srv.stderr)")
        }
        let r = try exec(client, "iperf3", ["-c", serverAddress, "-p", String(port), "-t", String(seconds), "-J"],
                         timeout: seconds + 30)
        guard let data = r.stdout.data(using: .utf8),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw LabError("iperf3 client (status \(r.status)) printed no JSON: \(r.stdout) \(r.stderr)")
        }
        if let error = json["error"] as? String {
            throw LabError("iperf3 client failed (status \(r.status)): \(error)")
        }
        guard let end = json["end"] as? [String: Any],
              let received = end["sum_received"] as? [String: Any],
              let bytes = (received["bytes"] as? NSNumber)?.int64Value,
              let bps = (received["bits_per_second"] as? NSNumber)?.doubleValue else {
            throw LabError("iperf3 JSON has no end.sum_received: \(r.stdout.prefix(2000))")
        }
        let retransmits = ((end["sum_sent"] as? [String: Any])?["retransmits"] as? NSNumber)?.intValue ?? -1
        _ = srv.waitForExit(seconds: 5)
        return IperfRun(receivedBytes: bytes, bitsPerSecond: bps, retransmits: retransmits)
    }
}

/// One flow line of `sdnctl … dump-flows`.
struct DumpedFlow {
    var line: String
    var packets: Int
    var bytes: Int

    /// Parses the ovs-ofctl style lines ("cookie=…, n_packets=N, n_bytes=N, priority=… actions=…").
    static func parse(_ text: String) -> [DumpedFlow] {
        text.split(separator: "\n").compactMap { raw in
            let line = String(raw)
            func value(_ key: String) -> Int? {
                guard let r = line.range(of: key + "=") else { return nil }
                return Int(line[r.upperBound...].prefix { $0.isNumber })
            }
            guard let packets = value("n_packets"), let bytes = value("n_bytes") else { return nil }
            return DumpedFlow(line: line, packets: packets, bytes: bytes)
        }
    }
}

/// One row of `sdnctl … fdb` (" port  VLAN  MAC  Age").
struct FDBEntry: Equatable {
    var port: String
    var vlan: Int
    var mac: String

    static func parse(_ text: String) -> [FDBEntry] {
        text.split(separator: "\n").dropFirst().compactMap { line in
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            guard f.count >= 3, let vlan = Int(f[1]) else { return nil }
            return FDBEntry(port: String(f[0]), vlan: vlan, mac: String(f[2]).lowercased())
        }
    }
}

/// A port block of `sdnctl … show` / the replay summary: " N(NAME): kind, state, vlan" followed by
/// "rx pkts=… bytes=…" and "tx pkts=… bytes=…".
struct ShownPort {
    var number: String
    var name: String
    var header: String
    var rxPackets: Int
    var txPackets: Int

    static func parse(_ text: String) -> [ShownPort] {
        let lines = text.split(separator: "\n").map(String.init)
        var ports: [ShownPort] = []
        for (i, line) in lines.enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard let open = trimmed.firstIndex(of: "("), let close = trimmed.range(of: "):"),
                  let _ = Int(trimmed[..<open]) else { continue }
            func packets(_ direction: String) -> Int? {
                for next in lines[(i + 1)...].prefix(2) {
                    let t = next.trimmingCharacters(in: .whitespaces)
                    guard t.hasPrefix(direction + " pkts="), let r = t.range(of: "pkts=") else { continue }
                    return Int(t[r.upperBound...].prefix { $0.isNumber })
                }
                return nil
            }
            guard let rx = packets("rx"), let tx = packets("tx") else { continue }
            ports.append(ShownPort(number: String(trimmed[..<open]),
                                   name: String(trimmed[trimmed.index(after: open)..<close.lowerBound]),
                                   header: trimmed, rxPackets: rx, txPackets: tx))
        }
        return ports
    }
}
