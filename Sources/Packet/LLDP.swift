/// LLDPDU (IEEE 802.1AB): a sequence of TLVs after an Ethernet header with ethertype 0x88cc.
public struct LLDPDU: Hashable, Sendable {
    public static let destination = MACAddress(0x01, 0x80, 0xC2, 0x00, 0x00, 0x0E)

    public enum ChassisIDSubtype { public static let macAddress: UInt8 = 4; public static let local: UInt8 = 7 }
    public enum PortIDSubtype { public static let interfaceName: UInt8 = 5; public static let local: UInt8 = 7 }

    public var chassisIDSubtype: UInt8
    /// The raw chassis id (6 bytes for subtype 4, MAC address).
    public var chassisID: [UInt8]
    public var portIDSubtype: UInt8
    public var portID: [UInt8]
    public var ttl: UInt16
    public var systemName: String?

    public init(chassisIDSubtype: UInt8, chassisID: [UInt8], portIDSubtype: UInt8, portID: [UInt8],
                ttl: UInt16, systemName: String? = nil) {
        self.chassisIDSubtype = chassisIDSubtype; self.chassisID = chassisID
        self.portIDSubtype = portIDSubtype; self.portID = portID
        self.ttl = ttl; self.systemName = systemName
    }

    /// Chassis id as text: a MAC string for subtype 4, otherwise the bytes as UTF-8.
    public var chassisIDText: String { Self.text(chassisID, isMAC: chassisIDSubtype == ChassisIDSubtype.macAddress) }
    public var portIDText: String { Self.text(portID, isMAC: portIDSubtype == 3) }

    static func text(_ b: [UInt8], isMAC: Bool) -> String {
        if isMAC && b.count == 6 { return MACAddress(b[0], b[1], b[2], b[3], b[4], b[5]).description }
        return String(decoding: b, as: UTF8.self)
    }

    /// Parses the TLVs (starting right after the Ethernet header). The three mandatory TLVs
    /// must come first, in order (802.1AB §8.2), and the list must end with an End TLV.
    public init(_ data: UnsafeRawBufferPointer) throws(PacketError) {
        var offset = 0
        var index = 0
        var chassis: (UInt8, [UInt8])?
        var port: (UInt8, [UInt8])?
        var ttl: UInt16?
        var name: String?
        while true {
            guard data.count >= offset + 2 else { throw .truncated(.lldp, need: offset + 2, have: data.count) }
            let header = data.be16(offset)
            let type = UInt8(header >> 9)
            let length = Int(header & 0x1FF)
            guard data.count >= offset + 2 + length else { throw .truncated(.lldp, need: offset + 2 + length, have: data.count) }
            let value = Array(data.slice(offset + 2, length))
            switch (index, type) {
            case (0, 1):
                guard length >= 2 else { throw .malformed(.lldp, "chassis id TLV length \(length)") }
                chassis = (value[0], Array(value[1...]))
            case (0, _): throw .malformed(.lldp, "first TLV is type \(type), not chassis id")
            case (1, 2):
                guard length >= 2 else { throw .malformed(.lldp, "port id TLV length \(length)") }
                port = (value[0], Array(value[1...]))
            case (1, _): throw .malformed(.lldp, "second TLV is type \(type), not port id")
            case (2, 3):
                guard length >= 2 else { throw .malformed(.lldp, "TTL TLV length \(length)") }
                ttl = UInt16(value[0]) << 8 | UInt16(value[1])
            case (2, _): throw .malformed(.lldp, "third TLV is type \(type), not TTL")
            case (_, 0):
                guard let chassis, let port, let ttl else { throw .malformed(.lldp, "End TLV before mandatory TLVs") }
                self.init(chassisIDSubtype: chassis.0, chassisID: chassis.1, portIDSubtype: port.0,
                          portID: port.1, ttl: ttl, systemName: name)
                return
            case (_, 5): name = String(decoding: value, as: UTF8.self)
            default: break  // optional TLVs we do not interpret
            }
            offset += 2 + length
            index += 1
        }
    }

    /// Encodes the LLDPDU (TLVs only, no Ethernet header), ending with an End TLV.
    public func bytes() -> [UInt8] {
        var out: [UInt8] = []
        func tlv(_ type: UInt8, _ value: [UInt8]) {
            out.appendBE16(UInt16(type) << 9 | UInt16(value.count & 0x1FF))
            out += value
        }
        tlv(1, [chassisIDSubtype] + chassisID)
        tlv(2, [portIDSubtype] + portID)
        tlv(3, [UInt8(ttl >> 8), UInt8(ttl & 0xFF)])
        if let systemName { tlv(5, Array(systemName.utf8)) }
        tlv(0, [])
        return out
    }
}
