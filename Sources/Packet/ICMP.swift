/// ICMPv4 message view (RFC 792). Echo messages carry identifier and sequence.
public struct ICMPv4Message {
    public static let minimumLength = 4
    public static let echoReply: UInt8 = 0
    public static let destinationUnreachable: UInt8 = 3
    public static let echoRequest: UInt8 = 8
    public static let timeExceeded: UInt8 = 11
    public let bytes: UnsafeRawBufferPointer

    @inlinable public init(_ data: UnsafeRawBufferPointer) throws(PacketError) {
        guard data.count >= Self.minimumLength else { throw .truncated(.icmpv4, need: Self.minimumLength, have: data.count) }
        bytes = data
    }

    @inlinable public var type: UInt8 { bytes[0] }
    @inlinable public var code: UInt8 { bytes[1] }
    @inlinable public var checksum: UInt16 { bytes.be16(2) }
    @inlinable public var isEcho: Bool { type == Self.echoRequest || type == Self.echoReply }
    /// Identifier of an echo message (nil when not echo or too short).
    public var identifier: UInt16? { isEcho && bytes.count >= 8 ? bytes.be16(4) : nil }
    public var sequence: UInt16? { isEcho && bytes.count >= 8 ? bytes.be16(6) : nil }
    public var isChecksumValid: Bool { InternetChecksum.compute(bytes) == 0 }
}

/// ICMPv6 message view (RFC 4443), with the neighbour discovery messages of RFC 4861.
public struct ICMPv6Message {
    public static let minimumLength = 4
    public static let echoRequest: UInt8 = 128
    public static let echoReply: UInt8 = 129
    public static let routerSolicitation: UInt8 = 133
    public static let routerAdvertisement: UInt8 = 134
    public static let neighborSolicitation: UInt8 = 135
    public static let neighborAdvertisement: UInt8 = 136
    public let bytes: UnsafeRawBufferPointer

    @inlinable public init(_ data: UnsafeRawBufferPointer) throws(PacketError) {
        guard data.count >= Self.minimumLength else { throw .truncated(.icmpv6, need: Self.minimumLength, have: data.count) }
        bytes = data
    }

    @inlinable public var type: UInt8 { bytes[0] }
    @inlinable public var code: UInt8 { bytes[1] }
    @inlinable public var checksum: UInt16 { bytes.be16(2) }
    @inlinable public var isEcho: Bool { type == Self.echoRequest || type == Self.echoReply }
    public var identifier: UInt16? { isEcho && bytes.count >= 8 ? bytes.be16(4) : nil }
    public var sequence: UInt16? { isEcho && bytes.count >= 8 ? bytes.be16(6) : nil }

    @inlinable var isNeighborDiscovery: Bool {
        type == Self.neighborSolicitation || type == Self.neighborAdvertisement
    }

    /// Target address of a neighbour solicitation or advertisement.
    public var targetAddress: IPv6Address? {
        isNeighborDiscovery && bytes.count >= 24 ? bytes.ipv6(8) : nil
    }

    /// R/S/O flags of a neighbour advertisement, as the top byte of the reserved word (R=0x80, S=0x40, O=0x20).
    public var advertisementFlags: UInt8? {
        type == Self.neighborAdvertisement && bytes.count >= 8 ? bytes[4] : nil
    }

    /// Where the options of a neighbour discovery message start (RFC 4861 §4), or nil.
    var optionsOffset: Int? {
        switch type {
        case Self.routerSolicitation: 8
        case Self.routerAdvertisement: 16
        case Self.neighborSolicitation, Self.neighborAdvertisement: 24
        default: nil
        }
    }

    /// The link-layer address option: source (RS, RA, NS) or target (NA), if present.
    public var linkLayerAddress: MACAddress? {
        guard var offset = optionsOffset else { return nil }
        let wanted: UInt8 = type == Self.neighborAdvertisement ? 2 : 1
        while offset + 2 <= bytes.count {
            let optionType = bytes[offset]
            let length = Int(bytes[offset + 1]) * 8
            guard length > 0, offset + length <= bytes.count else { return nil }
            if optionType == wanted && length >= 8 { return bytes.mac(offset + 2) }
            offset += length
        }
        return nil
    }
}
