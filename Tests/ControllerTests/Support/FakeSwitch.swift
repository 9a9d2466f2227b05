import Controller
import Foundation
import OpenFlow
import Packet
#if canImport(Glibc)
import Glibc
#endif

/// A small OpenFlow 1.3 switch emulator over a real TCP socket, built from the codec: it
/// answers HELLO, FEATURES, PORT_DESC, multipart FLOW (from an in-memory table), BARRIER and
/// ECHO; applies FLOW_MOD add / delete / delete_strict; records everything it receives; and
/// sends PACKET_IN, PORT_STATUS or raw bytes when a test says so.
final class FakeSwitch: @unchecked Sendable {
    struct Behaviour: Sendable {
        /// Versions in the HELLO bitmap (header version = the highest).
        var helloVersions: [UInt8] = [OFP.version]
        var answerEchoes = true
        /// Keep BARRIER_REQUESTs unanswered until `releaseBarriers()`.
        var holdBarriers = false
        /// Flow stats entries per multipart reply message (the rest follow with REPLY_MORE).
        var flowStatsPerReply = 2
        /// An ERROR code to answer a flow-mod with (given its xid), nil to apply it.
        var failFlowMod: (@Sendable (UInt32, OFFlowMod) -> OFErrorCode?)?
        var nTables: UInt8 = 254
    }

    let datapathID: UInt64
    private let lock = NSLock()
    private var fd: Int32 = -1
    private var _behaviour: Behaviour
    private var _ports: [OFPortDescription]
    private var _flows: [OFFlowStats]
    private var _received: [(xid: UInt32, message: OFMessage)] = []
    private var _heldBarriers: [UInt32] = []
    private var _closed = false
    private var _connected = false
    private var nextXID: UInt32 = 0x1000

    init(datapathID: UInt64, ports: [UInt32] = [1, 2, 3], flows: [OFFlowMod] = [], behaviour: Behaviour = .init()) {
        self.datapathID = datapathID
        self._ports = ports.map { FakeSwitch.port($0, datapathID: datapathID) }
        self._flows = flows.map(FakeSwitch.stats)
        self._behaviour = behaviour
    }

    static func port(_ number: UInt32, datapathID: UInt64, config: OFPortConfig = [], state: OFPortState = [.live]) -> OFPortDescription {
        let mac = MACAddress(rawValue: 0x0200_0000_0000 | (datapathID & 0xFF) << 16 | UInt64(number & 0xFFFF))
        let name = number == OFPortNumber.local ? "br\(datapathID)" : "p\(number)"
        return OFPortDescription(portNo: number, hwAddr: mac, name: name, config: config, state: state,
                                 current: [.rate1GbFD, .copper], currentSpeed: 1_000_000, maxSpeed: 1_000_000)
    }

    static func stats(_ f: OFFlowMod) -> OFFlowStats {
        OFFlowStats(tableID: f.tableID, priority: f.priority, idleTimeout: f.idleTimeout, hardTimeout: f.hardTimeout,
                    flags: f.flags, cookie: f.cookie, match: f.match, instructions: f.instructions)
    }

    // MARK: Connection

    /// Connects to 127.0.0.1:`port` and sends HELLO; a reader thread answers from then on.
    func connect(port: Int) throws {
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard s >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            let e = errno
            Glibc.close(s)
            throw POSIXError(.init(rawValue: e) ?? .ECONNREFUSED)
        }
        lock.withLock { fd = s; _closed = false; _connected = true }
        Thread.detachNewThread { [self] in readLoop(s) }
        send(.hello(OFHello(versions: behaviour.helloVersions)))
    }

    /// Closes the connection (the reader thread sees the end and closes the socket).
    func close() {
        let s = lock.withLock { fd }
        if s >= 0 { shutdown(s, Int32(SHUT_RDWR)) }
    }

    var isClosed: Bool { lock.withLock { _connected && _closed } }

    private func readLoop(_ s: Int32) {
        var framer = OFFramer()
        var buffer = [UInt8](repeating: 0, count: 65536)
        loop: while true {
            let n = buffer.withUnsafeMutableBytes { recv(s, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            framer.append(contentsOf: buffer[0..<n])
            while true {
                let frame: OFFrame?
                do { frame = try framer.nextMessage() } catch { break loop }
                guard let frame else { break }
                handle(frame)
            }
        }
        lock.withLock { _closed = true; fd = -1 }
        Glibc.close(s)
    }

    // MARK: What it received and holds

    var behaviour: Behaviour {
        get { lock.withLock { _behaviour } }
        set { lock.withLock { _behaviour = newValue } }
    }

    var received: [OFMessage] { lock.withLock { _received.map(\.message) } }
    var receivedWithXIDs: [(xid: UInt32, message: OFMessage)] { lock.withLock { _received } }
    var flowMods: [OFFlowMod] { received.compactMap { if case .flowMod(let f) = $0 { f } else { nil } } }
    var packetOuts: [OFPacketOut] { received.compactMap { if case .packetOut(let p) = $0 { p } else { nil } } }
    var echoRequests: Int { received.filter { if case .echoRequest = $0 { true } else { false } }.count }
    var flows: [OFFlowStats] { lock.withLock { _flows } }
    var heldBarriers: Int { lock.withLock { _heldBarriers.count } }

    /// The table as (table, priority, match, instructions, cookie) tuples, order-free.
    var flowSet: Set<FlowEntry> { Set(flows.map(FlowEntry.init)) }

    func clearReceived() { lock.withLock { _received.removeAll() } }

    /// Puts an entry into the table as if installed earlier.
    func preload(_ entry: OFFlowStats) { lock.withLock { _flows.append(entry) } }

    // MARK: Sending

    func send(_ message: OFMessage, xid: UInt32? = nil) {
        let x = xid ?? lock.withLock { nextXID += 1; return nextXID }
        sendRaw(try! message.encode(xid: x))
    }

    func sendRaw(_ bytes: [UInt8]) {
        lock.withLock {
            guard fd >= 0 else { return }
            var offset = 0
            while offset < bytes.count {
                let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if n <= 0 { return }
                offset += n
            }
        }
    }

    func sendPacketIn(_ frame: [UInt8], inPort: UInt32, reason: OFPacketInReason = .noMatch) {
        send(.packetIn(OFPacketIn(reason: reason, tableID: 0, match: OFMatch([.inPort(inPort)]), data: frame)))
    }

    func sendPortStatus(_ reason: OFPortReason, _ port: OFPortDescription) {
        lock.withLock {
            _ports.removeAll { $0.portNo == port.portNo }
            if reason != .delete { _ports.append(port) }
        }
        send(.portStatus(OFPortStatus(reason: reason, port: port)))
    }

    func releaseBarriers() {
        let held = lock.withLock { () -> [UInt32] in
            defer { _heldBarriers.removeAll() }
            return _heldBarriers
        }
        for xid in held { send(.barrierReply, xid: xid) }
    }

    // MARK: Behaviour

    private func handle(_ frame: OFFrame) {
        guard let decoded = try? OFMessage.decode(frame) else { return }
        let xid = decoded.header.xid, message = decoded.message
        let b = lock.withLock { () -> Behaviour in
            _received.append((xid, message))
            return _behaviour
        }
        switch message {
        case .featuresRequest:
            send(.featuresReply(OFFeaturesReply(datapathID: datapathID, nBuffers: 0, nTables: b.nTables)), xid: xid)
        case .echoRequest(let data):
            if b.answerEchoes { send(.echoReply(data), xid: xid) }
        case .barrierRequest:
            if b.holdBarriers { lock.withLock { _heldBarriers.append(xid) } } else { send(.barrierReply, xid: xid) }
        case .multipartRequest(let request):
            switch request.body {
            case .portDesc:
                send(.multipartReply(OFMultipartReply(.portDesc(lock.withLock { _ports }))), xid: xid)
            case .flow(let r):
                let entries = flows.filter { r.tableID == OFTableID.all || $0.tableID == r.tableID }
                let per = max(b.flowStatsPerReply, 1)
                var chunks: [[OFFlowStats]] = []
                var start = 0
                repeat {
                    let end = min(start + per, entries.count)
                    chunks.append(Array(entries[start..<end]))
                    start = end
                } while start < entries.count
                for (i, chunk) in chunks.enumerated() {
                    send(.multipartReply(OFMultipartReply(.flow(chunk), flags: i < chunks.count - 1 ? .more : [])), xid: xid)
                }
            default:
                send(.error(.badRequest(.badMultipart), offending: Array(frame.bytes)), xid: xid)
            }
        case .flowMod(let f):
            if let code = b.failFlowMod?(xid, f) {
                send(.error(code, offending: Array(frame.bytes)), xid: xid)
            } else {
                apply(f)
            }
        default:
            break
        }
    }

    private func apply(_ f: OFFlowMod) {
        let id = FlowSync.identity(of: f)
        func cookieMatches(_ e: OFFlowStats) -> Bool { e.cookie & f.cookieMask == f.cookie & f.cookieMask }
        lock.withLock {
            switch f.command {
            case .add:
                _flows.removeAll { FlowIdentity(tableID: $0.tableID, priority: $0.priority, match: $0.match) == id }
                _flows.append(FakeSwitch.stats(f))
            case .deleteStrict:
                _flows.removeAll { FlowIdentity(tableID: $0.tableID, priority: $0.priority, match: $0.match) == id && cookieMatches($0) }
            case .delete:
                _flows.removeAll { e in
                    (f.tableID == OFTableID.all || e.tableID == f.tableID) && cookieMatches(e)
                        && f.match.fields.allSatisfy { e.match.fields.contains($0) }
                        && (f.outPort == OFPortNumber.any || e.instructions.contains { i in
                            if case .applyActions(let actions) = i {
                                return actions.contains { if case .output(f.outPort, _) = $0 { true } else { false } }
                            }
                            return false
                        })
                }
            case .modify, .modifyStrict:
                break
            }
        }
    }
}

/// A flow entry as re-sync compares it.
struct FlowEntry: Hashable, CustomStringConvertible {
    var identity: FlowIdentity
    var cookie: UInt64
    var instructions: OFInstructionList

    init(_ e: OFFlowStats) {
        identity = FlowIdentity(tableID: e.tableID, priority: e.priority, match: e.match)
        cookie = e.cookie
        instructions = FlowSync.normalize(e.instructions)
    }

    init(_ f: OFFlowMod) { self.init(FakeSwitch.stats(f)) }

    var description: String {
        "table=\(identity.tableID),priority=\(identity.priority),\(identity.match),cookie=0x\(String(cookie, radix: 16))"
    }
}
