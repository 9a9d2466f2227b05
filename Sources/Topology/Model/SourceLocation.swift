/// Where an element of a topology file was written, so later stages (flow parsing, the
/// topology compiler, the CLI) can report their own errors as `file:line:col`.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    /// 1-based line.
    public var line: Int
    /// 1-based column, counted in Unicode scalars (as libyaml counts them).
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file; self.line = line; self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }

    /// A diagnostic located here.
    public func diagnostic(_ message: String) -> TopologyDiagnostic {
        TopologyDiagnostic(file: file, line: line, column: column, message: message)
    }
}
