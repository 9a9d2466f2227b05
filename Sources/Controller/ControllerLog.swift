import Foundation

/// Where the controller's log lines go: one call per line, no trailing newline.
///
/// The executable prints them to stdout (flushed per line, so a supervisor or a test reading
/// the pipe sees each event as it happens); tests collect or drop them.
public struct ControllerLog: Sendable {
    public let write: @Sendable (String) -> Void

    public init(_ write: @escaping @Sendable (String) -> Void) { self.write = write }

    public func callAsFunction(_ line: String) { write(line) }

    /// Lines to standard output, flushed one by one.
    public static let stdout = ControllerLog { line in
        print(line)
        fflush(nil)  // all output streams: stdout itself is not concurrency-safe to name
    }

    /// Drops everything.
    public static let silent = ControllerLog { _ in }
}

/// `0x00000000000000a1` — the form OpenFlow tools print datapath ids in.
public func formatDatapathID(_ dpid: UInt64) -> String {
    let hex = String(dpid, radix: 16)
    return "0x" + String(repeating: "0", count: 16 - hex.count) + hex
}
