/// LACPDU (IEEE 802.1AX-2008 §5.4.2), carried in a Slow Protocols frame (ethertype 0x8809,
/// destination 01:80:c2:00:00:02). `bytes` starts at the subtype octet.
public struct LACPDU {
    public static let length = 110
    public static let subtype: UInt8 = 1
    public static let destination = MACAddress(0x01, 0x80, 0xC2, 0x00, 0x00, 0x02)
    public let bytes: UnsafeRawBufferPointer

    /// The actor or partner information TLV.
    public struct Participant: Hashable, Sendable {
        public var systemPriority: UInt16
        public var system: MACAddress
        public var key: UInt16
        public var portPriority: UInt16
        public var port: UInt16
        public var state: State

        public init(systemPriority: UInt16 = 0, system: MACAddress = .zero, key: UInt16 = 0,
                    portPriority: UInt16 = 0, port: UInt16 = 0, state: State = []) {
            self.systemPriority = systemPriority; self.system = system; self.key = key
            self.portPriority = portPriority; self.port = port; self.state = state
        }
    }

    /// Actor/partner state bits (802.1AX §5.4.2.2 item s).
    public struct State: OptionSet, Hashable, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let activity = State(rawValue: 0x01)
        public static let timeout = State(rawValue: 0x02)
        public static let aggregation = State(rawValue: 0x04)
        public static let synchronization = State(rawValue: 0x08)
        public static let collecting = State(rawValue: 0x10)
        public static let distributing = State(rawValue: 0x20)
        public static let defaulted = State(rawValue: 0x40)
        public static let expired = State(rawValue: 0x80)
    }

    /// Validates subtype, version and the actor/partner/collector TLV headers.
    public init(_ data: UnsafeRawBufferPointer) throws(PacketError) {
        // Some senders trim the trailing reserved octets; everything up to the terminator must be present.
        guard data.count >= 60 else { throw .truncated(.lacp, need: 60, have: data.count) }
        guard data[0] == Self.subtype else { throw .malformed(.lacp, "subtype \(data[0]) is not LACP") }
        guard data[2] == 1, data[3] == 20 else { throw .malformed(.lacp, "actor TLV type \(data[2]) length \(data[3])") }
        guard data[22] == 2, data[23] == 20 else { throw .malformed(.lacp, "partner TLV type \(data[22]) length \(data[23])") }
        guard data[42] == 3, data[43] == 16 else { throw .malformed(.lacp, "collector TLV type \(data[42]) length \(data[43])") }
        bytes = data
    }

    public var version: UInt8 { bytes[1] }
    public var actor: Participant { participant(at: 4) }
    public var partner: Participant { participant(at: 24) }
    public var collectorMaxDelay: UInt16 { bytes.be16(44) }

    func participant(at o: Int) -> Participant {
        Participant(systemPriority: bytes.be16(o), system: bytes.mac(o + 2), key: bytes.be16(o + 8),
                    portPriority: bytes.be16(o + 10), port: bytes.be16(o + 12),
                    state: State(rawValue: bytes[o + 14]))
    }

    /// Builds a 110-byte LACPDU (without the Ethernet header).
    public static func build(actor: Participant, partner: Participant, collectorMaxDelay: UInt16 = 0) -> [UInt8] {
        var out: [UInt8] = [subtype, 1]
        func tlv(_ type: UInt8, _ p: Participant) {
            out += [type, 20]
            out.appendBE16(p.systemPriority); out.appendMAC(p.system); out.appendBE16(p.key)
            out.appendBE16(p.portPriority); out.appendBE16(p.port); out.append(p.state.rawValue)
            out += [0, 0, 0]
        }
        tlv(1, actor)
        tlv(2, partner)
        out += [3, 16]
        out.appendBE16(collectorMaxDelay)
        out += [UInt8](repeating: 0, count: 12)
        out += [0, 0]
        out += [UInt8](repeating: 0, count: 50)
        return out
    }
}
