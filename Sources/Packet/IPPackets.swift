/// Builds an IPv4 packet with a correct header checksum. Options are zero-padded to 32 bits.
public struct IPv4Packet: Sendable {
    public var source: IPv4Address
    public var destination: IPv4Address
    public var `protocol`: UInt8
    public var ttl: UInt8 = 64
    public var dscp: UInt8 = 0
    public var ecn: UInt8 = 0
    public var identification: UInt16 = 0
    /// 0x2 = don't fragment, 0x1 = more fragments.
    public var flags: UInt8 = 0
    /// In 8-byte units.
    public var fragmentOffset: UInt16 = 0
    public var options: [UInt8] = []
    public var payload: [UInt8]

    public init(source: IPv4Address, destination: IPv4Address, protocol proto: UInt8, payload: [UInt8]) {
        self.source = source; self.destination = destination; self.protocol = proto; self.payload = payload
    }

    public var pseudoHeader: PseudoHeader { .v4(source, destination) }

    public func bytes() -> [UInt8] {
        var opts = options
        while opts.count % 4 != 0 { opts.append(0) }
        let headerLength = 20 + opts.count
        var out: [UInt8] = []
        out.reserveCapacity(headerLength + payload.count)
        out.append(0x40 | UInt8(headerLength / 4))
        out.append(dscp << 2 | (ecn & 3))
        out.appendBE16(UInt16(truncatingIfNeeded: headerLength + payload.count))
        out.appendBE16(identification)
        out.appendBE16(UInt16(flags & 7) << 13 | (fragmentOffset & 0x1FFF))
        out.append(ttl)
        out.append(self.protocol)
        out.appendBE16(0)
        out.appendBE32(source.rawValue)
        out.appendBE32(destination.rawValue)
        out += opts
        let checksum = out.withUnsafeBytes { InternetChecksum.compute($0) }
        out.setBE16(checksum, at: 10)
        return out + payload
    }
}

/// One IPv6 extension header to place before the upper-layer payload.
public enum IPv6ExtensionHeader: Sendable {
    /// Hop-by-hop options with PadN filling to a multiple of 8 bytes.
    case hopByHop
    case destinationOptions
    /// Routing header: type and segments (type 0 layout; segments left as given).
    case routing(type: UInt8, segmentsLeft: UInt8, addresses: [IPv6Address])
    case fragment(offset: UInt16, moreFragments: Bool, identification: UInt32)

    var nextHeaderValue: UInt8 {
        switch self {
        case .hopByHop: IPProtocol.hopByHop
        case .destinationOptions: IPProtocol.destinationOptions
        case .routing: IPProtocol.routing
        case .fragment: IPProtocol.fragment
        }
    }

    func bytes(next: UInt8) -> [UInt8] {
        switch self {
        case .hopByHop, .destinationOptions:
            return [next, 0, 1, 4, 0, 0, 0, 0]  // one PadN option of 4 bytes fills 8
        case .routing(let type, let left, let addresses):
            var out: [UInt8] = [next, UInt8(addresses.count * 2), type, left, 0, 0, 0, 0]
            for a in addresses { out.appendIPv6(a) }
            return out
        case .fragment(let offset, let more, let id):
            var out: [UInt8] = [next, 0]
            out.appendBE16(offset << 3 | (more ? 1 : 0))
            out.appendBE32(id)
            return out
        }
    }
}

/// Builds an IPv6 packet; `nextHeader` is the upper-layer protocol after the extension headers.
public struct IPv6Packet: Sendable {
    public var source: IPv6Address
    public var destination: IPv6Address
    public var nextHeader: UInt8
    public var hopLimit: UInt8 = 64
    public var dscp: UInt8 = 0
    public var ecn: UInt8 = 0
    public var flowLabel: UInt32 = 0
    public var extensionHeaders: [IPv6ExtensionHeader] = []
    public var payload: [UInt8]

    public init(source: IPv6Address, destination: IPv6Address, nextHeader: UInt8, payload: [UInt8]) {
        self.source = source; self.destination = destination; self.nextHeader = nextHeader; self.payload = payload
    }

    public var pseudoHeader: PseudoHeader { .v6(source, destination) }

    public func bytes() -> [UInt8] {
        var ext: [UInt8] = []
        for (i, header) in extensionHeaders.enumerated() {
            let next = i + 1 < extensionHeaders.count ? extensionHeaders[i + 1].nextHeaderValue : nextHeader
            ext += header.bytes(next: next)
        }
        var out: [UInt8] = []
        out.reserveCapacity(40 + ext.count + payload.count)
        let tc = UInt32(dscp << 2 | (ecn & 3))
        out.appendBE32(6 << 28 | tc << 20 | (flowLabel & 0xF_FFFF))
        out.appendBE16(UInt16(truncatingIfNeeded: ext.count + payload.count))
        out.append(extensionHeaders.first?.nextHeaderValue ?? nextHeader)
        out.append(hopLimit)
        out.appendIPv6(source)
        out.appendIPv6(destination)
        return out + ext + payload
    }
}

/// The addresses of the pseudo-header that TCP, UDP and ICMPv6 checksums cover.
public enum PseudoHeader: Sendable {
    case v4(IPv4Address, IPv4Address)
    case v6(IPv6Address, IPv6Address)

    public func checksum(_ segment: [UInt8], protocol proto: UInt8) -> UInt16 {
        segment.withUnsafeBytes { raw in
            switch self {
            case .v4(let s, let d): InternetChecksum.transport(raw, protocol: proto, source: s, destination: d)
            case .v6(let s, let d): InternetChecksum.transport(raw, protocol: proto, source: s, destination: d)
            }
        }
    }
}
