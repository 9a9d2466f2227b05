/// Protocol-wide constants of OpenFlow 1.3.5.
public enum OFP {
    /// `OFP_VERSION`, wire protocol 0x04.
    public static let version: UInt8 = 0x04
    /// IANA port for OpenFlow.
    public static let tcpPort: UInt16 = 6653
    /// `OFP_NO_BUFFER`: the packet is not buffered on the switch.
    public static let noBuffer: UInt32 = 0xFFFF_FFFF
    /// `OFP_DEFAULT_MISS_SEND_LEN`.
    public static let defaultMissSendLength: UInt16 = 128
    /// `OFP_DEFAULT_PRIORITY`.
    public static let defaultPriority: UInt16 = 0x8000
    /// `OFPCML_MAX`: largest max_len that asks for a byte count.
    public static let controllerMaxLength: UInt16 = 0xFFE5
    /// `OFPCML_NO_BUFFER`: send the whole packet, do not buffer.
    public static let controllerNoBuffer: UInt16 = 0xFFFF
    /// `OFPVID_PRESENT`: set in vlan_vid when the packet has a VLAN tag.
    public static let vidPresent: UInt16 = 0x1000
    /// `OFPVID_NONE`: no VLAN tag.
    public static let vidNone: UInt16 = 0x0000
    /// `OFP_MAX_PORT_NAME_LEN`.
    public static let maxPortNameLength = 16
    /// `OFP_MAX_TABLE_NAME_LEN`.
    public static let maxTableNameLength = 32
    /// `DESC_STR_LEN`, `SERIAL_NUM_LEN`.
    public static let descriptionLength = 256, serialNumberLength = 32
    /// ONF's experimenter id (`ONF_EXPERIMENTER_ID`).
    public static let onfExperimenterID: UInt32 = 0x4F4E_4600
}

/// `ofp_port_no`: port numbers, reserved ports included (spec §4.5).
public enum OFPortNumber {
    /// `OFPP_MAX`: highest number of a physical or logical port.
    public static let max: UInt32 = 0xFFFF_FF00
    public static let inPort: UInt32 = 0xFFFF_FFF8
    public static let table: UInt32 = 0xFFFF_FFF9
    public static let normal: UInt32 = 0xFFFF_FFFA
    public static let flood: UInt32 = 0xFFFF_FFFB
    public static let all: UInt32 = 0xFFFF_FFFC
    public static let controller: UInt32 = 0xFFFF_FFFD
    public static let local: UInt32 = 0xFFFF_FFFE
    /// `OFPP_ANY`: no port (wildcard in requests; never an output).
    public static let any: UInt32 = 0xFFFF_FFFF

    /// A port an output action may name: a standard port or a reserved one other than ANY.
    public static func isValidOutput(_ port: UInt32) -> Bool {
        (port != 0 && port <= max) || (port >= inPort && port <= local)
    }
}

/// `ofp_table`.
public enum OFTableID {
    /// `OFPTT_MAX`: last usable table number.
    public static let max: UInt8 = 0xFE
    /// `OFPTT_ALL`: wildcard table in requests and deletes.
    public static let all: UInt8 = 0xFF
}

/// `ofp_group`.
public enum OFGroupID {
    /// `OFPG_MAX`: last usable group number.
    public static let max: UInt32 = 0xFFFF_FF00
    /// `OFPG_ALL`: all groups, in group deletes and stats.
    public static let all: UInt32 = 0xFFFF_FFFC
    /// `OFPG_ANY`: wildcard group (flow stats, out_group).
    public static let any: UInt32 = 0xFFFF_FFFF
}

/// `OFPQ_ALL`: all queues of a port.
public enum OFQueueID {
    public static let all: UInt32 = 0xFFFF_FFFF
}

/// `ofp_type`.
public enum OFType: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case hello = 0, error, echoRequest, echoReply, experimenter
    case featuresRequest, featuresReply, getConfigRequest, getConfigReply, setConfig
    case packetIn, flowRemoved, portStatus
    case packetOut, flowMod, groupMod, portMod, tableMod
    case multipartRequest, multipartReply
    case barrierRequest, barrierReply
    case queueGetConfigRequest, queueGetConfigReply
    case roleRequest, roleReply
    case getAsyncRequest, getAsyncReply, setAsync
    case meterMod

    public var description: String {
        let names = ["HELLO", "ERROR", "ECHO_REQUEST", "ECHO_REPLY", "EXPERIMENTER", "FEATURES_REQUEST",
                     "FEATURES_REPLY", "GET_CONFIG_REQUEST", "GET_CONFIG_REPLY", "SET_CONFIG", "PACKET_IN",
                     "FLOW_REMOVED", "PORT_STATUS", "PACKET_OUT", "FLOW_MOD", "GROUP_MOD", "PORT_MOD", "TABLE_MOD",
                     "MULTIPART_REQUEST", "MULTIPART_REPLY", "BARRIER_REQUEST", "BARRIER_REPLY",
                     "QUEUE_GET_CONFIG_REQUEST", "QUEUE_GET_CONFIG_REPLY", "ROLE_REQUEST", "ROLE_REPLY",
                     "GET_ASYNC_REQUEST", "GET_ASYNC_REPLY", "SET_ASYNC", "METER_MOD"]
        return "OFPT_" + names[Int(rawValue)]
    }
}

/// `ofp_capabilities` (features reply).
public struct OFCapabilities: OptionSet, Hashable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let flowStats = OFCapabilities(rawValue: 1 << 0)
    public static let tableStats = OFCapabilities(rawValue: 1 << 1)
    public static let portStats = OFCapabilities(rawValue: 1 << 2)
    public static let groupStats = OFCapabilities(rawValue: 1 << 3)
    public static let ipReassembly = OFCapabilities(rawValue: 1 << 5)
    public static let queueStats = OFCapabilities(rawValue: 1 << 6)
    public static let portBlocked = OFCapabilities(rawValue: 1 << 8)
}

/// `ofp_config_flags` (switch config): fragment handling in the low two bits.
public struct OFConfigFlags: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public static let fragNormal = OFConfigFlags(rawValue: 0)
    public static let fragDrop = OFConfigFlags(rawValue: 1)
    public static let fragReassemble = OFConfigFlags(rawValue: 2)
    /// `OFPC_FRAG_MASK`.
    public static let fragMask: UInt16 = 3
}

/// `ofp_packet_in_reason`.
public struct OFPacketInReason: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let noMatch = OFPacketInReason(rawValue: 0)
    public static let action = OFPacketInReason(rawValue: 1)
    public static let invalidTTL = OFPacketInReason(rawValue: 2)
}

/// `ofp_flow_removed_reason`.
public struct OFFlowRemovedReason: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let idleTimeout = OFFlowRemovedReason(rawValue: 0)
    public static let hardTimeout = OFFlowRemovedReason(rawValue: 1)
    public static let delete = OFFlowRemovedReason(rawValue: 2)
    public static let groupDelete = OFFlowRemovedReason(rawValue: 3)
}

/// `ofp_port_reason` (port status).
public struct OFPortReason: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let add = OFPortReason(rawValue: 0)
    public static let delete = OFPortReason(rawValue: 1)
    public static let modify = OFPortReason(rawValue: 2)
}

/// `ofp_port_config`.
public struct OFPortConfig: OptionSet, Hashable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let portDown = OFPortConfig(rawValue: 1 << 0)
    public static let noReceive = OFPortConfig(rawValue: 1 << 2)
    public static let noForward = OFPortConfig(rawValue: 1 << 5)
    public static let noPacketIn = OFPortConfig(rawValue: 1 << 6)
}

/// `ofp_port_state`.
public struct OFPortState: OptionSet, Hashable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let linkDown = OFPortState(rawValue: 1 << 0)
    public static let blocked = OFPortState(rawValue: 1 << 1)
    public static let live = OFPortState(rawValue: 1 << 2)
}

/// `ofp_port_features`.
public struct OFPortFeatures: OptionSet, Hashable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let rate10MbHD = OFPortFeatures(rawValue: 1 << 0)
    public static let rate10MbFD = OFPortFeatures(rawValue: 1 << 1)
    public static let rate100MbHD = OFPortFeatures(rawValue: 1 << 2)
    public static let rate100MbFD = OFPortFeatures(rawValue: 1 << 3)
    public static let rate1GbHD = OFPortFeatures(rawValue: 1 << 4)
    public static let rate1GbFD = OFPortFeatures(rawValue: 1 << 5)
    public static let rate10GbFD = OFPortFeatures(rawValue: 1 << 6)
    public static let rate40GbFD = OFPortFeatures(rawValue: 1 << 7)
    public static let rate100GbFD = OFPortFeatures(rawValue: 1 << 8)
    public static let rate1TbFD = OFPortFeatures(rawValue: 1 << 9)
    public static let rateOther = OFPortFeatures(rawValue: 1 << 10)
    public static let copper = OFPortFeatures(rawValue: 1 << 11)
    public static let fiber = OFPortFeatures(rawValue: 1 << 12)
    public static let autoNegotiation = OFPortFeatures(rawValue: 1 << 13)
    public static let pause = OFPortFeatures(rawValue: 1 << 14)
    public static let pauseAsymmetric = OFPortFeatures(rawValue: 1 << 15)
}

/// `ofp_flow_mod_command`.
public enum OFFlowModCommand: UInt8, Sendable, CaseIterable {
    case add = 0, modify, modifyStrict, delete, deleteStrict
}

/// `ofp_flow_mod_flags` (also the flags of flow stats).
public struct OFFlowModFlags: OptionSet, Hashable, Sendable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public static let sendFlowRemoved = OFFlowModFlags(rawValue: 1 << 0)
    public static let checkOverlap = OFFlowModFlags(rawValue: 1 << 1)
    public static let resetCounts = OFFlowModFlags(rawValue: 1 << 2)
    public static let noPacketCounts = OFFlowModFlags(rawValue: 1 << 3)
    public static let noByteCounts = OFFlowModFlags(rawValue: 1 << 4)
    public static let all: OFFlowModFlags = [.sendFlowRemoved, .checkOverlap, .resetCounts, .noPacketCounts, .noByteCounts]
}

/// `ofp_group_mod_command`.
public enum OFGroupModCommand: UInt16, Sendable, CaseIterable {
    case add = 0, modify, delete
}

/// `ofp_group_type`.
public enum OFGroupType: UInt8, Sendable, CaseIterable {
    case all = 0, select, indirect, fastFailover
}

/// `ofp_group_capabilities` (group features).
public struct OFGroupCapabilities: OptionSet, Hashable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let selectWeight = OFGroupCapabilities(rawValue: 1 << 0)
    public static let selectLiveness = OFGroupCapabilities(rawValue: 1 << 1)
    public static let chaining = OFGroupCapabilities(rawValue: 1 << 2)
    public static let chainingChecks = OFGroupCapabilities(rawValue: 1 << 3)
}

/// `ofp_controller_role`.
public enum OFControllerRole: UInt32, Sendable, CaseIterable {
    case noChange = 0, equal, master, slave
}

/// `ofp_multipart_request_flags` / `ofp_multipart_reply_flags`: the same single bit.
public struct OFMultipartFlags: OptionSet, Hashable, Sendable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    /// `OFPMPF_REQ_MORE` / `OFPMPF_REPLY_MORE`: more parts follow.
    public static let more = OFMultipartFlags(rawValue: 1 << 0)
}

/// `ofp_multipart_types`.
public enum OFMultipartType: UInt16, Sendable, CaseIterable {
    case desc = 0, flow, aggregate, table, portStats, queue, group, groupDesc, groupFeatures
    case meter, meterConfig, meterFeatures, tableFeatures, portDesc
    case experimenter = 0xFFFF
}

/// `ofp_hello_elem_type`.
public enum OFHelloElementType {
    public static let versionBitmap: UInt16 = 1
}
