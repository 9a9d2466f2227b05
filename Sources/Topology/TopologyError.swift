/// One problem found in a topology file, located as `file:line:col`.
public struct TopologyDiagnostic: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file; self.line = line; self.column = column; self.message = message
    }

    public var description: String { "\(file):\(line):\(column): \(message)" }
}

/// A refused topology file: every problem found, not just the first.
public struct TopologyError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [TopologyDiagnostic]
    public init(_ diagnostics: [TopologyDiagnostic]) { self.diagnostics = diagnostics }
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
