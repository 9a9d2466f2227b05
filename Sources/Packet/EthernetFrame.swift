/// Builds an Ethernet II frame, optionally with 802.1Q / 802.1ad tags (outermost first).
public struct EthernetFrame: Sendable {
    public var destination: MACAddress
    public var source: MACAddress
    public var tags: [VLANTag]
    public var etherType: UInt16
    public var payload: [UInt8]

    public init(destination: MACAddress, source: MACAddress, tags: [VLANTag] = [],
                etherType: UInt16, payload: [UInt8]) {
        self.destination = destination; self.source = source; self.tags = tags
        self.etherType = etherType; self.payload = payload
    }

    /// The frame bytes; padded with zeros to `minimumLength` (60 for the wire minimum without FCS).
    public func bytes(minimumLength: Int = 0) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(14 + 4 * tags.count + payload.count)
        out.appendMAC(destination)
        out.appendMAC(source)
        for tag in tags {
            out.appendBE16(tag.tpid)
            out.appendBE16(tag.tci)
        }
        out.appendBE16(etherType)
        out += payload
        if out.count < minimumLength { out += [UInt8](repeating: 0, count: minimumLength - out.count) }
        return out
    }
}

/// Builds ARP for Ethernet/IPv4 (28 bytes).
public struct ARPMessage: Sendable {
    public var operation: UInt16
    public var senderHardwareAddress: MACAddress
    public var senderProtocolAddress: IPv4Address
    public var targetHardwareAddress: MACAddress
    public var targetProtocolAddress: IPv4Address

    public init(operation: UInt16, senderHardwareAddress: MACAddress, senderProtocolAddress: IPv4Address,
                targetHardwareAddress: MACAddress = .zero, targetProtocolAddress: IPv4Address) {
        self.operation = operation
        self.senderHardwareAddress = senderHardwareAddress; self.senderProtocolAddress = senderProtocolAddress
        self.targetHardwareAddress = targetHardwareAddress; self.targetProtocolAddress = targetProtocolAddress
    }

    public func bytes() -> [UInt8] {
        var out: [UInt8] = [0, 1, 0x08, 0x00, 6, 4]
        out.appendBE16(operation)
        out.appendMAC(senderHardwareAddress); out.appendBE32(senderProtocolAddress.rawValue)
        out.appendMAC(targetHardwareAddress); out.appendBE32(targetProtocolAddress.rawValue)
        return out
    }
}

/// Builds the 8-byte VXLAN header followed by the inner frame (RFC 7348 §5).
public func vxlanPayload(vni: UInt32, inner: [UInt8]) -> [UInt8] {
    var out: [UInt8] = [VXLANHeader.flagVNIValid, 0, 0, 0]
    out.appendBE32((vni & 0xFF_FFFF) << 8)
    return out + inner
}
