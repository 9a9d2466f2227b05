import FlowRules
import OpenFlow

/// The switch's own conversions to the wire: its flow-mod errors and installed entries.
extension OFTranslation {
    // MARK: Errors

    static func error(_ e: FlowModError) -> OFErrorCode {
        switch e {
        case .tableFull: .flowModFailed(.tableFull)
        case .overlap: .flowModFailed(.overlap)
        case .badTable: .flowModFailed(.badTableID)
        case .badGotoTable: .badInstruction(.badTableID)
        case .unknownGroup: .badAction(.badOutGroup)
        case .groupExists: .groupModFailed(.groupExists)
        case .groupLoop: .groupModFailed(.loop)
        case .badOutputPort: .badAction(.badOutPort)
        }
    }

    // MARK: Stats

    static func flowStats(_ e: FlowEntry, now: UInt64) -> OFFlowStats {
        let age = now &- e.installedAt
        return OFFlowStats(tableID: e.table, durationSec: UInt32(truncatingIfNeeded: age / 1_000_000_000),
                           durationNsec: UInt32(age % 1_000_000_000), priority: e.priority,
                           idleTimeout: e.spec.idleTimeout, hardTimeout: e.spec.hardTimeout,
                           flags: OFFlowModFlags(rawValue: e.spec.flags), cookie: e.cookie,
                           packetCount: e.stats.packetCount, byteCount: e.stats.byteCount,
                           match: ofMatch(e.match), instructions: ofInstructions(e.spec.instructions))
    }
}
