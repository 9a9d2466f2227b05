/// `ofp_error_type` (OpenFlow 1.3.5 §7.4.4). A struct, not an enum, so an error message from a
/// peer with a type this codec does not know still decodes.
public struct OFErrorType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let helloFailed = OFErrorType(rawValue: 0)
    public static let badRequest = OFErrorType(rawValue: 1)
    public static let badAction = OFErrorType(rawValue: 2)
    public static let badInstruction = OFErrorType(rawValue: 3)
    public static let badMatch = OFErrorType(rawValue: 4)
    public static let flowModFailed = OFErrorType(rawValue: 5)
    public static let groupModFailed = OFErrorType(rawValue: 6)
    public static let portModFailed = OFErrorType(rawValue: 7)
    public static let tableModFailed = OFErrorType(rawValue: 8)
    public static let queueOpFailed = OFErrorType(rawValue: 9)
    public static let switchConfigFailed = OFErrorType(rawValue: 10)
    public static let roleRequestFailed = OFErrorType(rawValue: 11)
    public static let meterModFailed = OFErrorType(rawValue: 12)
    public static let tableFeaturesFailed = OFErrorType(rawValue: 13)
    public static let experimenter = OFErrorType(rawValue: 0xFFFF)

    static let names = [
        "OFPET_HELLO_FAILED", "OFPET_BAD_REQUEST", "OFPET_BAD_ACTION", "OFPET_BAD_INSTRUCTION",
        "OFPET_BAD_MATCH", "OFPET_FLOW_MOD_FAILED", "OFPET_GROUP_MOD_FAILED", "OFPET_PORT_MOD_FAILED",
        "OFPET_TABLE_MOD_FAILED", "OFPET_QUEUE_OP_FAILED", "OFPET_SWITCH_CONFIG_FAILED",
        "OFPET_ROLE_REQUEST_FAILED", "OFPET_METER_MOD_FAILED", "OFPET_TABLE_FEATURES_FAILED",
    ]

    /// The spec's name (`OFPET_BAD_MATCH`), or the number.
    public var description: String {
        if self == .experimenter { return "OFPET_EXPERIMENTER" }
        return Int(rawValue) < Self.names.count ? Self.names[Int(rawValue)] : "OFPET_\(rawValue)"
    }

    /// Names of this type's codes, index = code.
    var codeNames: [String] {
        switch rawValue {
        case 0: ["INCOMPATIBLE", "EPERM"].map { "OFPHFC_" + $0 }
        case 1: ["BAD_VERSION", "BAD_TYPE", "BAD_MULTIPART", "BAD_EXPERIMENTER", "BAD_EXP_TYPE", "EPERM", "BAD_LEN",
                 "BUFFER_EMPTY", "BUFFER_UNKNOWN", "BAD_TABLE_ID", "IS_SLAVE", "BAD_PORT", "BAD_PACKET",
                 "MULTIPART_BUFFER_OVERFLOW"].map { "OFPBRC_" + $0 }
        case 2: ["BAD_TYPE", "BAD_LEN", "BAD_EXPERIMENTER", "BAD_EXP_TYPE", "BAD_OUT_PORT", "BAD_ARGUMENT", "EPERM",
                 "TOO_MANY", "BAD_QUEUE", "BAD_OUT_GROUP", "MATCH_INCONSISTENT", "UNSUPPORTED_ORDER", "BAD_TAG",
                 "BAD_SET_TYPE", "BAD_SET_LEN", "BAD_SET_ARGUMENT"].map { "OFPBAC_" + $0 }
        case 3: ["UNKNOWN_INST", "UNSUP_INST", "BAD_TABLE_ID", "UNSUP_METADATA", "UNSUP_METADATA_MASK",
                 "BAD_EXPERIMENTER", "BAD_EXP_TYPE", "BAD_LEN", "EPERM"].map { "OFPBIC_" + $0 }
        case 4: ["BAD_TYPE", "BAD_LEN", "BAD_TAG", "BAD_DL_ADDR_MASK", "BAD_NW_ADDR_MASK", "BAD_WILDCARDS",
                 "BAD_FIELD", "BAD_VALUE", "BAD_MASK", "BAD_PREREQ", "DUP_FIELD", "EPERM"].map { "OFPBMC_" + $0 }
        case 5: ["UNKNOWN", "TABLE_FULL", "BAD_TABLE_ID", "OVERLAP", "EPERM", "BAD_TIMEOUT", "BAD_COMMAND",
                 "BAD_FLAGS"].map { "OFPFMFC_" + $0 }
        case 6: ["GROUP_EXISTS", "INVALID_GROUP", "WEIGHT_UNSUPPORTED", "OUT_OF_GROUPS", "OUT_OF_BUCKETS",
                 "CHAINING_UNSUPPORTED", "WATCH_UNSUPPORTED", "LOOP", "UNKNOWN_GROUP", "CHAINED_GROUP", "BAD_TYPE",
                 "BAD_COMMAND", "BAD_BUCKET", "BAD_WATCH", "EPERM"].map { "OFPGMFC_" + $0 }
        case 7: ["BAD_PORT", "BAD_HW_ADDR", "BAD_CONFIG", "BAD_ADVERTISE", "EPERM"].map { "OFPPMFC_" + $0 }
        case 8: ["BAD_TABLE", "BAD_CONFIG", "EPERM"].map { "OFPTMFC_" + $0 }
        case 9: ["BAD_PORT", "BAD_QUEUE", "EPERM"].map { "OFPQOFC_" + $0 }
        case 10: ["BAD_FLAGS", "BAD_LEN", "EPERM"].map { "OFPSCFC_" + $0 }
        case 11: ["STALE", "UNSUP", "BAD_ROLE"].map { "OFPRRFC_" + $0 }
        case 12: ["UNKNOWN", "METER_EXISTS", "INVALID_METER", "UNKNOWN_METER", "BAD_COMMAND", "BAD_FLAGS",
                  "BAD_RATE", "BAD_BURST", "BAD_BAND", "BAD_BAND_VALUE", "OUT_OF_METERS",
                  "OUT_OF_BANDS"].map { "OFPMMFC_" + $0 }
        case 13: ["BAD_TABLE", "BAD_METADATA", "BAD_TYPE", "BAD_LEN", "BAD_ARGUMENT", "EPERM"].map { "OFPTFFC_" + $0 }
        default: []
        }
    }
}

/// `ofp_hello_failed_code`.
public enum OFHelloFailedCode: UInt16, Sendable, CaseIterable {
    case incompatible = 0, eperm
}

/// `ofp_bad_request_code`.
public enum OFBadRequestCode: UInt16, Sendable, CaseIterable {
    case badVersion = 0, badType, badMultipart, badExperimenter, badExpType, eperm, badLen, bufferEmpty,
         bufferUnknown, badTableID, isSlave, badPort, badPacket, multipartBufferOverflow
}

/// `ofp_bad_action_code`.
public enum OFBadActionCode: UInt16, Sendable, CaseIterable {
    case badType = 0, badLen, badExperimenter, badExpType, badOutPort, badArgument, eperm, tooMany, badQueue,
         badOutGroup, matchInconsistent, unsupportedOrder, badTag, badSetType, badSetLen, badSetArgument
}

/// `ofp_bad_instruction_code`.
public enum OFBadInstructionCode: UInt16, Sendable, CaseIterable {
    case unknownInst = 0, unsupInst, badTableID, unsupMetadata, unsupMetadataMask, badExperimenter, badExpType,
         badLen, eperm
}

/// `ofp_bad_match_code`.
public enum OFBadMatchCode: UInt16, Sendable, CaseIterable {
    case badType = 0, badLen, badTag, badDLAddrMask, badNWAddrMask, badWildcards, badField, badValue, badMask,
         badPrereq, dupField, eperm
}

/// `ofp_flow_mod_failed_code`.
public enum OFFlowModFailedCode: UInt16, Sendable, CaseIterable {
    case unknown = 0, tableFull, badTableID, overlap, eperm, badTimeout, badCommand, badFlags
}

/// `ofp_group_mod_failed_code`.
public enum OFGroupModFailedCode: UInt16, Sendable, CaseIterable {
    case groupExists = 0, invalidGroup, weightUnsupported, outOfGroups, outOfBuckets, chainingUnsupported,
         watchUnsupported, loop, unknownGroup, chainedGroup, badType, badCommand, badBucket, badWatch, eperm
}

/// `ofp_port_mod_failed_code`.
public enum OFPortModFailedCode: UInt16, Sendable, CaseIterable {
    case badPort = 0, badHwAddr, badConfig, badAdvertise, eperm
}

/// `ofp_table_mod_failed_code`.
public enum OFTableModFailedCode: UInt16, Sendable, CaseIterable {
    case badTable = 0, badConfig, eperm
}

/// `ofp_queue_op_failed_code`.
public enum OFQueueOpFailedCode: UInt16, Sendable, CaseIterable {
    case badPort = 0, badQueue, eperm
}

/// `ofp_switch_config_failed_code`.
public enum OFSwitchConfigFailedCode: UInt16, Sendable, CaseIterable {
    case badFlags = 0, badLen, eperm
}

/// `ofp_role_request_failed_code`.
public enum OFRoleRequestFailedCode: UInt16, Sendable, CaseIterable {
    case stale = 0, unsup, badRole
}

/// `ofp_meter_mod_failed_code`.
public enum OFMeterModFailedCode: UInt16, Sendable, CaseIterable {
    case unknown = 0, meterExists, invalidMeter, unknownMeter, badCommand, badFlags, badRate, badBurst, badBand,
         badBandValue, outOfMeters, outOfBands
}

/// `ofp_table_features_failed_code`.
public enum OFTableFeaturesFailedCode: UInt16, Sendable, CaseIterable {
    case badTable = 0, badMetadata, badType, badLen, badArgument, eperm
}

/// An error type with one of its codes: what an OFPT_ERROR message carries.
public struct OFErrorCode: Hashable, Sendable, CustomStringConvertible {
    public var type: OFErrorType
    public var code: UInt16

    public init(type: OFErrorType, code: UInt16) { self.type = type; self.code = code }

    public static func helloFailed(_ c: OFHelloFailedCode) -> Self { Self(type: .helloFailed, code: c.rawValue) }
    public static func badRequest(_ c: OFBadRequestCode) -> Self { Self(type: .badRequest, code: c.rawValue) }
    public static func badAction(_ c: OFBadActionCode) -> Self { Self(type: .badAction, code: c.rawValue) }
    public static func badInstruction(_ c: OFBadInstructionCode) -> Self { Self(type: .badInstruction, code: c.rawValue) }
    public static func badMatch(_ c: OFBadMatchCode) -> Self { Self(type: .badMatch, code: c.rawValue) }
    public static func flowModFailed(_ c: OFFlowModFailedCode) -> Self { Self(type: .flowModFailed, code: c.rawValue) }
    public static func groupModFailed(_ c: OFGroupModFailedCode) -> Self { Self(type: .groupModFailed, code: c.rawValue) }
    public static func portModFailed(_ c: OFPortModFailedCode) -> Self { Self(type: .portModFailed, code: c.rawValue) }
    public static func tableModFailed(_ c: OFTableModFailedCode) -> Self { Self(type: .tableModFailed, code: c.rawValue) }
    public static func queueOpFailed(_ c: OFQueueOpFailedCode) -> Self { Self(type: .queueOpFailed, code: c.rawValue) }
    public static func switchConfigFailed(_ c: OFSwitchConfigFailedCode) -> Self {
        Self(type: .switchConfigFailed, code: c.rawValue)
    }
    public static func roleRequestFailed(_ c: OFRoleRequestFailedCode) -> Self {
        Self(type: .roleRequestFailed, code: c.rawValue)
    }
    public static func meterModFailed(_ c: OFMeterModFailedCode) -> Self { Self(type: .meterModFailed, code: c.rawValue) }
    public static func tableFeaturesFailed(_ c: OFTableFeaturesFailedCode) -> Self {
        Self(type: .tableFeaturesFailed, code: c.rawValue)
    }

    /// `OFPET_BAD_MATCH/OFPBMC_BAD_PREREQ`, numbers where a name is not known.
    public var description: String {
        let names = type.codeNames
        let codeName = Int(code) < names.count ? names[Int(code)] : String(code)
        return "\(type)/\(codeName)"
    }
}
