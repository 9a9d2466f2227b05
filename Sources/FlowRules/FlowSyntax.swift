import Packet

/// A flow text that does not parse. `token` is the piece of text at fault, `message` says what
/// is wrong with it, `line` is set for flows files.
public struct FlowSyntaxError: Error, CustomStringConvertible, Hashable, Sendable {
    public var token: String
    public var message: String
    /// 1-based line of a flows file, nil for a single flow.
    public var line: Int?

    public init(token: String, message: String, line: Int? = nil) {
        self.token = token; self.message = message; self.line = line
    }

    public var description: String { (line.map { "line \($0): " } ?? "") + "bad flow: " + message }
}

/// What `del-flows`, `dump-flows` and `trace` select flows or packets by: a match plus the
/// non-match selectors ovs-ofctl allows there.
public struct FlowFilter: Hashable, Sendable {
    /// nil (or `table=255` in the text) means every table.
    public var table: UInt8?
    public var match: FlowMatch
    public var cookie: UInt64?
    /// Which cookie bits must equal `cookie`; all ones when the text gave no mask, 0 without cookie.
    public var cookieMask: UInt64
    public var outPort: PortNumber?
    /// For the strict variants (`--strict`), which also compare the priority.
    public var priority: UInt16?

    public init(table: UInt8? = nil, match: FlowMatch = FlowMatch(), cookie: UInt64? = nil, cookieMask: UInt64 = 0,
                outPort: PortNumber? = nil, priority: UInt16? = nil) {
        self.table = table; self.match = match; self.cookie = cookie; self.cookieMask = cookieMask
        self.outPort = outPort; self.priority = priority
    }
}

/// The Open vSwitch `ovs-ofctl` flow syntax (ovs-fields(7), ovs-actions(7), ovs-ofctl(8)),
/// for OpenFlow 1.3. Unlike ovs-ofctl, which quietly drops a field whose prerequisite is
/// missing, every mistake here is an error that names the offending text.
public enum FlowSyntax {
    /// Parses one flow, e.g. `table=0,priority=100,ip,nw_src=10.0.0.0/8,actions=output:2`.
    /// `portNames` maps port names to numbers so `in_port=h1-tap` and `output:h1-tap` work.
    /// The output of `ovs-ofctl dump-flows` (and of `FlowFormatter.format`) parses back: its
    /// `duration`, `n_packets`, `n_bytes`, `idle_age` and `hard_age` are ignored.
    public static func parseFlow(_ text: String, portNames: [String: PortNumber] = [:]) throws(FlowSyntaxError) -> FlowSpec {
        var parser = FlowParser(portNames: portNames, mode: .flow)
        return try parser.parseFlow(text)
    }

    /// Parses a match with the selectors of del-flows / dump-flows / trace: `table`, `priority`
    /// (for strict commands), `cookie=V[/MASK]` and `out_port`. `actions=` is refused.
    public static func parseMatch(_ text: String, portNames: [String: PortNumber] = [:]) throws(FlowSyntaxError) -> FlowFilter {
        var parser = FlowParser(portNames: portNames, mode: .filter)
        return try parser.parseFilter(text)
    }

    /// Parses a flows file: one flow per line; blank lines and `#` comments (whole-line or
    /// trailing) are skipped. An error carries the 1-based line number.
    public static func parseFlowsFile(_ contents: String, portNames: [String: PortNumber] = [:]) throws(FlowSyntaxError) -> [FlowSpec] {
        var flows: [FlowSpec] = []
        try forEachLine(of: contents) { (text, _) throws(FlowSyntaxError) in
            if isGroupLine(text) {
                throw FlowSyntaxError(token: "group_id", message: "'\(text)' is a group; only flows are accepted here")
            }
            flows.append(try parseFlow(String(text), portNames: portNames))
        }
        return flows
    }
}

// MARK: - Parser state

/// One `key` or `key=value` of the part before `actions=`.
struct FlowToken {
    var key: String
    var value: String?
    /// As written (key lower-cased), for error messages.
    var text: String { value.map { "\(key)=\($0)" } ?? key }
}

struct FlowParser {
    enum Mode { case flow, filter }

    let portNames: [String: PortNumber]
    let mode: Mode
    var builder = MatchBuilder()
    var table: UInt8?
    var tableAll = false
    var priority: UInt16?
    var cookie: UInt64?
    var cookieMask: UInt64?
    var idleTimeout: UInt16?
    var hardTimeout: UInt16?
    var flags: UInt16 = 0
    var outPort: PortNumber?
    /// Keyword → the token that first set it, to refuse contradicting repeats.
    var keywordOrigin: [String: String] = [:]

    init(portNames: [String: PortNumber], mode: Mode) {
        self.portNames = portNames
        self.mode = mode
    }

    mutating func parseFlow(_ text: String) throws(FlowSyntaxError) -> FlowSpec {
        let (tokens, actionsText) = try Self.splitFields(text)
        try apply(tokens)
        guard let actionsText else {
            throw FlowSyntaxError(token: "actions", message: "missing actions= (end the flow with e.g. 'actions=drop')")
        }
        let flowTable = table ?? 0
        let instructions = try ActionParser(portNames: portNames, match: builder, table: flowTable).parseInstructions(actionsText)
        return FlowSpec(table: flowTable, priority: priority ?? 32768, match: builder.match, instructions: instructions,
                        cookie: cookie ?? 0, idleTimeout: idleTimeout ?? 0, hardTimeout: hardTimeout ?? 0, flags: flags)
    }

    mutating func parseFilter(_ text: String) throws(FlowSyntaxError) -> FlowFilter {
        let (tokens, actionsText) = try Self.splitFields(text)
        if actionsText != nil {
            throw FlowSyntaxError(token: "actions", message: "'actions=' is not allowed in a match")
        }
        try apply(tokens)
        return FlowFilter(table: tableAll ? nil : table, match: builder.match, cookie: cookie,
                          cookieMask: cookie == nil ? 0 : (cookieMask ?? ~0), outPort: outPort, priority: priority)
    }

    /// Splits `key[=value]` items on commas and white space; the text after `actions=` is
    /// returned whole.
    static func splitFields(_ text: String) throws(FlowSyntaxError) -> ([FlowToken], String?) {
        let chars = Array(text)
        var i = 0
        var tokens: [FlowToken] = []
        func isSeparator(_ c: Character) -> Bool { c == "," || c.isWhitespace }
        while true {
            while i < chars.count && isSeparator(chars[i]) { i += 1 }
            if i == chars.count { break }
            var key = ""
            while i < chars.count && !isSeparator(chars[i]) && chars[i] != "=" { key.append(chars[i]); i += 1 }
            var j = i
            while j < chars.count && chars[j].isWhitespace { j += 1 }
            guard j < chars.count, chars[j] == "=" else {
                tokens.append(FlowToken(key: key.lowercased(), value: nil))
                continue
            }
            if key.isEmpty {
                throw FlowSyntaxError(token: "=", message: "'=' without a field name before it")
            }
            key = key.lowercased()
            i = j + 1
            while i < chars.count && chars[i].isWhitespace { i += 1 }
            if key == "actions" {
                return (tokens, String(chars[i...]))
            }
            var value = ""
            while i < chars.count && !isSeparator(chars[i]) { value.append(chars[i]); i += 1 }
            if value.isEmpty {
                throw FlowSyntaxError(token: key, message: "'\(key)=' has no value")
            }
            tokens.append(FlowToken(key: key, value: value))
        }
        return (tokens, nil)
    }

    /// Applies the tokens: protocol shorthands and dl_type first, then nw_proto, then the
    /// rest, so fields may name their prerequisites after themselves (`tp_dst=80,tcp`).
    mutating func apply(_ tokens: [FlowToken]) throws(FlowSyntaxError) {
        func phase(_ t: FlowToken) -> Int {
            if MatchBuilder.shorthands[t.key] != nil || t.key == "dl_type" || t.key == "eth_type" { return 0 }
            if t.key == "nw_proto" || t.key == "ip_proto" { return 1 }
            return 2
        }
        for p in 0...2 {
            for t in tokens where phase(t) == p {
                if try applyKeyword(t) { continue }
                try builder.apply(t, portNames: portNames)
            }
        }
    }

    /// Handles the non-match keywords; false when `t` is not one.
    mutating func applyKeyword(_ t: FlowToken) throws(FlowSyntaxError) -> Bool {
        let flagBits: [String: UInt16] = [
            "send_flow_rem": 0x1, "check_overlap": 0x2, "reset_counts": 0x4,
            "no_packet_counts": 0x8, "no_byte_counts": 0x10,
        ]
        switch t.key {
        case "duration", "n_packets", "n_bytes", "idle_age", "hard_age":
            // ovs-ofctl ignores these too, so dump-flows output can be fed back.
            return true
        case "table":
            let v = try Values.integer(t, max: 255)
            if v == 255 {
                guard mode == .filter else {
                    throw FlowSyntaxError(token: t.value!, message: "bad value '\(t.value!)' for table (a flow goes in table 0-254)")
                }
                tableAll = true
            }
            try setKeyword(t)
            table = UInt8(v)
        case "priority":
            priority = UInt16(try Values.integer(t, max: 0xFFFF))
            try setKeyword(t)
        case "cookie":
            let (v, m) = try Values.maskedInteger(t, max: ~0)
            if m != nil && mode == .flow {
                throw FlowSyntaxError(token: t.text, message: "'\(t.text)': a cookie mask only selects flows (del-flows, dump-flows); a new flow takes 'cookie=VALUE'")
            }
            try setKeyword(t)
            cookie = v; cookieMask = m
        case "idle_timeout", "hard_timeout":
            guard mode == .flow else {
                throw FlowSyntaxError(token: t.key, message: "'\(t.key)' is not allowed in a match")
            }
            let v = UInt16(try Values.integer(t, max: 0xFFFF))
            try setKeyword(t)
            if t.key == "idle_timeout" { idleTimeout = v } else { hardTimeout = v }
        case "out_port":
            guard mode == .filter else {
                throw FlowSyntaxError(token: t.key, message: "'out_port' only selects flows (del-flows, dump-flows); a new flow has no out_port")
            }
            guard let value = t.value else { throw Values.missingValue(t) }
            let port = try Values.port(value, field: "out_port", portNames: portNames)
            try setKeyword(t)
            outPort = port == .any ? nil : port
        default:
            guard let bit = flagBits[t.key] else { return false }
            guard mode == .flow else {
                throw FlowSyntaxError(token: t.key, message: "'\(t.key)' is not allowed in a match")
            }
            if let value = t.value {
                throw FlowSyntaxError(token: t.text, message: "'\(t.key)' is a flag and takes no value (write just '\(t.key)', not '\(t.key)=\(value)')")
            }
            flags |= bit
        }
        return true
    }

    mutating func setKeyword(_ t: FlowToken) throws(FlowSyntaxError) {
        if let earlier = keywordOrigin[t.key], earlier != t.text {
            throw FlowSyntaxError(token: t.text, message: "'\(t.text)' conflicts with '\(earlier)'")
        }
        keywordOrigin[t.key] = t.text
    }
}

// MARK: - Values

/// Number, address and port parsing shared by matches and actions.
enum Values {
    static func missingValue(_ t: FlowToken) -> FlowSyntaxError {
        FlowSyntaxError(token: t.key, message: "'\(t.key)' needs a value ('\(t.key)=...')")
    }

    static func bad(_ value: some StringProtocol, for name: String, _ hint: String? = nil) -> FlowSyntaxError {
        FlowSyntaxError(token: String(value), message: "bad value '\(value)' for \(name)" + (hint.map { " (\($0))" } ?? ""))
    }

    /// Decimal or `0x` hexadecimal.
    static func parseUInt(_ s: some StringProtocol) -> UInt64? {
        if s.hasPrefix("0x") || s.hasPrefix("0X") {
            let digits = s.dropFirst(2)
            guard !digits.isEmpty, digits.allSatisfy(\.isHexDigit) else { return nil }
            return UInt64(digits, radix: 16)
        }
        guard !s.isEmpty, s.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return UInt64(s, radix: 10)
    }

    static func integer(_ s: some StringProtocol, for name: String, max: UInt64) throws(FlowSyntaxError) -> UInt64 {
        guard let v = parseUInt(s) else { throw bad(s, for: name) }
        guard v <= max else { throw bad(s, for: name, "largest is \(max)") }
        return v
    }

    static func integer(_ t: FlowToken, max: UInt64) throws(FlowSyntaxError) -> UInt64 {
        guard let value = t.value else { throw missingValue(t) }
        if value.contains("/") {
            throw FlowSyntaxError(token: t.text, message: "'\(t.text)': \(t.key) does not take a mask")
        }
        return try integer(value, for: t.key, max: max)
    }

    /// `V` or `V/MASK`; the mask is nil when absent.
    static func maskedInteger(_ t: FlowToken, max: UInt64) throws(FlowSyntaxError) -> (UInt64, UInt64?) {
        guard let value = t.value else { throw missingValue(t) }
        let parts = value.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let v = try integer(parts[0], for: t.key, max: max)
        guard parts.count == 2 else { return (v, nil) }
        return (v, try integer(parts[1], for: "\(t.key) mask", max: max))
    }

    static func mac(_ s: some StringProtocol, for name: String) throws(FlowSyntaxError) -> MACAddress {
        // MACAddress also takes '-' separators; ovs-ofctl wants colons.
        guard !s.contains("-"), let mac = MACAddress(s) else { throw bad(s, for: name, "expected aa:bb:cc:dd:ee:ff") }
        return mac
    }

    static func ipv4(_ s: some StringProtocol, for name: String) throws(FlowSyntaxError) -> IPv4Address {
        guard let ip = IPv4Address(s) else { throw bad(s, for: name, "expected an IPv4 address like 10.0.0.1") }
        return ip
    }

    static func ipv6(_ s: some StringProtocol, for name: String) throws(FlowSyntaxError) -> IPv6Address {
        guard let ip = IPv6Address(s) else { throw bad(s, for: name, "expected an IPv6 address like 2001:db8::1") }
        return ip
    }

    static let reservedPorts: [String: PortNumber] = [
        "in_port": .inPort, "table": .table, "normal": .normal, "flood": .flood, "all": .all,
        "controller": .controller, "local": .local, "any": .any, "none": .any,
    ]

    /// A port number, a reserved port name (any case) or a name from `portNames`. OpenFlow 1.0
    /// numbers of reserved ports (0xfff8–0xffff) mean those ports, as in ovs-ofctl.
    static func port(_ s: String, field: String, portNames: [String: PortNumber]) throws(FlowSyntaxError) -> PortNumber {
        if let n = parseUInt(s) {
            if n >= 0xFFF8 && n <= 0xFFFF { return PortNumber(0xFFFF_0000 | UInt32(n)) }
            guard n <= 0xFFFF_FFFF else { throw bad(s, for: field, "port numbers are 32-bit") }
            let port = PortNumber(UInt32(n))
            if port.isReserved && port.description == String(n) {
                throw bad(s, for: field, "\(String(n, radix: 16)) is neither a port nor a reserved port")
            }
            return port
        }
        if let reserved = reservedPorts[s.lowercased()] { return reserved }
        if let named = portNames[s] { return named }
        var hint = "not a port number, a reserved port (LOCAL, CONTROLLER, ...) or a known port name"
        if let near = Suggest.nearest(s, in: Array(portNames.keys)) { hint = "did you mean '\(near)'?" }
        throw FlowSyntaxError(token: s, message: "unknown port '\(s)' for \(field) (\(hint))")
    }
}

// MARK: - Suggestions

enum Suggest {
    /// The candidate nearest to `word` within edit distance 2, if any.
    static func nearest(_ word: String, in candidates: [String]) -> String? {
        let w = Array(word.lowercased())
        var best: (String, Int)?
        for c in candidates.sorted() {
            let d = distance(w, Array(c.lowercased()))
            if d <= 2 && d < (best?.1 ?? .max) { best = (c, d) }
        }
        return best?.0
    }

    /// Levenshtein distance with adjacent transpositions (so "outptu" is 1 from "output").
    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var rows = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { rows[i][0] = i }
        for j in 0...b.count { rows[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var d = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] { d = min(d, rows[i - 2][j - 2] + 1) }
                rows[i][j] = d
            }
        }
        return rows[a.count][b.count]
    }

    static func didYouMean(_ word: String, in candidates: [String]) -> String {
        nearest(word, in: candidates).map { " (did you mean '\($0)'?)" } ?? ""
    }
}

extension StringProtocol {
    func flowTrimmed() -> SubSequence {
        guard let first = firstIndex(where: { !$0.isWhitespace }) else { return self[endIndex...] }
        let last = lastIndex(where: { !$0.isWhitespace })!
        return self[first...last]
    }
}
