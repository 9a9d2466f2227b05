import Foundation
import Testing
import TestSupport

// Helpers of the OpenFlow interop tests (OpenFlowInteropTests.swift): a vswitchd whose OpenFlow
// listener is on a port the kernel chose, ovs-ofctl against it, loopback captures decoded by
// tshark, raw OpenFlow messages built here and exchanged by a small python3 peer, and parsers
// for ovs-ofctl's output.

/// Tools every OpenFlow interop test needs (besides `namespaceTools`).
let openFlowTools = ["ovs-ofctl", "tshark", "tcpdump", "python3"]

// MARK: - Switches with an OpenFlow listener

/// A running vswitchd and the loopback port of its OpenFlow listener.
struct OpenFlowSwitch {
    let process: Lab.SwitchProcess
    let port: Int
    /// The ovs-ofctl target: `tcp:127.0.0.1:PORT`.
    var target: String { "tcp:127.0.0.1:\(port)" }
}

/// Two hosts on TAP ports 1 and 2 of switch s1 (datapath id 0x1, fail-mode secure, no flows),
/// whose OpenFlow listener is `ptcp:0`: the kernel picks a free port, vswitchd prints it.
struct OpenFlowTwoHosts {
    let tap1: String, tap2: String
    let ns1: String, ns2: String
    let ip1 = "10.95.0.1", ip2 = "10.95.0.2"
    let mac1 = "02:00:00:00:95:01", mac2 = "02:00:00:00:95:02"
    let config: String

    init(_ lab: Lab) throws {
        tap1 = lab.name("t1"); tap2 = lab.name("t2")
        ns1 = lab.name("h1"); ns2 = lab.name("h2")
        config = try lab.write("openflow-two-hosts.yaml", """
            name: \(lab.prefix)-of-two-hosts
            switches:
              s1:
                datapath-id: 0x1
                fail-mode: secure
                listen: ptcp:0
                ports:
                  1: {name: \(tap1), type: tap}
                  2: {name: \(tap2), type: tap}
            hosts:
              h1: {switch: s1, port: 1, ip: \(ip1)/24, mac: "\(mac1)", namespace: \(ns1)}
              h2: {switch: s1, port: 2, ip: \(ip2)/24, mac: "\(mac2)", namespace: \(ns2)}
            """)
    }
}

extension Lab {
    /// Writes a switch file: one host-less TAP port (it stays in the root namespace, so cleanup
    /// removes it by prefix), listener `ptcp:0`, and `controller` when given.
    func writeOneTapSwitch(datapathID: String, controller: String? = nil) throws -> (config: String, tap: String) {
        let tap = name("t1")
        var lines = ["name: \(prefix)-of-one-tap", "switches:", "  s1:",
                     "    datapath-id: \(datapathID)", "    fail-mode: secure", "    listen: ptcp:0"]
        if let controller { lines.append("    controller: \(controller)") }
        lines += ["    ports:", "      1: {name: \(tap), type: tap}"]
        let config = try write("openflow-one-tap.yaml", lines.joined(separator: "\n") + "\n")
        return (config, tap)
    }

    /// Starts `vswitchd run` and reads the listener's port from its
    /// "vswitchd: OpenFlow listener on 127.0.0.1:PORT" line (printed before "running").
    func startOpenFlowSwitch(config: String, switch name: String = "s1") throws -> OpenFlowSwitch {
        let sw = try startSwitch(config: config, switch: name)
        let marker = "vswitchd: OpenFlow listener on 127.0.0.1:"
        guard let line = sw.background.stdout.split(separator: "\n").first(where: { $0.hasPrefix(marker) }),
              let port = Int(line.dropFirst(marker.count).prefix { $0.isNumber }), port > 0 else {
            throw LabError("vswitchd did not report its OpenFlow listener:\n\(sw.background.stdout)")
        }
        return OpenFlowSwitch(process: sw, port: port)
    }

    /// `ovs-ofctl -O OpenFlow13 --timeout=10 [OPTIONS] COMMAND TARGET ARGS…`.
    @discardableResult
    func ofctl(_ command: String, _ sw: OpenFlowSwitch, _ arguments: [String] = [], options: [String] = []) throws -> ShellResult {
        try run("ovs-ofctl", ["-O", "OpenFlow13", "--timeout=10"] + options + [command, sw.target] + arguments, timeout: 15)
    }

    /// `spawn`, through `env --default-signal`: processes started from a test thread inherit its
    /// signal mask, in which SIGTERM and SIGINT are blocked, so `Background.stop` could only end
    /// them with SIGKILL. A tool that must exit cleanly on SIGTERM (tcpdump printing its
    /// statistics) gets every signal unblocked and at its default.
    func spawnUnblocked(_ label: String, _ program: String, _ arguments: [String], in namespace: String? = nil) throws -> Background {
        try spawn(label, "env", ["--default-signal", program] + arguments, in: namespace)
    }

    /// Polls a background process's stderr for tcpdump's "listening on" line.
    func waitUntilListening(_ b: Background, seconds: Double = 10) throws {
        guard Self.poll(seconds: seconds, { b.stderr.contains("listening on") || !b.isRunning }), b.isRunning else {
            throw LabError("\(b.label) did not start capturing: \(b.stderr)")
        }
    }
}

// MARK: - Loopback captures

/// `tcpdump -i lo -w FILE 'tcp port PORT'`, started before a session and stopped after it.
/// `--immediate-mode`: without it libpcap hands packets over in blocks (up to a second late),
/// and the last block is lost when tcpdump is stopped — while it still reports 0 drops. In
/// immediate mode each ring slot holds a whole snaplen, hence a 65600-byte snaplen (a loopback
/// segment is at most 64 KiB) and a 64 MiB buffer: about 1000 slots instead of 8.
final class LoopbackCapture {
    let file: String
    let port: Int
    let background: Lab.Background

    init(_ lab: Lab, port: Int, file: String) throws {
        self.file = lab.path(file)
        self.port = port
        background = try lab.spawnUnblocked("tcpdump-lo", "tcpdump",
                                            ["-i", "lo", "--immediate-mode", "-B", "65536", "-U", "-s", "65600", "-Z", "root", "-n", "-w", self.file, "tcp port \(port)"])
        try lab.waitUntilListening(background)
    }

    /// Lets the last segments (FIN, ACK) arrive, stops tcpdump and checks it dropped nothing.
    func stop() throws {
        usleep(300_000)
        background.stop()
        let stderr = background.stderr
        guard let line = stderr.split(separator: "\n").first(where: { $0.hasSuffix("packets dropped by kernel") }) else {
            throw LabError("tcpdump did not report its statistics: \(stderr)")
        }
        guard line.hasPrefix("0 ") else { throw LabError("the capture is incomplete: \(line)") }
    }
}

// MARK: - OpenFlow bytes

/// One OpenFlow message as bytes, with its header fields.
struct WireMessage: CustomStringConvertible {
    let bytes: [UInt8]
    var version: UInt8 { bytes[0] }
    var type: UInt8 { bytes[1] }
    var length: Int { Int(bytes[2]) << 8 | Int(bytes[3]) }
    var xid: UInt32 { bytes[4..<8].reduce(0) { $0 << 8 | UInt32($1) } }
    var body: ArraySlice<UInt8> { bytes[8...] }

    /// Big-endian u16 at `offset` of the whole message.
    func u16(_ offset: Int) -> UInt16 { UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1]) }
    /// For OFPT_ERROR: type, code and the data after them.
    var errorType: UInt16 { u16(8) }
    var errorCode: UInt16 { u16(10) }
    var errorData: ArraySlice<UInt8> { bytes[12...] }
    /// For OFPT_MULTIPART_REQUEST/REPLY: the multipart type.
    var multipartType: UInt16 { u16(8) }

    var description: String {
        "\(OFTypeName.name(type))(v\(version), xid=0x\(String(xid, radix: 16)), \(bytes.count) bytes)"
    }

    /// Splits a byte stream into messages; the rest is what did not form a whole message.
    static func split(_ stream: [UInt8]) -> (messages: [WireMessage], rest: [UInt8]) {
        var messages: [WireMessage] = []
        var i = 0
        while stream.count - i >= 8 {
            let length = Int(stream[i + 2]) << 8 | Int(stream[i + 3])
            guard length >= 8, stream.count - i >= length else { break }
            messages.append(WireMessage(bytes: Array(stream[i..<(i + length)])))
            i += length
        }
        return (messages, Array(stream[i...]))
    }
}

/// OpenFlow 1.3 message type names, for messages and assertions.
enum OFTypeName {
    static let names = ["HELLO", "ERROR", "ECHO_REQUEST", "ECHO_REPLY", "EXPERIMENTER", "FEATURES_REQUEST",
                        "FEATURES_REPLY", "GET_CONFIG_REQUEST", "GET_CONFIG_REPLY", "SET_CONFIG", "PACKET_IN",
                        "FLOW_REMOVED", "PORT_STATUS", "PACKET_OUT", "FLOW_MOD", "GROUP_MOD", "PORT_MOD", "TABLE_MOD",
                        "MULTIPART_REQUEST", "MULTIPART_REPLY", "BARRIER_REQUEST", "BARRIER_REPLY",
                        "QUEUE_GET_CONFIG_REQUEST", "QUEUE_GET_CONFIG_REPLY", "ROLE_REQUEST", "ROLE_REPLY",
                        "GET_ASYNC_REQUEST", "GET_ASYNC_REPLY", "SET_ASYNC", "METER_MOD"]
    /// The highest message type OpenFlow 1.3 defines (OFPT_METER_MOD).
    static let maxType = 29
    static func name(_ type: UInt8) -> String { Int(type) < names.count ? names[Int(type)] : "type \(type)" }
}

/// Raw OpenFlow messages built byte by byte (independently of the OpenFlow module under test).
enum OFBytes {
    static func message(version: UInt8 = 4, type: UInt8, xid: UInt32, body: [UInt8] = [], length: UInt16? = nil) -> [UInt8] {
        let total = length ?? UInt16(8 + body.count)
        return [version, type] + be16(total) + be32(xid) + body
    }

    static func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xFF)] }
    static func be32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (24 - 8 * $0)) } }

    /// HELLO with a version bitmap offering only 1.3.
    static func hello(xid: UInt32) -> [UInt8] { message(type: 0, xid: xid, body: [0, 1, 0, 8, 0, 0, 0, 0x10]) }
    static func featuresRequest(xid: UInt32) -> [UInt8] { message(type: 5, xid: xid) }
    static func echoRequest(xid: UInt32, payload: [UInt8]) -> [UInt8] { message(type: 2, xid: xid, body: payload) }
    static func barrierRequest(xid: UInt32) -> [UInt8] { message(type: 20, xid: xid) }
    static func multipartRequest(xid: UInt32, type: UInt16) -> [UInt8] {
        message(type: 18, xid: xid, body: be16(type) + [0, 0, 0, 0, 0, 0])
    }

    /// FLOW_MOD ADD into `table`, empty OXM match, no instructions: 56 bytes.
    static func flowModAdd(xid: UInt32, table: UInt8) -> [UInt8] {
        var body = [UInt8](repeating: 0, count: 16)             // cookie, cookie_mask
        body += [table, 0] + [0, 0, 0, 0] + be16(0x8000)       // table_id, ADD, idle, hard, priority
        body += be32(0xFFFF_FFFF) + be32(0xFFFF_FFFF) + be32(0xFFFF_FFFF) // buffer_id, out_port, out_group
        body += [0, 0, 0, 0]                                    // flags, pad
        body += [0, 1, 0, 4, 0, 0, 0, 0]                        // ofp_match: OXM, length 4, padding
        return message(type: 14, xid: xid, body: body)
    }
}

extension OFBytes {
    static func hex(_ bytes: some Sequence<UInt8>) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    static func bytes(hex: some StringProtocol) -> [UInt8]? {
        var bytes: [UInt8] = []
        var i = hex.startIndex
        while i < hex.endIndex {
            guard let j = hex.index(i, offsetBy: 2, limitedBy: hex.endIndex), let b = UInt8(hex[i..<j], radix: 16) else { return nil }
            bytes.append(b)
            i = j
        }
        return bytes
    }
}

// MARK: - A raw OpenFlow peer (python3)

/// `ofwire.py`: one TCP connection to (`connect PORT`) or from (`listen 0`, printing
/// "listening PORT" first) the switch; for each STEP "HEX/SECONDS" it sends HEX (may be empty)
/// and collects whole messages for SECONDS, or until the switch closes. Prints one JSON line.
enum OFWire {
    static let script = #"""
        import json, socket, struct, sys, time

        def split(buf):
            msgs = []
            while len(buf) >= 8:
                length = struct.unpack("!H", buf[2:4])[0]
                if length < 8 or len(buf) < length:
                    break
                msgs.append(buf[:length])
                buf = buf[length:]
            return msgs, buf

        mode, port, steps = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
        if mode == "listen":
            server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            server.bind(("127.0.0.1", port))
            server.listen(1)
            print("listening %d" % server.getsockname()[1], flush=True)
            server.settimeout(20)
            conn, _ = server.accept()
            server.close()
        else:
            conn = socket.create_connection(("127.0.0.1", port), timeout=5)
        conn.settimeout(0.05)
        buf, closed, results = b"", False, []
        for step in steps:
            data, seconds = step.split("/")
            got = []
            if data and not closed:
                try:
                    conn.sendall(bytes.fromhex(data))
                except OSError:
                    closed = True
            deadline = time.time() + float(seconds)
            while not closed and time.time() < deadline:
                try:
                    chunk = conn.recv(65536)
                except socket.timeout:
                    continue
                except OSError:
                    closed = True
                    break
                if not chunk:
                    closed = True
                    break
                buf += chunk
                msgs, buf = split(buf)
                got += msgs
            results.append({"messages": [m.hex() for m in got], "closed": closed})
        conn.close()
        print(json.dumps({"steps": results, "rest": buf.hex()}), flush=True)
        """#

    struct Step {
        var send: [UInt8]
        var seconds: Double
        var argument: String { "\(OFBytes.hex(send))/\(seconds)" }
    }

    /// What the switch sent during one step, and whether it had closed the connection by its end.
    struct StepResult {
        var messages: [WireMessage]
        var closed: Bool
    }

    static func install(_ lab: Lab) throws -> String { try lab.write("ofwire.py", script) }

    /// Parses the JSON line the script prints last.
    static func results(_ stdout: String) throws -> [StepResult] {
        guard let line = stdout.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
              let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let steps = json["steps"] as? [[String: Any]] else {
            throw LabError("ofwire.py printed no result: \(stdout)")
        }
        return try steps.map { step in
            let messages = try (step["messages"] as? [String] ?? []).map { text -> WireMessage in
                guard let bytes = OFBytes.bytes(hex: text), bytes.count >= 8 else { throw LabError("bad message hex \(text)") }
                return WireMessage(bytes: bytes)
            }
            return StepResult(messages: messages, closed: step["closed"] as? Bool ?? false)
        }
    }
}

extension Lab {
    /// Connects ofwire.py to `port`, runs `steps`, returns what came back per step.
    func ofwire(connectTo port: Int, _ steps: [OFWire.Step]) throws -> [OFWire.StepResult] {
        let script = try OFWire.install(self)
        let seconds = Int(steps.reduce(0) { $0 + $1.seconds }.rounded(.up)) + 10
        let r = try run("python3", [script, "connect", String(port)] + steps.map(\.argument), timeout: seconds)
        guard r.status == 0 else { throw LabError("ofwire.py connect \(port) failed (\(r.status)): \(r.stderr)") }
        return try OFWire.results(r.stdout)
    }
}

// MARK: - tshark analysis of a captured session

/// Which side of a captured session is the switch.
enum SwitchSide {
    /// The switch listens on this port (ovs-ofctl connects to it).
    case listensOn(Int)
    /// The switch connects out to a controller on this port.
    case connectsTo(Int)

    var port: Int { switch self { case .listensOn(let p), .connectsTo(let p): p } }

    func isSwitch(sourcePort: Int) -> Bool {
        switch self {
        case .listensOn(let p): sourcePort == p
        case .connectsTo(let p): sourcePort != p
        }
    }
}

/// A capture decoded by `tshark -d tcp.port==PORT,openflow`, checked message by message.
///
/// tshark 4.0 registers the OpenFlow dissector for "Decode As" under the name `openflow`, which
/// hands each message to `openflow_v4` by its version byte (`openflow_v4` itself is not a
/// Decode-As target there). Besides tshark's view, the TCP payloads are reassembled here per
/// stream and direction, so every message is also known byte for byte.
struct OpenFlowSessionCheck {
    struct Frame {
        var number: Int
        var stream: Int
        var sourcePort: Int
        var payload: [UInt8]
        var types: [Int]             // every openflow_v4.type tshark saw (nested ones included)
        var multipartReplyTypes: [Int]
        var malformed: String
        var experts: [(severity: Int, message: String)]
    }

    struct Message {
        var frame: Int
        var stream: Int
        var fromSwitch: Bool
        var message: WireMessage
    }

    var frames: [Frame] = []
    var messages: [Message] = []
    /// Everything wrong with what the switch sent.
    var problems: [String] = []
    /// Frames tshark marks malformed only because it dissects the request echoed in an ERROR
    /// past the 64 bytes the switch echoed (OpenFlow 1.3 §A.4.4: "at least 64 bytes of the
    /// failed request"), verified here byte for byte against the request.
    var truncatedEchoes: [String] = []

    var switchMessages: [WireMessage] { messages.filter(\.fromSwitch).map(\.message) }
    var peerMessages: [WireMessage] { messages.filter { !$0.fromSwitch }.map(\.message) }
    var switchTypes: Set<UInt8> { Set(switchMessages.map(\.type)) }
    var switchMultipartReplyTypes: Set<UInt16> { Set(switchMessages.filter { $0.type == 19 }.map(\.multipartType)) }

    /// tshark severity levels (epan/proto.h): PI_WARN and above count as problems.
    static let warnSeverity = 0x0060_0000

    init(_ lab: Lab, capture: LoopbackCapture, side: SwitchSide) throws {
        let r = try lab.run("tshark", [
            "-r", capture.file, "-d", "tcp.port==\(side.port),openflow",
            "-T", "fields", "-E", "separator=/t", "-E", "aggregator=;", "-E", "occurrence=a",
            "-e", "frame.number", "-e", "tcp.stream", "-e", "tcp.srcport", "-e", "tcp.payload",
            "-e", "openflow_v4.type", "-e", "openflow_v4.multipart_reply.type",
            "-e", "_ws.malformed", "-e", "_ws.expert.severity", "-e", "_ws.expert.message",
        ], timeout: 60)
        guard r.status == 0 else { throw LabError("tshark failed (\(r.status)): \(r.stderr)") }
        for line in r.stdout.split(separator: "\n") {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count == 9, let number = Int(f[0]), let stream = Int(f[1]), let source = Int(f[2]) else { continue }
            func ints(_ s: String) -> [Int] { s.split(separator: ";").compactMap { Int($0) } }
            let severities = ints(f[7]), texts = f[8].split(separator: ";").map(String.init)
            frames.append(Frame(number: number, stream: stream, sourcePort: source,
                                payload: OFBytes.bytes(hex: f[3].replacingOccurrences(of: ":", with: "")) ?? [],
                                types: ints(f[4]), multipartReplyTypes: ints(f[5]), malformed: f[6],
                                experts: zip(severities, texts).map { ($0, $1) }))
        }
        analyse(side)
    }

    private mutating func analyse(_ side: SwitchSide) {
        // Reassemble each direction of each TCP stream; a message belongs to the frame that completes it.
        var buffers: [String: [UInt8]] = [:]
        var completed: [Int: [WireMessage]] = [:]
        for frame in frames where !frame.payload.isEmpty {
            let key = "\(frame.stream)/\(frame.sourcePort)"
            let (whole, rest) = WireMessage.split(buffers[key, default: []] + frame.payload)
            buffers[key] = rest
            let fromSwitch = side.isSwitch(sourcePort: frame.sourcePort)
            if fromSwitch, rest.count >= 4, (Int(rest[2]) << 8 | Int(rest[3])) < 8 {
                problems.append("frame \(frame.number): the switch's stream \(key) carries an unframeable length")
            }
            completed[frame.number] = whole
            messages += whole.map { Message(frame: frame.number, stream: frame.stream, fromSwitch: fromSwitch, message: $0) }
        }
        for frame in frames where side.isSwitch(sourcePort: frame.sourcePort) {
            let key = "\(frame.stream)/\(frame.sourcePort)"
            if let rest = buffers.removeValue(forKey: key), !rest.isEmpty {
                problems.append("the switch's stream \(key) ends inside a message (\(rest.count) bytes left over)")
            }
        }

        for frame in frames where side.isSwitch(sourcePort: frame.sourcePort) {
            let whole = completed[frame.number] ?? []
            let decodedAsOpenFlow = !frame.types.isEmpty
            if !whole.isEmpty && !decodedAsOpenFlow {
                problems.append("frame \(frame.number): tshark did not decode \(whole) as OpenFlow")
            }
            // An ERROR's data is the offending request, which tshark dissects too: its type is the peer's.
            let echoedTypes = Set(whole.filter { $0.type == 1 && $0.errorData.count >= 2 }.map { Int($0.errorData[$0.errorData.startIndex + 1]) })
            for t in frame.types where !(0...OFTypeName.maxType).contains(t) && !echoedTypes.contains(t) {
                problems.append("frame \(frame.number): tshark saw unknown OpenFlow type \(t)")
            }
            for m in whole {
                if m.version != 4 { problems.append("frame \(frame.number): \(m) is not OpenFlow 1.3") }
                if Int(m.type) > OFTypeName.maxType { problems.append("frame \(frame.number): \(m) has an unknown type") }
                if !frame.types.contains(Int(m.type)) {
                    problems.append("frame \(frame.number): tshark saw types \(frame.types), the bytes hold \(m)")
                }
                if m.type == 19, !frame.multipartReplyTypes.contains(Int(m.multipartType)) {
                    problems.append("frame \(frame.number): tshark saw multipart reply types \(frame.multipartReplyTypes), the bytes hold \(m.multipartType)")
                }
            }
            let warnings = frame.experts.filter { $0.severity >= Self.warnSeverity }
            guard !frame.malformed.isEmpty || (decodedAsOpenFlow && !warnings.isEmpty) else { continue }
            let detail = "frame \(frame.number) (\(whole)): malformed=\(frame.malformed.isEmpty ? "no" : "yes") \(frame.experts.map(\.message))"
            // A header-only BARRIER_REPLY sharing the segment cannot be what tshark objects to.
            if whole.contains(where: { isVerifiedTruncatedEcho($0, stream: frame.stream) }),
               whole.allSatisfy({ isVerifiedTruncatedEcho($0, stream: frame.stream) || ($0.type == 21 && $0.length == 8) }) {
                truncatedEchoes.append(detail)
            } else {
                problems.append(detail)
            }
        }

        // Every ERROR the switch sent echoes the request it answers (same xid), byte for byte:
        // all of it, or at least its first 64 bytes.
        for e in messages where e.fromSwitch && e.message.type == 1 && e.message.errorType != 0 {
            guard let request = request(answeredBy: e.message, stream: e.stream) else {
                let sameXID = messages.filter { !$0.fromSwitch && $0.stream == e.stream && $0.message.xid == e.message.xid }.map(\.message)
                problems.append("frame \(e.frame): \(e.message) echoes \(OFBytes.hex(e.message.errorData)), which starts none of the peer's requests with its xid in stream \(e.stream): \(sameXID.map { OFBytes.hex($0.bytes) })")
                continue
            }
            let data = Array(e.message.errorData), wanted = min(64, request.bytes.count)
            if data.count < wanted || data != Array(request.bytes.prefix(data.count)) {
                problems.append("frame \(e.frame): \(e.message) echoes \(data.count) bytes that are not the first \(wanted)+ of \(request)")
            }
        }
    }

    /// The peer's message in `stream` with the error's xid whose bytes start the error's data.
    func request(answeredBy error: WireMessage, stream: Int) -> WireMessage? {
        messages.first { !$0.fromSwitch && $0.stream == stream && $0.message.xid == error.xid
            && Array($0.message.bytes.prefix(error.errorData.count)) == Array(error.errorData) }?.message
    }

    /// An ERROR echoing exactly the first 64 bytes of a longer request, verified against it.
    func isVerifiedTruncatedEcho(_ m: WireMessage, stream: Int) -> Bool {
        guard m.type == 1, m.errorData.count == 64, let request = request(answeredBy: m, stream: stream) else { return false }
        return request.bytes.count > 64
    }
}

// MARK: - ovs-ofctl output parsers

/// `dump-ports`: "  port  N: rx pkts=…, bytes=…" followed by "           tx pkts=…, bytes=…".
struct OfctlPortStats {
    var rxPackets: Int
    var txPackets: Int

    static func parse(_ text: String) -> [Int: OfctlPortStats] {
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        var stats: [Int: OfctlPortStats] = [:]
        for (i, line) in lines.enumerated() where line.hasPrefix("port ") && i + 1 < lines.count {
            let head = line.dropFirst(5).trimmingCharacters(in: .whitespaces)
            guard let port = Int(head.prefix { $0.isNumber }),
                  let rx = OfctlText.number(after: "rx pkts=", in: line), let tx = OfctlText.number(after: "tx pkts=", in: lines[i + 1]) else { continue }
            stats[port] = OfctlPortStats(rxPackets: rx, txPackets: tx)
        }
        return stats
    }
}

/// Reading ovs-ofctl's (and other tools') text output.
enum OfctlText {
    /// The integer right after `key` in `text`.
    static func number(after key: String, in text: some StringProtocol) -> Int? {
        guard let r = text.range(of: key) else { return nil }
        return Int(text[r.upperBound...].prefix { $0.isNumber })
    }

    /// `dump-tables`: "table N:" then "active=A, lookup=…, matched=…"; "tables A...B: ditto" repeats
    /// the table before. Returns the active count per table.
    static func activeCounts(_ text: String) -> [Int: Int] {
        var active: [Int: Int] = [:]
        var current: Int?
        var last: Int?
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("tables "), line.hasSuffix("ditto"), let previous = last {
                let bounds = line.dropFirst(7).prefix { $0 != ":" }.components(separatedBy: "...").compactMap { Int($0) }
                if bounds.count == 2, bounds[0] <= bounds[1] { for t in bounds[0]...bounds[1] { active[t] = previous } }
            } else if line.hasPrefix("table "), let n = Int(line.dropFirst(6).prefix { $0.isNumber }) {
                current = n
            } else if let t = current, let a = number(after: "active=", in: line) {
                active[t] = a
                last = a
                current = nil
            }
        }
        return active
    }

    /// The first frame of a classic pcap file (either byte order, µs or ns timestamps).
    static func firstPcapFrame(_ path: String) -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: path), data.count >= 40 else { return nil }
        let bytes = [UInt8](data)
        let littleEndian = bytes[0] == 0xD4 || bytes[0] == 0x4D
        func u32(_ at: Int) -> Int {
            let b = bytes[at..<(at + 4)]
            return (littleEndian ? b.reversed() : Array(b)).reduce(0) { $0 << 8 | Int($1) }
        }
        let captured = u32(24 + 8)
        guard bytes.count >= 40 + captured else { return nil }
        return Array(bytes[40..<(40 + captured)])
    }
}
