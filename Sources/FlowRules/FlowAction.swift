import Packet

/// One action of an action list or action set (OpenFlow 1.3 §5.12), plus the Open vSwitch
/// conveniences the flow syntax offers that have no single OpenFlow action.
public enum FlowAction: Hashable, Sendable {
    /// Output to a port (reserved ports included); `maxLength` bytes go to the controller.
    case output(PortNumber, maxLength: UInt16 = 0xFFFF)
    /// Set a header field (OFPAT_SET_FIELD). For `vlan_vid` the value carries OFPVID_PRESENT.
    case setField(FlowField, FieldValue)
    /// Push a VLAN tag with this TPID (0x8100 or 0x88a8); the new tag copies the outer VID/PCP
    /// if there was one, else 0 (spec §7.2.5 note).
    case pushVLAN(UInt16)
    case popVLAN
    /// Set the VLAN id, pushing an 802.1Q tag first if the frame has none (ovs `mod_vlan_vid`).
    case modVLANVID(UInt16)
    /// Set the VLAN priority, pushing a tag first if none (ovs `mod_vlan_pcp`).
    case modVLANPCP(UInt8)
    /// Decrement IPv4 TTL / IPv6 hop limit; a packet whose TTL would reach 0 is dropped.
    case decTTL
    case group(UInt32)

    /// Position in the action set's execution order (spec §5.10), lower runs first.
    public var actionSetOrder: Int {
        switch self {
        case .popVLAN: 1
        case .pushVLAN: 2
        case .decTTL: 4
        case .setField, .modVLANVID, .modVLANPCP: 5
        case .group: 7
        case .output: 8
        }
    }

    /// Action-set slot: an action set holds one action per slot (set-field: one per field).
    public var actionSetSlot: String {
        switch self {
        case .output: "output"
        case .setField(let f, _): "set_field:\(f.rawValue)"
        case .pushVLAN: "push_vlan"
        case .popVLAN: "pop_vlan"
        case .modVLANVID: "set_field:vlan_vid"
        case .modVLANPCP: "set_field:vlan_pcp"
        case .decTTL: "dec_ttl"
        case .group: "group"
        }
    }
}

/// A flow entry's instructions (spec §5.9). Executed in this order: apply-actions,
/// clear-actions, write-actions, write-metadata, goto-table.
public struct Instructions: Hashable, Sendable {
    public var applyActions: [FlowAction]?
    public var clearActions: Bool = false
    public var writeActions: [FlowAction]?
    public var writeMetadata: (value: UInt64, mask: UInt64)?
    public var gotoTable: UInt8?

    public init(applyActions: [FlowAction]? = nil, clearActions: Bool = false, writeActions: [FlowAction]? = nil,
                writeMetadata: (value: UInt64, mask: UInt64)? = nil, gotoTable: UInt8? = nil) {
        self.applyActions = applyActions; self.clearActions = clearActions; self.writeActions = writeActions
        self.writeMetadata = writeMetadata; self.gotoTable = gotoTable
    }

    /// Apply these actions and stop (the common case).
    public static func apply(_ actions: [FlowAction]) -> Instructions { Instructions(applyActions: actions) }

    public static func == (a: Instructions, b: Instructions) -> Bool {
        a.applyActions == b.applyActions && a.clearActions == b.clearActions && a.writeActions == b.writeActions
            && a.writeMetadata?.value == b.writeMetadata?.value && a.writeMetadata?.mask == b.writeMetadata?.mask
            && a.gotoTable == b.gotoTable
    }

    public func hash(into h: inout Hasher) {
        h.combine(applyActions); h.combine(clearActions); h.combine(writeActions)
        h.combine(writeMetadata?.value); h.combine(writeMetadata?.mask); h.combine(gotoTable)
    }

    /// Every action anywhere in the instructions.
    public var allActions: [FlowAction] { (applyActions ?? []) + (writeActions ?? []) }
}
