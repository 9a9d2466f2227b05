import FlowRules
import Packet

extension VirtualSwitch {
    /// Runs one control-socket command (`sdnctl switch NAME …`).
    public func runCommand(_ args: [String]) -> (ok: Bool, output: String) {
        guard let command = args.first else { return (false, "missing command") }
        let rest = Array(args.dropFirst())
        let text = rest.joined(separator: " ")
        do {
            switch command {
            case "show":
                return (true, showText())
            case "dump-flows":
                let table = try rest.first.map { t throws(FlowSyntaxError) -> UInt8 in
                    guard let n = UInt8(t.hasPrefix("table=") ? String(t.dropFirst(6)) : t) else {
                        throw FlowSyntaxError(token: t, message: "bad table '\(t)'")
                    }
                    return n
                }
                return (true, dumpFlowsText(table: table))
            case "add-flow":
                try addFlow(FlowSyntax.parseFlow(text, portNames: definition.portNames))
                return (true, "")
            case "add-flows":
                try addFlows(FlowSyntax.parseFlowsFile(text, portNames: definition.portNames))
                return (true, "")
            case "del-flows":
                let filter = try FlowSyntax.parseMatch(text, portNames: definition.portNames)
                let removed = deleteFlows(FlowSelector(table: filter.table, match: filter.match,
                                                       cookie: filter.cookie ?? 0, cookieMask: filter.cookieMask,
                                                       outPort: filter.outPort ?? .any))
                return (true, "deleted \(removed.count) flow(s)")
            case "fdb":
                return (true, fdbText())
            case "trace":
                let filter = try FlowSyntax.parseMatch(text, portNames: definition.portNames)
                return (true, trace(filter.match.value))
            default:
                return (false, "unknown command '\(command)' (show, dump-flows, add-flow, add-flows, del-flows, fdb, trace)")
            }
        } catch {
            return (false, "\(error)")
        }
    }
}
