import OpenFlow
import Packet

/// A range of flow cookies (`cookie & mask == value & mask`), e.g. the flows one app owns.
public struct CookieSpace: Hashable, Sendable, CustomStringConvertible {
    public var value: UInt64
    public var mask: UInt64

    public init(value: UInt64, mask: UInt64) { self.value = value & mask; self.mask = mask }

    public func contains(_ cookie: UInt64) -> Bool { cookie & mask == value }

    public var description: String { "0x\(String(value, radix: 16))/0x\(String(mask, radix: 16))" }
}

/// Where a flow entry sits: a switch holds at most one entry per table, priority and match
/// (an ADD with the same three replaces it).
public struct FlowIdentity: Hashable, Sendable {
    public var tableID: UInt8
    public var priority: UInt16
    public var match: OFMatch

    public init(tableID: UInt8, priority: UInt16, match: OFMatch) {
        self.tableID = tableID; self.priority = priority; self.match = FlowSync.normalize(match)
    }
}

/// What a flow entry does, as far as re-sync cares: its instructions and cookie.
struct FlowContent: Hashable {
    var cookie: UInt64
    var instructions: OFInstructionList

    init(cookie: UInt64, instructions: OFInstructionList) {
        self.cookie = cookie; self.instructions = FlowSync.normalize(instructions)
    }
}

/// The flow-mods that take a switch's flow table to the intended one.
public struct FlowSyncPlan: Sendable {
    /// DELETE_STRICTs for installed entries that are not intended (cookie-exact, so an entry
    /// added meanwhile under the same match is not hit).
    public var deletes: [OFFlowMod]
    /// ADDs for intended entries that are missing or differ (an ADD replaces an entry with the
    /// same table, priority and match, so a differing entry needs no delete).
    public var adds: [OFFlowMod]
    /// Installed entries already as intended.
    public var unchanged: Int
    /// Installed entries in an unmanaged cookie space (left alone).
    public var unmanaged: Int

    public var flowMods: [OFFlowMod] { deletes + adds }
    public var isEmpty: Bool { deletes.isEmpty && adds.isEmpty }
}

/// Flow-table comparison for re-sync: pure, so it can be tested without a switch.
public enum FlowSync {
    /// Compares the switch's entries with the intended ADDs on (table, priority, match,
    /// instructions, cookie). Entries whose cookie lies in an `unmanaged` space are neither
    /// deleted nor counted. Several intended flows at one identity: the last one wins.
    public static func plan(installed: [OFFlowStats], intended: [OFFlowMod],
                            unmanaged: [CookieSpace] = []) -> FlowSyncPlan {
        let wanted = deduplicated(intended)
        var wantedByIdentity: [FlowIdentity: (OFFlowMod, FlowContent)] = [:]
        for flow in wanted {
            wantedByIdentity[identity(of: flow)] = (flow, FlowContent(cookie: flow.cookie, instructions: flow.instructions))
        }
        var satisfied = Set<FlowIdentity>()
        var deletes: [OFFlowMod] = []
        var unchanged = 0, skipped = 0
        for entry in installed {
            if unmanaged.contains(where: { $0.contains(entry.cookie) }) { skipped += 1; continue }
            let id = FlowIdentity(tableID: entry.tableID, priority: entry.priority, match: entry.match)
            if let (_, content) = wantedByIdentity[id] {
                if content == FlowContent(cookie: entry.cookie, instructions: entry.instructions) {
                    satisfied.insert(id)
                    unchanged += 1
                }
                // Otherwise the ADD below replaces it; a DELETE_STRICT in the same batch could be
                // reordered after that ADD by the switch (only barriers order messages).
                continue
            }
            deletes.append(OFFlowMod(cookie: entry.cookie, cookieMask: ~0, tableID: entry.tableID,
                                     command: .deleteStrict, priority: entry.priority, match: entry.match))
        }
        let adds = wanted.filter { !satisfied.contains(identity(of: $0)) }
        return FlowSyncPlan(deletes: deletes, adds: adds, unchanged: unchanged, unmanaged: skipped)
    }

    public static func identity(of flow: OFFlowMod) -> FlowIdentity {
        FlowIdentity(tableID: flow.tableID, priority: flow.priority, match: flow.match)
    }

    /// One flow per identity, the last given winning, in first-seen order.
    public static func deduplicated(_ flows: [OFFlowMod]) -> [OFFlowMod] {
        var index: [FlowIdentity: Int] = [:]
        var out: [OFFlowMod] = []
        for flow in flows {
            let id = identity(of: flow)
            if let i = index[id] { out[i] = flow } else { index[id] = out.count; out.append(flow) }
        }
        return out
    }

    /// OXM fields in field-number order, all-ones masks dropped, values masked: switches
    /// (Open vSwitch among them) report matches in their own canonical form.
    public static func normalize(_ match: OFMatch) -> OFMatch {
        let fields = match.fields.map { f -> OXMField in
            guard let mask = f.mask else { return f }
            if f.isExact { return OXMField(f.field, f.value) }
            return OXMField(f.field, FieldValue(high: f.value.high & mask.high, low: f.value.low & mask.low), mask: mask)
        }
        return OFMatch(fields.sorted { $0.field.oxmField < $1.field.oxmField })
    }

    /// Instructions in execution order (the order a switch applies them in whatever order they
    /// are listed); output max_len ignored except towards the controller, where it means something.
    public static func normalize(_ instructions: OFInstructionList) -> OFInstructionList {
        func rank(_ i: OFInstruction) -> Int {
            switch i {
            case .meter: 0
            case .applyActions: 1
            case .clearActions: 2
            case .writeActions: 3
            case .writeMetadata: 4
            case .gotoTable: 5
            case .experimenter: 6
            }
        }
        func actions(_ list: OFActionList) -> OFActionList {
            OFActionList(list.lazy.map { a in
                if case .output(let port, _) = a, port != OFPortNumber.controller { return .output(port: port, maxLength: 0) }
                return a
            })
        }
        return OFInstructionList(instructions.map { i -> OFInstruction in
            switch i {
            case .applyActions(let a): .applyActions(actions(a))
            case .writeActions(let a): .writeActions(actions(a))
            default: i
            }
        }.enumerated().sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }.lazy.map(\.element))
    }
}
