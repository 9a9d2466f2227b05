import Packet

/// One OpenFlow 1.3 message. Encode with `encode(xid:)`, decode with `OFMessage.decode(_:options:)`.
///
/// Messages 1.3 defines but this codec does not carry (QUEUE_GET_CONFIG, METER_MOD) decode as
/// OFPBRC_BAD_TYPE, which is what a switch without them answers.
public enum OFMessage: Hashable, Sendable {
    case hello(OFHello)
    case error(OFErrorMessage)
    case echoRequest([UInt8])
    case echoReply([UInt8])
    case experimenter(OFExperimenterMessage)
    case featuresRequest
    case featuresReply(OFFeaturesReply)
    case getConfigRequest
    case getConfigReply(OFSwitchConfig)
    case setConfig(OFSwitchConfig)
    case packetIn(OFPacketIn)
    case flowRemoved(OFFlowRemoved)
    case portStatus(OFPortStatus)
    case packetOut(OFPacketOut)
    case flowMod(OFFlowMod)
    case groupMod(OFGroupMod)
    case portMod(OFPortMod)
    case tableMod(OFTableMod)
    case multipartRequest(OFMultipartRequest)
    case multipartReply(OFMultipartReply)
    case barrierRequest
    case barrierReply
    case roleRequest(OFRoleMessage)
    case roleReply(OFRoleMessage)
    case getAsyncRequest
    case getAsyncReply(OFAsyncConfig)
    case setAsync(OFAsyncConfig)

    public var type: OFType {
        switch self {
        case .hello: .hello
        case .error: .error
        case .echoRequest: .echoRequest
        case .echoReply: .echoReply
        case .experimenter: .experimenter
        case .featuresRequest: .featuresRequest
        case .featuresReply: .featuresReply
        case .getConfigRequest: .getConfigRequest
        case .getConfigReply: .getConfigReply
        case .setConfig: .setConfig
        case .packetIn: .packetIn
        case .flowRemoved: .flowRemoved
        case .portStatus: .portStatus
        case .packetOut: .packetOut
        case .flowMod: .flowMod
        case .groupMod: .groupMod
        case .portMod: .portMod
        case .tableMod: .tableMod
        case .multipartRequest: .multipartRequest
        case .multipartReply: .multipartReply
        case .barrierRequest: .barrierRequest
        case .barrierReply: .barrierReply
        case .roleRequest: .roleRequest
        case .roleReply: .roleReply
        case .getAsyncRequest: .getAsyncRequest
        case .getAsyncReply: .getAsyncReply
        case .setAsync: .setAsync
        }
    }

    /// An OFPT_ERROR reporting `code` about `offending` (the message as received): its data is
    /// the first 64 bytes of the offending message, or all of it when shorter (spec §7.4.4).
    public static func error(_ code: OFErrorCode, offending: [UInt8]) -> OFMessage {
        .error(OFErrorMessage(code, data: Array(offending.prefix(OFErrorMessage.offendingDataLength))))
    }

    /// The same, with type and code given separately.
    public static func error(type: OFErrorType, code: UInt16, offending: [UInt8]) -> OFMessage {
        error(OFErrorCode(type: type, code: code), offending: offending)
    }
}

/// OFPT_HELLO: the header's version is the highest the sender speaks; elements may add a
/// version bitmap (spec §7.5.1).
public struct OFHello: Hashable, Sendable {
    public var version: UInt8
    public var elements: [OFHelloElement]

    public init(version: UInt8 = OFP.version, elements: [OFHelloElement] = []) {
        self.version = version; self.elements = elements
    }

    /// A hello offering exactly `versions` (header version = the highest).
    public init(versions: [UInt8]) {
        self.version = versions.max() ?? OFP.version
        self.elements = [.versionBitmap(OFHello.bitmap(versions))]
    }

    /// OpenFlow 1.3 only, with a bitmap: `04 00 00 10 xid 00 01 00 08 00 00 00 10`.
    public static let openFlow13 = OFHello(versions: [OFP.version])

    /// The bitmap words for a set of wire versions (bit n of word n/32 = version n).
    public static func bitmap(_ versions: [UInt8]) -> [UInt32] {
        guard let top = versions.max() else { return [0] }
        var words = [UInt32](repeating: 0, count: Int(top) / 32 + 1)
        for v in versions { words[Int(v) / 32] |= 1 << UInt32(v % 32) }
        return words
    }

    /// The versions the sender offers: from its bitmap, else every version up to the header's.
    public var offeredVersions: Set<UInt8> {
        for case .versionBitmap(let words) in elements {
            var out = Set<UInt8>()
            for (i, word) in words.enumerated() where i < 8 {
                for bit in 0..<32 where word & (1 << UInt32(bit)) != 0 { out.insert(UInt8(i * 32 + bit)) }
            }
            return out
        }
        return Set(1...max(version, 1))
    }

    /// Version negotiation (spec §6.3.1): the highest version both offer, or, when either
    /// side has no bitmap, the smaller of the two header versions if we support it.
    /// Nil means the versions are incompatible (answer OFPET_HELLO_FAILED/OFPHFC_INCOMPATIBLE).
    public func negotiatedVersion(with peer: OFHello) -> UInt8? {
        let mineHasBitmap = elements.contains { if case .versionBitmap = $0 { true } else { false } }
        let peerHasBitmap = peer.elements.contains { if case .versionBitmap = $0 { true } else { false } }
        if mineHasBitmap && peerHasBitmap {
            return offeredVersions.intersection(peer.offeredVersions).max()
        }
        let v = min(version, peer.version)
        return offeredVersions.contains(v) ? v : nil
    }

    /// Negotiates against our own hello and requires OpenFlow 1.3, throwing
    /// OFPET_HELLO_FAILED/OFPHFC_INCOMPATIBLE otherwise.
    public func requireOpenFlow13(ours: OFHello = .openFlow13) throws(OFDecodeError) {
        guard ours.negotiatedVersion(with: self) == OFP.version else {
            throw OFDecodeError(.helloFailed(.incompatible), "peer offers no OpenFlow 1.3 (\(offeredVersions.sorted()))")
        }
    }
}

/// `ofp_hello_elem_header` and its one defined kind.
public enum OFHelloElement: Hashable, Sendable {
    case versionBitmap([UInt32])
    /// An element type this codec does not know; the spec says to ignore it.
    case unknown(type: UInt16, data: [UInt8])
}

/// OFPT_ERROR. With type OFPET_EXPERIMENTER the code is `exp_code` and `experimenter` is set.
public struct OFErrorMessage: Hashable, Sendable, CustomStringConvertible {
    /// How much of an offending message an error carries.
    public static let offendingDataLength = 64

    public var code: OFErrorCode
    public var experimenter: UInt32?
    public var data: [UInt8]

    public init(_ code: OFErrorCode, experimenter: UInt32? = nil, data: [UInt8] = []) {
        self.code = code; self.experimenter = experimenter; self.data = data
    }

    public var description: String { "\(code)" }
}

/// OFPT_EXPERIMENTER.
public struct OFExperimenterMessage: Hashable, Sendable {
    public var experimenter: UInt32
    public var expType: UInt32
    public var data: [UInt8]

    public init(experimenter: UInt32, expType: UInt32, data: [UInt8] = []) {
        self.experimenter = experimenter; self.expType = expType; self.data = data
    }
}

/// OFPT_FEATURES_REPLY (`ofp_switch_features`).
public struct OFFeaturesReply: Hashable, Sendable {
    public var datapathID: UInt64
    public var nBuffers: UInt32
    public var nTables: UInt8
    public var auxiliaryID: UInt8
    public var capabilities: OFCapabilities
    public var reserved: UInt32

    public init(datapathID: UInt64, nBuffers: UInt32 = 0, nTables: UInt8 = 254, auxiliaryID: UInt8 = 0,
                capabilities: OFCapabilities = [.flowStats, .tableStats, .portStats, .groupStats], reserved: UInt32 = 0) {
        self.datapathID = datapathID; self.nBuffers = nBuffers; self.nTables = nTables
        self.auxiliaryID = auxiliaryID; self.capabilities = capabilities; self.reserved = reserved
    }
}

/// `ofp_switch_config` (GET_CONFIG_REPLY, SET_CONFIG).
public struct OFSwitchConfig: Hashable, Sendable {
    public var flags: OFConfigFlags
    public var missSendLength: UInt16

    public init(flags: OFConfigFlags = .fragNormal, missSendLength: UInt16 = OFP.defaultMissSendLength) {
        self.flags = flags; self.missSendLength = missSendLength
    }
}

/// OFPT_PACKET_IN.
public struct OFPacketIn: Hashable, Sendable {
    public var bufferID: UInt32
    /// Length of the frame as received; `data` may be shorter.
    public var totalLength: UInt16
    public var reason: OFPacketInReason
    public var tableID: UInt8
    public var cookie: UInt64
    /// Pipeline fields (in_port, metadata, tunnel_id …) of the packet.
    public var match: OFMatch
    public var data: [UInt8]

    public init(bufferID: UInt32 = OFP.noBuffer, totalLength: UInt16? = nil, reason: OFPacketInReason, tableID: UInt8,
                cookie: UInt64 = 0, match: OFMatch, data: [UInt8]) {
        self.bufferID = bufferID; self.totalLength = totalLength ?? UInt16(clamping: data.count)
        self.reason = reason; self.tableID = tableID; self.cookie = cookie; self.match = match; self.data = data
    }

    /// Bytes of a PACKET_IN before its frame: the header, the fixed fields (16), the match and
    /// 2 bytes of pad.
    static func lengthBeforeData(match: OFMatch) -> Int { OFHeader.length + 16 + match.encodedLength + 2 }

    /// The most frame bytes a PACKET_IN with `match` can carry: what is left of an OpenFlow
    /// message's 65,535 bytes.
    public static func maxDataLength(match: OFMatch) -> Int {
        OFFramer.maxMessageLength - lengthBeforeData(match: match)
    }
}

/// OFPT_FLOW_REMOVED.
public struct OFFlowRemoved: Hashable, Sendable {
    public var cookie: UInt64
    public var priority: UInt16
    public var reason: OFFlowRemovedReason
    public var tableID: UInt8
    public var durationSec: UInt32
    public var durationNsec: UInt32
    public var idleTimeout: UInt16
    public var hardTimeout: UInt16
    public var packetCount: UInt64
    public var byteCount: UInt64
    public var match: OFMatch

    public init(cookie: UInt64, priority: UInt16, reason: OFFlowRemovedReason, tableID: UInt8, durationSec: UInt32,
                durationNsec: UInt32, idleTimeout: UInt16, hardTimeout: UInt16, packetCount: UInt64,
                byteCount: UInt64, match: OFMatch) {
        self.cookie = cookie; self.priority = priority; self.reason = reason; self.tableID = tableID
        self.durationSec = durationSec; self.durationNsec = durationNsec; self.idleTimeout = idleTimeout
        self.hardTimeout = hardTimeout; self.packetCount = packetCount; self.byteCount = byteCount; self.match = match
    }
}

/// OFPT_PORT_STATUS.
public struct OFPortStatus: Hashable, Sendable {
    public var reason: OFPortReason
    public var port: OFPortDescription

    public init(reason: OFPortReason, port: OFPortDescription) { self.reason = reason; self.port = port }
}

/// OFPT_PACKET_OUT.
public struct OFPacketOut: Hashable, Sendable {
    public var bufferID: UInt32
    /// The ingress port the packet is processed as if from (OFPP_CONTROLLER when none).
    public var inPort: UInt32
    public var actions: OFActionList
    /// The frame, when `bufferID` is OFP_NO_BUFFER.
    public var data: [UInt8]

    public init(bufferID: UInt32 = OFP.noBuffer, inPort: UInt32 = OFPortNumber.controller, actions: OFActionList,
                data: [UInt8] = []) {
        self.bufferID = bufferID; self.inPort = inPort; self.actions = actions; self.data = data
    }
}

/// OFPT_FLOW_MOD.
public struct OFFlowMod: Hashable, Sendable {
    public var cookie: UInt64
    public var cookieMask: UInt64
    public var tableID: UInt8
    public var command: OFFlowModCommand
    public var idleTimeout: UInt16
    public var hardTimeout: UInt16
    public var priority: UInt16
    public var bufferID: UInt32
    /// For deletes: only flows outputting to this port (OFPP_ANY = no restriction).
    public var outPort: UInt32
    /// For deletes: only flows outputting to this group (OFPG_ANY = no restriction).
    public var outGroup: UInt32
    public var flags: OFFlowModFlags
    public var match: OFMatch
    public var instructions: OFInstructionList

    public init(cookie: UInt64 = 0, cookieMask: UInt64 = 0, tableID: UInt8 = 0, command: OFFlowModCommand = .add,
                idleTimeout: UInt16 = 0, hardTimeout: UInt16 = 0, priority: UInt16 = OFP.defaultPriority,
                bufferID: UInt32 = OFP.noBuffer, outPort: UInt32 = OFPortNumber.any, outGroup: UInt32 = OFGroupID.any,
                flags: OFFlowModFlags = [], match: OFMatch = .all, instructions: OFInstructionList = []) {
        self.cookie = cookie; self.cookieMask = cookieMask; self.tableID = tableID; self.command = command
        self.idleTimeout = idleTimeout; self.hardTimeout = hardTimeout; self.priority = priority
        self.bufferID = bufferID; self.outPort = outPort; self.outGroup = outGroup; self.flags = flags
        self.match = match; self.instructions = instructions
    }
}

/// `ofp_bucket` of a group.
public struct OFBucket: Hashable, Sendable {
    /// Relative weight (select groups only; 0 elsewhere).
    public var weight: UInt16
    /// Port whose liveness decides the bucket (fast-failover), OFPP_ANY when none.
    public var watchPort: UInt32
    /// Group whose liveness decides the bucket (fast-failover), OFPG_ANY when none.
    public var watchGroup: UInt32
    public var actions: OFActionList

    public init(weight: UInt16 = 0, watchPort: UInt32 = OFPortNumber.any, watchGroup: UInt32 = OFGroupID.any,
                actions: OFActionList) {
        self.weight = weight; self.watchPort = watchPort; self.watchGroup = watchGroup; self.actions = actions
    }

    /// Bytes on the wire (16-byte header + actions).
    public var encodedLength: Int { 16 + actions.encodedLength }
}

/// OFPT_GROUP_MOD.
public struct OFGroupMod: Hashable, Sendable {
    public var command: OFGroupModCommand
    public var type: OFGroupType
    public var groupID: UInt32
    public var buckets: [OFBucket]

    public init(command: OFGroupModCommand, type: OFGroupType, groupID: UInt32, buckets: [OFBucket] = []) {
        self.command = command; self.type = type; self.groupID = groupID; self.buckets = buckets
    }
}

/// OFPT_PORT_MOD.
public struct OFPortMod: Hashable, Sendable {
    public var portNo: UInt32
    public var hwAddr: MACAddress
    public var config: OFPortConfig
    /// Which `config` bits to change.
    public var mask: OFPortConfig
    /// Features to advertise; zero leaves them unchanged.
    public var advertise: OFPortFeatures

    public init(portNo: UInt32, hwAddr: MACAddress, config: OFPortConfig, mask: OFPortConfig,
                advertise: OFPortFeatures = []) {
        self.portNo = portNo; self.hwAddr = hwAddr; self.config = config; self.mask = mask; self.advertise = advertise
    }
}

/// OFPT_TABLE_MOD.
public struct OFTableMod: Hashable, Sendable {
    public var tableID: UInt8
    /// Deprecated in 1.3 (bits 0-1 were the 1.1 miss behaviour); carried as is.
    public var config: UInt32

    public init(tableID: UInt8, config: UInt32 = 0) { self.tableID = tableID; self.config = config }
}

/// OFPT_ROLE_REQUEST / OFPT_ROLE_REPLY.
public struct OFRoleMessage: Hashable, Sendable {
    public var role: OFControllerRole
    public var generationID: UInt64

    public init(role: OFControllerRole, generationID: UInt64 = 0) { self.role = role; self.generationID = generationID }
}

/// OFPT_GET_ASYNC_REPLY / OFPT_SET_ASYNC: which asynchronous messages a controller gets,
/// per role. Bit n of a mask enables reason n.
public struct OFAsyncConfig: Hashable, Sendable {
    /// Element 0 applies to the master and equal roles, element 1 to the slave role.
    public struct Masks: Hashable, Sendable {
        public var masterEqual: UInt32
        public var slave: UInt32
        public init(masterEqual: UInt32, slave: UInt32) { self.masterEqual = masterEqual; self.slave = slave }
    }

    public var packetIn: Masks
    public var portStatus: Masks
    public var flowRemoved: Masks

    public init(packetIn: Masks, portStatus: Masks, flowRemoved: Masks) {
        self.packetIn = packetIn; self.portStatus = portStatus; self.flowRemoved = flowRemoved
    }

    /// A switch's usual starting configuration (Open vSwitch's): master/equal get packet-ins for
    /// no-match and action (not invalid TTL), every port-status and flow-removed reason; a slave
    /// gets port-status only.
    public static let `default` = OFAsyncConfig(
        packetIn: Masks(masterEqual: 0b011, slave: 0),
        portStatus: Masks(masterEqual: 0b111, slave: 0b111),
        flowRemoved: Masks(masterEqual: 0b1111, slave: 0))
}
