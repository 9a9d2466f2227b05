import Packet

/// `ofp_port`: a port's description (PORT_STATUS, PORT_DESC reply), 64 bytes on the wire.
public struct OFPortDescription: Hashable, Sendable {
    public static let encodedLength = 64

    public var portNo: UInt32
    public var hwAddr: MACAddress
    /// At most 15 bytes of UTF-8 survive the wire (16 with the terminating NUL).
    public var name: String
    public var config: OFPortConfig
    public var state: OFPortState
    public var current: OFPortFeatures
    public var advertised: OFPortFeatures
    public var supported: OFPortFeatures
    public var peer: OFPortFeatures
    /// kbps.
    public var currentSpeed: UInt32
    /// kbps.
    public var maxSpeed: UInt32

    public init(portNo: UInt32, hwAddr: MACAddress, name: String, config: OFPortConfig = [], state: OFPortState = [],
                current: OFPortFeatures = [], advertised: OFPortFeatures = [], supported: OFPortFeatures = [],
                peer: OFPortFeatures = [], currentSpeed: UInt32 = 0, maxSpeed: UInt32 = 0) {
        self.portNo = portNo; self.hwAddr = hwAddr; self.name = name; self.config = config; self.state = state
        self.current = current; self.advertised = advertised; self.supported = supported; self.peer = peer
        self.currentSpeed = currentSpeed; self.maxSpeed = maxSpeed
    }

    func encode(into w: inout ByteWriter) {
        w.u32(portNo); w.zeros(4)
        w.mac(hwAddr); w.zeros(2)
        w.fixedString(name, length: OFP.maxPortNameLength)
        w.u32(config.rawValue); w.u32(state.rawValue)
        w.u32(current.rawValue); w.u32(advertised.rawValue); w.u32(supported.rawValue); w.u32(peer.rawValue)
        w.u32(currentSpeed); w.u32(maxSpeed)
    }

    static func decode(from r: inout ByteReader) throws(OFDecodeError) -> OFPortDescription {
        try r.need(encodedLength, "ofp_port truncated")
        let portNo = try r.u32()
        try r.skip(4)
        let mac = try r.mac()
        try r.skip(2)
        let name = try r.fixedString(OFP.maxPortNameLength)
        return OFPortDescription(
            portNo: portNo, hwAddr: mac, name: name, config: OFPortConfig(rawValue: try r.u32()),
            state: OFPortState(rawValue: try r.u32()), current: OFPortFeatures(rawValue: try r.u32()),
            advertised: OFPortFeatures(rawValue: try r.u32()), supported: OFPortFeatures(rawValue: try r.u32()),
            peer: OFPortFeatures(rawValue: try r.u32()), currentSpeed: try r.u32(), maxSpeed: try r.u32())
    }
}
