/// Ethernet II header view (dst, src, ethertype), 14 bytes.
public struct EthernetHeader {
    public static let length = 14
    public let bytes: UnsafeRawBufferPointer

    @inlinable public init(_ frame: UnsafeRawBufferPointer) throws(PacketError) {
        guard frame.count >= Self.length else { throw .truncated(.ethernet, need: Self.length, have: frame.count) }
        bytes = frame
    }

    @inlinable public var destination: MACAddress { bytes.mac(0) }
    @inlinable public var source: MACAddress { bytes.mac(6) }
    /// The ethertype field right after the addresses (a TPID when the frame is tagged).
    @inlinable public var etherType: UInt16 { bytes.be16(12) }
    @inlinable public var payload: UnsafeRawBufferPointer { bytes.suffix(from: Self.length) }
}

/// One 802.1Q / 802.1ad tag: the 4 bytes TPID + TCI as they sit in a frame, read where the
/// tag's TCI starts (`bytes` begins at the TCI; the TPID is the preceding ethertype).
public struct VLANTag: Hashable, Sendable {
    public var tpid: UInt16
    public var pcp: UInt8
    public var dei: Bool
    public var vid: UInt16

    public init(tpid: UInt16 = EtherType.vlan, pcp: UInt8 = 0, dei: Bool = false, vid: UInt16) {
        self.tpid = tpid; self.pcp = pcp & 7; self.dei = dei; self.vid = vid & 0xFFF
    }

    public init(tpid: UInt16, tci: UInt16) {
        self.init(tpid: tpid, pcp: UInt8(tci >> 13), dei: tci & 0x1000 != 0, vid: tci & 0xFFF)
    }

    public var tci: UInt16 { UInt16(pcp) << 13 | (dei ? 0x1000 : 0) | vid }
}

/// Walks the VLAN tags of a frame: yields each tag and where the inner ethertype is.
public struct VLANStack {
    public var tags: [VLANTag] = []
    /// The ethertype after all tags.
    public var innerEtherType: UInt16
    /// Offset of the first byte after the tags (the L3 header).
    public var payloadOffset: Int

    /// Reads every tag of `frame` (which starts at the Ethernet header).
    public init(_ frame: UnsafeRawBufferPointer) throws(PacketError) {
        let eth = try EthernetHeader(frame)
        var type = eth.etherType
        var offset = EthernetHeader.length
        while EtherType.isVLANTag(type) {
            guard frame.count >= offset + 4 else { throw .truncated(.vlan, need: offset + 4, have: frame.count) }
            tags.append(VLANTag(tpid: type, tci: frame.be16(offset)))
            type = frame.be16(offset + 2)
            offset += 4
        }
        innerEtherType = type
        payloadOffset = offset
    }
}
