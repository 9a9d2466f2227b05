/// IPv6 fixed header view (RFC 8200) with a walk over the extension headers.
public struct IPv6Header {
    public static let length = 40
    public let bytes: UnsafeRawBufferPointer

    @inlinable public init(_ data: UnsafeRawBufferPointer) throws(PacketError) {
        guard data.count >= Self.length else { throw .truncated(.ipv6, need: Self.length, have: data.count) }
        guard data[0] >> 4 == 6 else { throw .malformed(.ipv6, "version \(data[0] >> 4)") }
        bytes = data
    }

    @inlinable public var trafficClass: UInt8 { UInt8(truncatingIfNeeded: bytes.be32(0) >> 20) }
    @inlinable public var dscp: UInt8 { trafficClass >> 2 }
    @inlinable public var ecn: UInt8 { trafficClass & 3 }
    @inlinable public var flowLabel: UInt32 { bytes.be32(0) & 0xF_FFFF }
    @inlinable public var payloadLength: UInt16 { bytes.be16(4) }
    @inlinable public var nextHeader: UInt8 { bytes[6] }
    @inlinable public var hopLimit: UInt8 { bytes[7] }
    @inlinable public var source: IPv6Address { bytes.ipv6(8) }
    @inlinable public var destination: IPv6Address { bytes.ipv6(24) }

    /// Result of skipping hop-by-hop, routing, fragment and destination-options headers.
    public struct UpperLayer {
        /// The final next-header value (the upper-layer protocol).
        public var protocolNumber: UInt8
        /// Offset of the upper-layer header from the start of the IPv6 header.
        public var offset: Int
        /// Fragment offset (8-byte units) if a fragment header was seen.
        public var fragmentOffset: UInt16?
        public var moreFragments: Bool
        /// Next-header values of the extension headers skipped, in order.
        public var extensionHeaderCount: Int
    }

    @inlinable static func isExtension(_ nh: UInt8) -> Bool {
        nh == IPProtocol.hopByHop || nh == IPProtocol.routing || nh == IPProtocol.fragment
            || nh == IPProtocol.destinationOptions
    }

    /// Skips extension headers. Throws `truncated(.ipv6)` when one runs past the frame.
    public func upperLayer() throws(PacketError) -> UpperLayer {
        try walkExtensionHeaders { _ in }
    }

    /// The walk behind `upperLayer` and `extensionHeaders`; `visit` sees each extension header's type.
    func walkExtensionHeaders(_ visit: (UInt8) -> Void) throws(PacketError) -> UpperLayer {
        var nh = nextHeader
        var offset = Self.length
        var result = UpperLayer(protocolNumber: nh, offset: offset, fragmentOffset: nil,
                                moreFragments: false, extensionHeaderCount: 0)
        // A bound on the walk: a frame cannot hold more extension headers than 8-byte units.
        var remaining = 64
        while Self.isExtension(nh) && remaining > 0 {
            remaining -= 1
            guard bytes.count >= offset + 8 else { throw .truncated(.ipv6, need: offset + 8, have: bytes.count) }
            visit(nh)
            let length: Int
            if nh == IPProtocol.fragment {
                let fo = bytes.be16(offset + 2)
                result.fragmentOffset = fo >> 3
                result.moreFragments = fo & 1 != 0
                length = 8
            } else {
                length = (Int(bytes[offset + 1]) + 1) * 8
            }
            guard bytes.count >= offset + length else { throw .truncated(.ipv6, need: offset + length, have: bytes.count) }
            nh = bytes[offset]
            offset += length
            result.extensionHeaderCount += 1
        }
        result.protocolNumber = nh
        result.offset = offset
        return result
    }

    /// Next-header values of every extension header, in order (for diagnostics and tests).
    public func extensionHeaders() throws(PacketError) -> [UInt8] {
        var out: [UInt8] = []
        _ = try walkExtensionHeaders { out.append($0) }
        return out
    }
}
