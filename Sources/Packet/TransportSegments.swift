/// Builds a TCP segment with its checksum over the given pseudo-header.
public struct TCPSegment: Sendable {
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    public var sequenceNumber: UInt32 = 0
    public var acknowledgmentNumber: UInt32 = 0
    public var flags: TCPHeader.Flags = []
    public var window: UInt16 = 65535
    public var urgentPointer: UInt16 = 0
    /// Raw option bytes, zero-padded to 32 bits.
    public var options: [UInt8] = []
    public var payload: [UInt8] = []

    public init(sourcePort: UInt16, destinationPort: UInt16, flags: TCPHeader.Flags = [], payload: [UInt8] = []) {
        self.sourcePort = sourcePort; self.destinationPort = destinationPort; self.flags = flags; self.payload = payload
    }

    public func bytes(_ pseudo: PseudoHeader) -> [UInt8] {
        var opts = options
        while opts.count % 4 != 0 { opts.append(0) }
        var out: [UInt8] = []
        out.appendBE16(sourcePort); out.appendBE16(destinationPort)
        out.appendBE32(sequenceNumber); out.appendBE32(acknowledgmentNumber)
        out.appendBE16(UInt16((20 + opts.count) / 4) << 12 | flags.rawValue & 0x1FF)
        out.appendBE16(window)
        out.appendBE16(0)
        out.appendBE16(urgentPointer)
        out += opts
        out += payload
        out.setBE16(pseudo.checksum(out, protocol: IPProtocol.tcp), at: 16)
        return out
    }
}

/// Builds a UDP datagram. A computed checksum of 0 is sent as 0xFFFF (RFC 768).
public struct UDPDatagram: Sendable {
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    public var payload: [UInt8]
    /// IPv4 allows leaving the checksum out (0); IPv6 does not.
    public var computeChecksum = true

    public init(sourcePort: UInt16, destinationPort: UInt16, payload: [UInt8]) {
        self.sourcePort = sourcePort; self.destinationPort = destinationPort; self.payload = payload
    }

    public func bytes(_ pseudo: PseudoHeader) -> [UInt8] {
        var out: [UInt8] = []
        out.appendBE16(sourcePort); out.appendBE16(destinationPort)
        out.appendBE16(UInt16(truncatingIfNeeded: 8 + payload.count))
        out.appendBE16(0)
        out += payload
        if computeChecksum {
            let c = pseudo.checksum(out, protocol: IPProtocol.udp)
            out.setBE16(c == 0 ? 0xFFFF : c, at: 6)
        }
        return out
    }
}

/// Builds ICMPv4 messages (checksum over the message alone).
public struct ICMPv4Builder: Sendable {
    public var type: UInt8
    public var code: UInt8
    /// The 4 bytes after the checksum (identifier + sequence for echo, unused/MTU otherwise).
    public var restOfHeader: UInt32
    public var payload: [UInt8]

    public init(type: UInt8, code: UInt8 = 0, restOfHeader: UInt32 = 0, payload: [UInt8] = []) {
        self.type = type; self.code = code; self.restOfHeader = restOfHeader; self.payload = payload
    }

    public static func echo(request: Bool, identifier: UInt16, sequence: UInt16, payload: [UInt8] = []) -> ICMPv4Builder {
        ICMPv4Builder(type: request ? ICMPv4Message.echoRequest : ICMPv4Message.echoReply, code: 0,
                      restOfHeader: UInt32(identifier) << 16 | UInt32(sequence), payload: payload)
    }

    public func bytes() -> [UInt8] {
        var out: [UInt8] = [type, code, 0, 0]
        out.appendBE32(restOfHeader)
        out += payload
        out.setBE16(out.withUnsafeBytes { InternetChecksum.compute($0) }, at: 2)
        return out
    }
}

/// Builds ICMPv6 messages (checksum over the IPv6 pseudo-header).
public struct ICMPv6Builder: Sendable {
    public var type: UInt8
    public var code: UInt8
    /// Everything after the 4-byte type/code/checksum header.
    public var body: [UInt8]

    public init(type: UInt8, code: UInt8 = 0, body: [UInt8]) {
        self.type = type; self.code = code; self.body = body
    }

    public static func echo(request: Bool, identifier: UInt16, sequence: UInt16, payload: [UInt8] = []) -> ICMPv6Builder {
        var body: [UInt8] = []
        body.appendBE16(identifier); body.appendBE16(sequence)
        return ICMPv6Builder(type: request ? ICMPv6Message.echoRequest : ICMPv6Message.echoReply, body: body + payload)
    }

    /// Neighbour solicitation for `target`, with a source link-layer address option.
    public static func neighborSolicitation(target: IPv6Address, sourceLinkLayer: MACAddress?) -> ICMPv6Builder {
        var body: [UInt8] = [0, 0, 0, 0]
        body.appendIPv6(target)
        if let mac = sourceLinkLayer { body += [1, 1]; body.appendMAC(mac) }
        return ICMPv6Builder(type: ICMPv6Message.neighborSolicitation, body: body)
    }

    /// Neighbour advertisement; `flags` is the top byte (R=0x80, S=0x40, O=0x20).
    public static func neighborAdvertisement(target: IPv6Address, flags: UInt8, targetLinkLayer: MACAddress?) -> ICMPv6Builder {
        var body: [UInt8] = [flags, 0, 0, 0]
        body.appendIPv6(target)
        if let mac = targetLinkLayer { body += [2, 1]; body.appendMAC(mac) }
        return ICMPv6Builder(type: ICMPv6Message.neighborAdvertisement, body: body)
    }

    public func bytes(_ pseudo: PseudoHeader) -> [UInt8] {
        var out: [UInt8] = [type, code, 0, 0] + body
        out.setBE16(pseudo.checksum(out, protocol: IPProtocol.icmpv6), at: 2)
        return out
    }
}
