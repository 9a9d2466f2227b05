import Packet

extension FlowSyntax {
    /// Parses one group as `ovs-ofctl add-group` takes it:
    /// `group_id=1,type=select,bucket=weight:10,actions=output:1,bucket=weight:20,output:2`.
    /// Types: `all`, `select`, `indirect`, `ff` (or `fast_failover`). In a bucket, `weight`,
    /// `watch_port` and `watch_group` may be written `key:value` or `key=value`; every other
    /// item, with or without `actions=` before it, is an action.
    public static func parseGroup(_ text: String, portNames: [String: PortNumber] = [:]) throws(FlowSyntaxError) -> GroupEntry {
        try GroupParser(portNames: portNames).parse(text)
    }

    /// Parses a flows file that may also hold groups: lines starting with `group_id=` are
    /// groups, every other non-blank, non-comment line a flow. Errors carry the line number.
    public static func parseFlowsAndGroups(_ contents: String, portNames: [String: PortNumber] = [:])
        throws(FlowSyntaxError) -> (flows: [FlowSpec], groups: [GroupEntry]) {
        var flows: [FlowSpec] = []
        var groups: [GroupEntry] = []
        var groupLines: [UInt32: Int] = [:]
        try forEachLine(of: contents) { (text, line) throws(FlowSyntaxError) in
            if isGroupLine(text) {
                let group = try parseGroup(String(text), portNames: portNames)
                if let earlier = groupLines[group.id] {
                    throw FlowSyntaxError(token: "group_id=\(group.id)", message: "group_id=\(group.id) is already defined on line \(earlier)")
                }
                groupLines[group.id] = line
                groups.append(group)
            } else {
                flows.append(try parseFlow(String(text), portNames: portNames))
            }
        }
        return (flows, groups)
    }

    static func isGroupLine(_ text: Substring) -> Bool {
        guard text.lowercased().hasPrefix("group_id") else { return false }
        let rest = text.dropFirst("group_id".count).drop(while: \.isWhitespace)
        return rest.first == "="
    }

    /// Calls `body` with each flow line (comments stripped, trimmed, blank lines skipped) and
    /// its 1-based number, putting that number into any error it throws.
    static func forEachLine(of contents: String, _ body: (Substring, Int) throws(FlowSyntaxError) -> Void) throws(FlowSyntaxError) {
        var lineNumber = 0
        for rawLine in contents.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            var line = Substring(rawLine)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let text = line.flowTrimmed()
            if text.isEmpty { continue }
            do {
                try body(text, lineNumber)
            } catch {
                var e = error
                e.line = lineNumber
                throw e
            }
        }
    }
}

struct GroupParser {
    let portNames: [String: PortNumber]

    static let kinds: [String: GroupEntry.Kind] = [
        "all": .all, "select": .select, "indirect": .indirect, "ff": .fastFailover, "fast_failover": .fastFailover,
    ]

    func parse(_ text: String) throws(FlowSyntaxError) -> GroupEntry {
        let parts = Self.splitBuckets(text)
        var id: UInt32?
        var kind: GroupEntry.Kind?
        let (tokens, actionsText) = try FlowParser.splitFields(parts[0])
        if actionsText != nil {
            throw FlowSyntaxError(token: "actions", message: "a group has no actions= of its own: put them in buckets (bucket=actions=output:1)")
        }
        for t in tokens {
            switch t.key {
            case "group_id":
                guard id == nil else { throw FlowSyntaxError(token: t.text, message: "'\(t.text)': group_id given twice") }
                id = UInt32(try Values.integer(t, max: 0xFFFF_FF00))
            case "type":
                guard let value = t.value else { throw Values.missingValue(t) }
                guard let k = Self.kinds[value.lowercased()] else {
                    throw Values.bad(value, for: "type", "all, select, indirect or ff" + Suggest.didYouMean(value, in: Array(Self.kinds.keys)).replacingDidYouMean())
                }
                guard kind == nil || kind == k else { throw FlowSyntaxError(token: t.text, message: "'\(t.text)': type given twice") }
                kind = k
            default:
                throw FlowSyntaxError(token: t.key, message: "unknown group field '\(t.key)'" + Suggest.didYouMean(t.key, in: ["group_id", "type", "bucket"]))
            }
        }
        guard let id else { throw FlowSyntaxError(token: "group_id", message: "missing group_id= in '\(text)'") }
        guard let kind else { throw FlowSyntaxError(token: "type", message: "missing type= (all, select, indirect or ff) for group_id=\(id)") }
        var buckets: [GroupEntry.Bucket] = []
        for body in parts.dropFirst() {
            buckets.append(try parseBucket(body, kind: kind))
        }
        if kind == .indirect && buckets.count > 1 {
            throw FlowSyntaxError(token: "bucket=" + parts[2], message: "'bucket=\(parts[2])': an indirect group has at most one bucket")
        }
        return GroupEntry(id: id, kind: kind, buckets: buckets)
    }

    /// The header, then the text of each `bucket=` (which runs to the next `bucket=`).
    static func splitBuckets(_ text: String) -> [String] {
        let chars = Array(text)
        var starts: [Int] = []
        var depth = 0
        let marker = Array("bucket=")
        for i in chars.indices {
            if chars[i] == "(" { depth += 1 } else if chars[i] == ")" { depth -= 1 }
            guard depth == 0, i == 0 || chars[i - 1] == "," || chars[i - 1].isWhitespace,
                  i + marker.count <= chars.count,
                  String(chars[i..<(i + marker.count)]).lowercased() == "bucket=" else { continue }
            starts.append(i)
        }
        var parts = [String(chars[0..<(starts.first ?? chars.count)])]
        for (n, start) in starts.enumerated() {
            let end = n + 1 < starts.count ? starts[n + 1] : chars.count
            var body = String(chars[(start + marker.count)..<end]).flowTrimmed()
            while body.hasSuffix(",") { body = body.dropLast().flowTrimmed() }
            parts.append(String(body))
        }
        return parts
    }

    func parseBucket(_ body: String, kind: GroupEntry.Kind) throws(FlowSyntaxError) -> GroupEntry.Bucket {
        let token = "bucket=" + body
        var bucket = GroupEntry.Bucket(actions: [])
        var actionItems: [ActionItem] = []
        for item in try ActionParser.split(body) {
            switch item.name {
            case "weight":
                guard kind == .select else {
                    throw FlowSyntaxError(token: item.text, message: "'\(item.text)': only select groups have bucket weights")
                }
                bucket.weight = UInt16(try Values.integer(item.arg ?? "", for: "weight", max: 0xFFFF))
            case "watch_port":
                let port = try Values.port(item.arg ?? "", field: "watch_port", portNames: portNames)
                guard !port.isReserved || port == .any || port == .controller else {
                    throw Values.bad(item.arg ?? "", for: "watch_port", "a port, or ANY")
                }
                bucket.watchPort = port
            case "watch_group":
                bucket.watchGroup = UInt32(try Values.integer(item.arg ?? "", for: "watch_group", max: 0xFFFF_FFFF))
            case "bucket_id":
                throw FlowSyntaxError(token: item.text, message: "'\(item.text)': bucket ids are OpenFlow 1.5; OpenFlow 1.3 buckets have none")
            case "actions", "action":
                actionItems += try ActionParser.split(item.arg ?? "")
            default:
                actionItems.append(item)
            }
        }
        if kind == .fastFailover && bucket.watchPort == .any && bucket.watchGroup == 0xFFFF_FFFF {
            throw FlowSyntaxError(token: token, message: "'\(token)': a fast-failover bucket needs watch_port or watch_group")
        }
        let parser = ActionParser(portNames: portNames, match: nil)
        var vlan = true
        for item in actionItems {
            if item.name == "drop" {
                guard actionItems.count == 1 else {
                    throw FlowSyntaxError(token: "drop", message: "'drop' must be the only action of '\(token)'")
                }
                continue
            }
            if ActionParser.instructionOrder.contains(item.name) {
                throw FlowSyntaxError(token: item.text, message: "'\(item.text)' is an instruction, not allowed in a group bucket")
            }
            bucket.actions.append(try parser.parseAction(item, vlan: &vlan))
        }
        return bucket
    }
}

private extension String {
    /// Turns Suggest's " (did you mean 'x'?)" into "; did you mean 'x'?" for use inside a hint.
    func replacingDidYouMean() -> String {
        guard hasPrefix(" (") && hasSuffix(")") else { return self }
        return "; " + dropFirst(2).dropLast()
    }
}
