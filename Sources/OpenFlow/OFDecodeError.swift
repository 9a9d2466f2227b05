/// A message (or part of one) this codec refuses, with the OFPT_ERROR type and code the
/// specification names for the problem. The connection stays up: answer with `reply(to:)`.
public struct OFDecodeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The error type and code to send back.
    public var code: OFErrorCode
    /// What was wrong, for logs.
    public var reason: String

    /// Out of line, with the reason as an autoclosure: decoders throw from dozens of places,
    /// and with every reason's interpolation inline the paths good input takes grew large
    /// enough to spill their registers on every call.
    @inline(never)
    public init(_ code: OFErrorCode, _ reason: @autoclosure () -> String) {
        self.code = code; self.reason = reason()
    }

    public var description: String { "\(code): \(reason)" }

    /// The OFPT_ERROR to send for `offending` (the whole message as received): same xid,
    /// data = its first 64 bytes.
    public func errorMessage(offending: [UInt8]) -> OFMessage {
        .error(code, offending: offending)
    }

    /// The encoded OFPT_ERROR answering `offending`, with the offending message's xid.
    public func reply(to offending: [UInt8]) -> [UInt8] {
        errorMessage(offending: offending).encodeUnchecked(xid: OFHeader.xid(of: offending) ?? 0)
    }
}

/// Message lengths that cannot be framed or encoded.
public struct OFEncodeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The length the message would have had.
    public var length: Int
    public var description: String { "OpenFlow message of \(length) bytes exceeds \(OFFramer.maxMessageLength)" }
}

/// How strict decoding is. A switch agent refuses what its datapath cannot do, with the
/// error the spec names for an unsupported feature; a controller decodes everything 1.3 defines.
public struct OFDecodeOptions: Hashable, Sendable {
    /// Highest table id the switch has; larger ids in a flow-mod, goto-table or table-mod
    /// are refused (OFPFMFC_BAD_TABLE_ID / OFPBIC_BAD_TABLE_ID / OFPTMFC_BAD_TABLE).
    public var maxTableID: UInt8
    /// Refuse MPLS, PBB and copy-TTL actions (OFPBAC_BAD_TYPE), meter instructions
    /// (OFPBIC_UNSUP_INST), experimenter actions, instructions, messages and multiparts
    /// (…_BAD_EXPERIMENTER).
    public var datapathFeaturesOnly: Bool

    public init(maxTableID: UInt8 = OFTableID.max, datapathFeaturesOnly: Bool = false) {
        self.maxTableID = maxTableID; self.datapathFeaturesOnly = datapathFeaturesOnly
    }

    /// Everything OpenFlow 1.3 defines (the controller side).
    public static let controller = OFDecodeOptions()
    /// What the SwiftSDN datapath implements (the switch side).
    public static let datapath = OFDecodeOptions(datapathFeaturesOnly: true)
}
