import Foundation
import Glibc
import OpenFlow
import Packet
import Synchronization

/// One emulated OpenFlow switch (cbench style): answers the controller's handshake and
/// requests, then sends PACKET_INs and counts the FLOW_MOD and PACKET_OUT answers.
final class EmulatedSwitch: @unchecked Sendable {
    let dpid: UInt64
    let fd: Int32
    var framer = OFFramer()
    /// As a switch agent decodes its connection (options as `OFMessage.decode`'s default).
    var decoder = OFMessageDecoder()
    let macs: Int
    /// PACKET_INs written (by the writer thread).
    let sent = Atomic<Int>(0)
    /// FLOW_MOD and PACKET_OUT answers, and of those the PACKET_OUTs (by the reader thread).
    let responses = Atomic<Int>(0)
    let packetOuts = Atomic<Int>(0)
    var xid: UInt32 = 1
    let lock = NSLock()
    /// Signalled once the controller's handshake is answered (see `readLoop`).
    let handshakeDone = DispatchSemaphore(value: 0)

    init(dpid: UInt64, host: String, port: UInt16, macs: Int) throws {
        self.dpid = dpid
        self.macs = macs
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        inet_pton(AF_INET, host, &addr.sin_addr)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { throw NSError(domain: "ofbench", code: Int(errno), userInfo: [NSLocalizedDescriptionKey: "connect \(host):\(port): \(String(cString: strerror(errno)))"]) }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(4))
        send(.hello(.openFlow13))
    }

    func send(_ m: OFMessage, xid explicit: UInt32? = nil) {
        guard let bytes = try? m.encode(xid: explicit ?? nextXID()) else { return }
        lock.lock(); defer { lock.unlock() }
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            off += n
        }
    }

    func nextXID() -> UInt32 { lock.lock(); defer { lock.unlock() }; xid &+= 1; return xid }

    /// The frame of PACKET_IN number `i`: a UDP frame between two of this switch's hosts.
    func frame(_ i: Int) -> [UInt8] {
        let src = MACAddress(rawValue: 0x0200_0000_0000 | (dpid & 0xFF) << 24 | UInt64(i % macs))
        let dst = MACAddress(rawValue: 0x0200_0000_0000 | (dpid & 0xFF) << 24 | UInt64((i + 1) % macs))
        let ip = IPv4Packet(source: IPv4Address(10, 0, 0, 1), destination: IPv4Address(10, 0, 0, 2), protocol: 17,
                            payload: [0, 1, 0, 2, 0, 8, 0, 0])
        return EthernetFrame(destination: dst, source: src, etherType: EtherType.ipv4, payload: ip.bytes()).bytes(minimumLength: 60)
    }

    func packetIn(_ i: Int) {
        let data = frame(i)
        let port = UInt32(1 + i % 4)
        send(.packetIn(OFPacketIn(reason: .noMatch, tableID: 0, match: OFMatch([.inPort(port)]), data: data)))
        sent.add(1, ordering: .relaxed)
    }

    /// PACKET_INs with no PACKET_OUT yet.
    var unanswered: Int { sent.load(ordering: .relaxed) - packetOuts.load(ordering: .relaxed) }

    /// Reads and answers until `stop` is set; counts responses.
    /// `onPacketOut` runs for every PACKET_OUT: the answer that completes a PACKET_IN.
    func readLoop(stop: @escaping () -> Bool, onPacketOut: @escaping () -> Void) {
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        var tv = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        while !stop() {
            let n = read(fd, &buf, buf.count)
            if n == 0 { return }
            if n < 0 { continue }
            framer.append(Array(buf[..<n]))
            while let frame = try? framer.nextMessage() {
                guard let decoded = try? decoder.decode(frame) else { continue }
                let header = decoded.header
                switch decoded.message {
                case .featuresRequest:
                    send(.featuresReply(OFFeaturesReply(datapathID: dpid, nTables: 254)), xid: header.xid)
                case .echoRequest(let p):
                    send(.echoReply(p), xid: header.xid)
                case .barrierRequest:
                    send(.barrierReply, xid: header.xid)
                case .getConfigRequest:
                    send(.getConfigReply(OFSwitchConfig()), xid: header.xid)
                case .multipartRequest(let r):
                    switch r.body {
                    case .portDesc:
                        let ports = (1...4).map { OFPortDescription(portNo: UInt32($0), hwAddr: MACAddress(rawValue: 0x0200_0000_0000 | UInt64($0)), name: "p\($0)", state: .live) }
                        send(.multipartReply(OFMultipartReply(.portDesc(ports))), xid: header.xid)
                        // sdn-controller's last handshake request: it takes PACKET_INs from the
                        // switch once it has this reply and drops (and counts) those that came
                        // before, as controllers do before they know a switch. PACKET_INs written
                        // earlier were lost, and the window they held with them.
                        handshakeDone.signal()
                    case .flow:
                        send(.multipartReply(OFMultipartReply(.flow([]))), xid: header.xid)
                    case .desc:
                        send(.multipartReply(OFMultipartReply(.desc(OFSwitchDescription(manufacturer: "ofbench", hardware: "emulated", software: "0", serialNumber: "0", datapath: "\(dpid)")))), xid: header.xid)
                    default:
                        send(.error(.badRequest(.badMultipart), offending: Array(frame.bytes.prefix(64))), xid: header.xid)
                    }
                case .flowMod(let fm) where fm.command == OFFlowModCommand.add && fm.priority > 0:
                    responses.add(1, ordering: .relaxed)
                case .packetOut:
                    // Every PACKET_IN the learning app handles ends in one PACKET_OUT.
                    responses.add(1, ordering: .relaxed)
                    packetOuts.add(1, ordering: .relaxed)
                    onPacketOut()
                default:
                    break
                }
            }
        }
    }
}
