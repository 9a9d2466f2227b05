/// OFPT_MULTIPART_REQUEST: a statistics or description query.
public struct OFMultipartRequest: Hashable, Sendable {
    public var flags: OFMultipartFlags
    public var body: Body

    public init(_ body: Body, flags: OFMultipartFlags = []) { self.body = body; self.flags = flags }

    public enum Body: Hashable, Sendable {
        case desc
        case flow(OFFlowStatsRequest)
        case aggregate(OFFlowStatsRequest)
        case table
        /// OFPP_ANY for all ports.
        case portStats(portNo: UInt32)
        case portDesc
        /// OFPG_ALL for all groups.
        case group(groupID: UInt32)
        case groupDesc
        case groupFeatures
        /// Empty: query the tables' capabilities. Non-empty: set them.
        case tableFeatures([OFTableFeatures])
        case experimenter(id: UInt32, expType: UInt32, data: [UInt8])
    }

    public var type: OFMultipartType { body.type }
}

extension OFMultipartRequest.Body {
    public var type: OFMultipartType {
        switch self {
        case .desc: .desc
        case .flow: .flow
        case .aggregate: .aggregate
        case .table: .table
        case .portStats: .portStats
        case .portDesc: .portDesc
        case .group: .group
        case .groupDesc: .groupDesc
        case .groupFeatures: .groupFeatures
        case .tableFeatures: .tableFeatures
        case .experimenter: .experimenter
        }
    }
}

/// OFPT_MULTIPART_REPLY. A long reply spans several messages, each but the last with
/// OFPMPF_REPLY_MORE; see `fragments(maxMessageLength:)` and `Body.appending(_:)`.
public struct OFMultipartReply: Hashable, Sendable {
    public var flags: OFMultipartFlags
    public var body: Body

    public init(_ body: Body, flags: OFMultipartFlags = []) { self.body = body; self.flags = flags }

    public enum Body: Hashable, Sendable {
        case desc(OFSwitchDescription)
        case flow([OFFlowStats])
        case aggregate(OFAggregateStats)
        case table([OFTableStats])
        case portStats([OFPortStats])
        case portDesc([OFPortDescription])
        case group([OFGroupStats])
        case groupDesc([OFGroupDescription])
        case groupFeatures(OFGroupFeatures)
        case tableFeatures([OFTableFeatures])
        case experimenter(id: UInt32, expType: UInt32, data: [UInt8])
    }

    public var type: OFMultipartType { body.type }
}

extension OFMultipartReply.Body {
    public var type: OFMultipartType {
        switch self {
        case .desc: .desc
        case .flow: .flow
        case .aggregate: .aggregate
        case .table: .table
        case .portStats: .portStats
        case .portDesc: .portDesc
        case .group: .group
        case .groupDesc: .groupDesc
        case .groupFeatures: .groupFeatures
        case .tableFeatures: .tableFeatures
        case .experimenter: .experimenter
        }
    }

    /// Joins the next part of a multi-message reply onto this one; nil when the kinds differ
    /// or the kind is not a list.
    public func appending(_ next: Self) -> Self? {
        switch (self, next) {
        case (.flow(let a), .flow(let b)): .flow(a + b)
        case (.table(let a), .table(let b)): .table(a + b)
        case (.portStats(let a), .portStats(let b)): .portStats(a + b)
        case (.portDesc(let a), .portDesc(let b)): .portDesc(a + b)
        case (.group(let a), .group(let b)): .group(a + b)
        case (.groupDesc(let a), .groupDesc(let b)): .groupDesc(a + b)
        case (.tableFeatures(let a), .tableFeatures(let b)): .tableFeatures(a + b)
        default: nil
        }
    }
}

/// `ofp_flow_stats_request` (also the aggregate request).
public struct OFFlowStatsRequest: Hashable, Sendable {
    public var tableID: UInt8
    public var outPort: UInt32
    public var outGroup: UInt32
    public var cookie: UInt64
    public var cookieMask: UInt64
    public var match: OFMatch

    public init(tableID: UInt8 = OFTableID.all, outPort: UInt32 = OFPortNumber.any, outGroup: UInt32 = OFGroupID.any,
                cookie: UInt64 = 0, cookieMask: UInt64 = 0, match: OFMatch = .all) {
        self.tableID = tableID; self.outPort = outPort; self.outGroup = outGroup
        self.cookie = cookie; self.cookieMask = cookieMask; self.match = match
    }
}

/// `ofp_desc`: fixed-size NUL-terminated strings (255 bytes of text, serial number 31).
public struct OFSwitchDescription: Hashable, Sendable {
    public var manufacturer: String
    public var hardware: String
    public var software: String
    public var serialNumber: String
    public var datapath: String

    public init(manufacturer: String, hardware: String, software: String, serialNumber: String, datapath: String) {
        self.manufacturer = manufacturer; self.hardware = hardware; self.software = software
        self.serialNumber = serialNumber; self.datapath = datapath
    }

    public static let encodedLength = 4 * OFP.descriptionLength + OFP.serialNumberLength
}

/// `ofp_flow_stats`: one flow entry.
public struct OFFlowStats: Hashable, Sendable {
    public var tableID: UInt8
    public var durationSec: UInt32
    public var durationNsec: UInt32
    public var priority: UInt16
    public var idleTimeout: UInt16
    public var hardTimeout: UInt16
    public var flags: OFFlowModFlags
    public var cookie: UInt64
    public var packetCount: UInt64
    public var byteCount: UInt64
    public var match: OFMatch
    public var instructions: OFInstructionList

    public init(tableID: UInt8, durationSec: UInt32 = 0, durationNsec: UInt32 = 0, priority: UInt16,
                idleTimeout: UInt16 = 0, hardTimeout: UInt16 = 0, flags: OFFlowModFlags = [], cookie: UInt64 = 0,
                packetCount: UInt64 = 0, byteCount: UInt64 = 0, match: OFMatch, instructions: OFInstructionList) {
        self.tableID = tableID; self.durationSec = durationSec; self.durationNsec = durationNsec
        self.priority = priority; self.idleTimeout = idleTimeout; self.hardTimeout = hardTimeout; self.flags = flags
        self.cookie = cookie; self.packetCount = packetCount; self.byteCount = byteCount; self.match = match
        self.instructions = instructions
    }

    public var encodedLength: Int { 48 + match.encodedLength + instructions.encodedLength }
}

/// `ofp_aggregate_stats_reply`.
public struct OFAggregateStats: Hashable, Sendable {
    public var packetCount: UInt64
    public var byteCount: UInt64
    public var flowCount: UInt32

    public init(packetCount: UInt64, byteCount: UInt64, flowCount: UInt32) {
        self.packetCount = packetCount; self.byteCount = byteCount; self.flowCount = flowCount
    }
}

/// `ofp_table_stats`.
public struct OFTableStats: Hashable, Sendable {
    public static let encodedLength = 24
    public var tableID: UInt8
    public var activeCount: UInt32
    public var lookupCount: UInt64
    public var matchedCount: UInt64

    public init(tableID: UInt8, activeCount: UInt32, lookupCount: UInt64, matchedCount: UInt64) {
        self.tableID = tableID; self.activeCount = activeCount; self.lookupCount = lookupCount
        self.matchedCount = matchedCount
    }
}

/// `ofp_port_stats`. Counters a port does not keep are all ones.
public struct OFPortStats: Hashable, Sendable {
    public static let encodedLength = 112
    public var portNo: UInt32
    public var rxPackets: UInt64, txPackets: UInt64
    public var rxBytes: UInt64, txBytes: UInt64
    public var rxDropped: UInt64, txDropped: UInt64
    public var rxErrors: UInt64, txErrors: UInt64
    public var rxFrameErrors: UInt64, rxOverErrors: UInt64, rxCRCErrors: UInt64
    public var collisions: UInt64
    public var durationSec: UInt32, durationNsec: UInt32

    public init(portNo: UInt32, rxPackets: UInt64 = 0, txPackets: UInt64 = 0, rxBytes: UInt64 = 0, txBytes: UInt64 = 0,
                rxDropped: UInt64 = 0, txDropped: UInt64 = 0, rxErrors: UInt64 = 0, txErrors: UInt64 = 0,
                rxFrameErrors: UInt64 = 0, rxOverErrors: UInt64 = 0, rxCRCErrors: UInt64 = 0, collisions: UInt64 = 0,
                durationSec: UInt32 = 0, durationNsec: UInt32 = 0) {
        self.portNo = portNo; self.rxPackets = rxPackets; self.txPackets = txPackets
        self.rxBytes = rxBytes; self.txBytes = txBytes; self.rxDropped = rxDropped; self.txDropped = txDropped
        self.rxErrors = rxErrors; self.txErrors = txErrors; self.rxFrameErrors = rxFrameErrors
        self.rxOverErrors = rxOverErrors; self.rxCRCErrors = rxCRCErrors; self.collisions = collisions
        self.durationSec = durationSec; self.durationNsec = durationNsec
    }
}

/// `ofp_bucket_counter`.
public struct OFBucketCounter: Hashable, Sendable {
    public var packetCount: UInt64
    public var byteCount: UInt64
    public init(packetCount: UInt64, byteCount: UInt64) { self.packetCount = packetCount; self.byteCount = byteCount }
}

/// `ofp_group_stats`.
public struct OFGroupStats: Hashable, Sendable {
    public var groupID: UInt32
    public var refCount: UInt32
    public var packetCount: UInt64
    public var byteCount: UInt64
    public var durationSec: UInt32
    public var durationNsec: UInt32
    public var bucketStats: [OFBucketCounter]

    public init(groupID: UInt32, refCount: UInt32 = 0, packetCount: UInt64 = 0, byteCount: UInt64 = 0,
                durationSec: UInt32 = 0, durationNsec: UInt32 = 0, bucketStats: [OFBucketCounter] = []) {
        self.groupID = groupID; self.refCount = refCount; self.packetCount = packetCount; self.byteCount = byteCount
        self.durationSec = durationSec; self.durationNsec = durationNsec; self.bucketStats = bucketStats
    }

    public var encodedLength: Int { 40 + 16 * bucketStats.count }
}

/// `ofp_group_desc`.
public struct OFGroupDescription: Hashable, Sendable {
    public var type: OFGroupType
    public var groupID: UInt32
    public var buckets: [OFBucket]

    public init(type: OFGroupType, groupID: UInt32, buckets: [OFBucket]) {
        self.type = type; self.groupID = groupID; self.buckets = buckets
    }

    public var encodedLength: Int { 8 + buckets.reduce(0) { $0 + $1.encodedLength } }
}

/// `ofp_group_features`. Arrays are indexed by group type (all, select, indirect, ff).
public struct OFGroupFeatures: Hashable, Sendable {
    public static let encodedLength = 40
    /// Bit n set: group type n supported.
    public var types: UInt32
    public var capabilities: OFGroupCapabilities
    /// Four entries; missing ones encode as 0.
    public var maxGroups: [UInt32]
    /// Four bitmaps of OFPAT_* supported per group type.
    public var actions: [UInt32]

    public init(types: UInt32, capabilities: OFGroupCapabilities, maxGroups: [UInt32], actions: [UInt32]) {
        self.types = types; self.capabilities = capabilities; self.maxGroups = maxGroups; self.actions = actions
    }
}
