/// ARP for Ethernet/IPv4 (RFC 826), 28 bytes.
public struct ARPPacket {
    public static let length = 28
    public static let request: UInt16 = 1
    public static let reply: UInt16 = 2
    public let bytes: UnsafeRawBufferPointer

    /// Validates length and that the packet is Ethernet/IPv4 ARP (htype 1, ptype 0x0800, 6/4).
    @inlinable public init(_ data: UnsafeRawBufferPointer) throws(PacketError) {
        guard data.count >= Self.length else { throw .truncated(.arp, need: Self.length, have: data.count) }
        guard data.be16(0) == 1, data.be16(2) == EtherType.ipv4, data[4] == 6, data[5] == 4 else {
            throw .malformed(.arp, "not Ethernet/IPv4 ARP (htype \(data.be16(0)), ptype 0x\(String(data.be16(2), radix: 16)), hlen \(data[4]), plen \(data[5]))")
        }
        bytes = data
    }

    @inlinable public var hardwareType: UInt16 { bytes.be16(0) }
    @inlinable public var protocolType: UInt16 { bytes.be16(2) }
    @inlinable public var operation: UInt16 { bytes.be16(6) }
    @inlinable public var senderHardwareAddress: MACAddress { bytes.mac(8) }
    @inlinable public var senderProtocolAddress: IPv4Address { IPv4Address(rawValue: bytes.be32(14)) }
    @inlinable public var targetHardwareAddress: MACAddress { bytes.mac(18) }
    @inlinable public var targetProtocolAddress: IPv4Address { IPv4Address(rawValue: bytes.be32(24)) }
}
