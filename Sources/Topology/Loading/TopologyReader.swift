import Yams

/// Reads a composed YAML tree into the topology model, collecting every problem instead of
/// stopping at the first. Values that are wrong are reported and left out (or given a stand-in),
/// so that later checks still run without repeating the same mistake as a chain of errors.
final class TopologyReader {
    let file: String
    let flowValidator: ((String) -> String?)?
    var diagnostics: [TopologyDiagnostic] = []

    // Filled while reading, used by the cross-checks.
    var vlanNames: [String: UInt16] = [:]
    var switches: [SwitchConfig] = []
    /// Ports whose type could not be read; checks that depend on the type skip them.
    var portsOfUnknownType: Set<PortReference> = []
    /// Switches whose ports could not be read at all: a reference to any of their ports would
    /// only repeat that error.
    var incompleteSwitches: Set<String> = []
    /// Per switch, the numbers and names of ports that had errors, for the same reason.
    var unreadablePorts: [String: Set<String>] = [:]
    /// Patch peers as written, resolved once every switch is known.
    var pendingPeers: [(port: PortReference, peer: Field)] = []
    /// Where each switch wrote its `datapath-id`, `listen` and `control-socket` values.
    var switchFieldLocations: [String: [String: SourceLocation]] = [:]
    var portUses: [PortReference: PortUse] = [:]

    init(file: String, flowValidator: ((String) -> String?)?) {
        self.file = file
        self.flowValidator = flowValidator
    }

    // MARK: Diagnostics

    func location(_ node: Node) -> SourceLocation {
        let mark = node.mark
        return SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    func error(_ node: Node, _ message: String) { error(location(node), message) }
    func error(_ location: SourceLocation, _ message: String) { diagnostics.append(location.diagnostic(message)) }

    // MARK: Mappings

    /// One `key: value` pair, with the key as text.
    struct Field {
        let name: String
        let key: Node
        let value: Node
    }

    /// The pairs of a mapping by key, after unknown keys were reported.
    struct Fields {
        /// The node that owns the mapping (its key, e.g. the switch name), for "missing" errors.
        let owner: Node
        let byName: [String: Field]
        let inOrder: [Field]
        subscript(name: String) -> Field? { byName[name] }
    }

    /// A short phrase for what a node holds, for "got …" in messages.
    func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar):
            if isNull(node) { return "nothing" }
            return "'\(scalar.string)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    func isNull(_ node: Node) -> Bool {
        guard case .scalar = node else { return false }
        return node.tag.rawValue == Tag.Name.null.rawValue
    }

    /// The entries of a mapping node in file order; nil (after an error) when not a mapping.
    /// A null value counts as an empty mapping when `nullIsEmpty`.
    func pairs(_ node: Node, what: String, nullIsEmpty: Bool = true) -> [(key: Node, value: Node)]? {
        if case .mapping(let mapping) = node {
            return mapping.filter { !YAMLComposer.isPlaceholder($0.key.scalar?.string ?? "") }
        }
        if nullIsEmpty, isNull(node) { return [] }
        error(node, "expected a mapping for \(what), got \(describe(node))")
        return nil
    }

    /// Reads a mapping whose keys are field names, reporting keys not in `allowed` with a
    /// did-you-mean and keys listed in `reserved` with their "not supported yet" message.
    func fields(_ node: Node, owner: Node, allowed: [String], context: String, what: String,
                reserved: [String: String] = [:], nullIsEmpty: Bool = true) -> Fields? {
        guard let pairs = pairs(node, what: what, nullIsEmpty: nullIsEmpty) else { return nil }
        var byName: [String: Field] = [:], inOrder: [Field] = []
        for (key, value) in pairs {
            guard case .scalar(let scalar) = key, !isNull(key) else {
                error(key, "expected a field name in \(context), got \(describe(key))")
                continue
            }
            let name = scalar.string
            if let message = reserved[name] {
                error(key, message)
                continue
            }
            guard allowed.contains(name) else {
                error(key, "unknown key '\(name)' in \(context)\(didYouMean(name, allowed))")
                continue
            }
            let field = Field(name: name, key: key, value: value)
            byName[name] = field
            inOrder.append(field)
        }
        return Fields(owner: owner, byName: byName, inOrder: inOrder)
    }

    func missing(_ name: String, in fields: Fields, context: String) {
        error(fields.owner, "missing '\(name)' in \(context)")
    }

    // MARK: Scalars

    /// Any non-null scalar's text ("expected a string for 'name', got a list").
    func string(_ field: Field, _ what: String = "a string") -> String? {
        guard case .scalar(let scalar) = field.value, !isNull(field.value) else {
            error(field.value, "expected \(what) for '\(field.name)', got \(describe(field.value))")
            return nil
        }
        return scalar.string
    }

    /// A non-empty string without whitespace or control characters.
    func word(_ field: Field, _ what: String = "a string") -> String? {
        guard let text = string(field, what) else { return nil }
        if text.isEmpty || text.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 }) {
            error(field.value, "expected \(what) for '\(field.name)', got '\(text)' (empty or with spaces)")
            return nil
        }
        return text
    }

    /// Decimal or `0x` hex text as an integer; nil when not one.
    static func integerValue(_ text: String) -> Int? {
        var digits = Substring(text)
        var sign = 1
        if digits.hasPrefix("-") { sign = -1; digits = digits.dropFirst() } else if digits.hasPrefix("+") { digits = digits.dropFirst() }
        let value: Int?
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") {
            let hex = digits.dropFirst(2)
            value = hex.isEmpty || hex.count > 15 ? nil : Int(hex, radix: 16)
        } else {
            value = digits.isEmpty || digits.count > 18 || !digits.allSatisfy({ $0.isASCII && $0.isNumber })
                ? nil : Int(digits)
        }
        return value.map { $0 * sign }
    }

    /// An integer node ("expected an integer for 'mtu', got 'abc'").
    func integer(_ node: Node, name: String) -> Int? {
        guard case .scalar(let scalar) = node, !isNull(node), let value = Self.integerValue(scalar.string) else {
            error(node, "expected an integer for '\(name)', got \(describe(node))")
            return nil
        }
        return value
    }

    /// An integer in a range ("'mtu' 50 is outside 68-65535").
    func integer(_ field: Field, in range: ClosedRange<Int>) -> Int? {
        guard let value = integer(field.value, name: field.name) else { return nil }
        guard range.contains(value) else {
            error(field.value, "'\(field.name)' \(value) is outside \(range.lowerBound)-\(range.upperBound)")
            return nil
        }
        return value
    }

    /// One of an enum's raw values, with a did-you-mean.
    func choice<T: RawRepresentable & CaseIterable>(_ field: Field, _ type: T.Type) -> T? where T.RawValue == String {
        guard let text = string(field) else { return nil }
        if let value = T(rawValue: text) { return value }
        let names = T.allCases.map(\.rawValue)
        error(field.value, "'\(field.name)' must be one of \(names.joined(separator: ", ")), got '\(text)'"
              + didYouMean(text, names))
        return nil
    }

    /// A scalar or a list of scalars, as for `controller:`.
    func stringList(_ field: Field) -> [(String, Node)]? {
        if case .sequence(let sequence) = field.value {
            var result: [(String, Node)] = []
            for item in sequence {
                guard case .scalar(let scalar) = item, !isNull(item) else {
                    error(item, "expected a string in '\(field.name)', got \(describe(item))")
                    continue
                }
                result.append((scalar.string, item))
            }
            return result
        }
        guard let text = string(field, "a string or a list") else { return nil }
        return [(text, field.value)]
    }

    // MARK: Names

    /// Switch and host names: they appear in paths, `SWITCH:PORT` references and commands.
    func identifier(_ node: Node, what: String) -> String? {
        guard case .scalar(let scalar) = node, !isNull(node) else {
            error(node, "expected a name for \(what), got \(describe(node))")
            return nil
        }
        let name = scalar.string
        let allowed = name.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil || "-_.".unicodeScalars.contains($0))
        }
        guard allowed, let first = name.unicodeScalars.first, first.properties.isAlphabetic || first.properties.numericType != nil else {
            error(node, "\(what) name '\(name)' must start with a letter or digit and hold only letters, digits, '-', '_' and '.'")
            return nil
        }
        return name
    }

    /// A Linux interface name: 1-15 bytes, no '/', ':' or whitespace, not "." or "..".
    func interfaceName(_ field: Field) -> String? {
        guard let name = string(field) else { return nil }
        if let problem = Self.interfaceNameProblem(name) {
            error(field.value, "'\(field.name)' '\(name)' is not a valid interface name: \(problem)")
            return nil
        }
        return name
    }

    static func interfaceNameProblem(_ name: String) -> String? {
        if name.isEmpty { return "it is empty" }
        if name.utf8.count > 15 { return "longer than 15 bytes" }
        if name == "." || name == ".." { return "reserved name" }
        if name.unicodeScalars.contains(where: { $0 == "/" || $0 == ":" || $0.properties.isWhitespace || $0.value < 0x20 }) {
            return "it contains '/', ':' or whitespace"
        }
        return nil
    }

    /// A VLAN id, or a name from `vlans:`, in 1-4094.
    func vlanID(_ node: Node, name: String) -> UInt16? {
        guard case .scalar(let scalar) = node, !isNull(node) else {
            error(node, "expected a VLAN id for '\(name)', got \(describe(node))")
            return nil
        }
        let text = scalar.string
        if let value = Self.integerValue(text) {
            guard (1...4094).contains(value) else {
                error(node, "'\(name)' holds VLAN \(value), outside 1-4094")
                return nil
            }
            return UInt16(value)
        }
        if let id = vlanNames[text] { return id }
        let hint = vlanNames.isEmpty ? "" : didYouMean(text, vlanNames.keys.sorted())
        error(node, "expected a VLAN id (1-4094) or a name from 'vlans' for '\(name)', got '\(text)'\(hint)")
        return nil
    }
}
