import Foundation

/// Gate for tests that need root (namespaces, TAP devices, captures) or an external tool.
///
/// Without root such tests skip with a reason; with `SDN_REQUIRE_PRIVILEGED=1` (set by `.ci/run`)
/// a missing privilege or tool is a failure instead, so CI never counts a skip as a pass.
public enum Privileged {
    public static var isRoot: Bool { geteuid() == 0 }

    public static var required: Bool {
        ProcessInfo.processInfo.environment["SDN_REQUIRE_PRIVILEGED"] == "1"
    }

    /// Returns nil when the test may run, or the reason it must be skipped.
    /// Calls `fail` (which should record a test failure) when skipping is not allowed.
    public static func skipReason(needsRoot: Bool = true, tools: [String] = []) -> String? {
        var reasons: [String] = []
        if needsRoot && !isRoot { reasons.append("needs root") }
        for tool in tools where Shell.which(tool) == nil { reasons.append("needs \(tool) on PATH") }
        return reasons.isEmpty ? nil : reasons.joined(separator: ", ")
    }
}

public struct ShellResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

public enum Shell {
    public static func which(_ tool: String) -> String? {
        let searchPath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let paths: [String] = searchPath.split(separator: ":").map(String.init)
            + ["/usr/sbin", "/sbin", "/usr/local/sbin"]
        for dir in paths {
            let candidate = "\(dir)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs a program with arguments (no shell), capturing output.
    @discardableResult
    public static func run(_ program: String, _ arguments: [String]) throws -> ShellResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: which(program) ?? program)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read before waiting so a chatty child cannot block on a full pipe.
        let outData = readAll(out.fileHandleForReading)
        let errData = readAll(err.fileHandleForReading)
        process.waitUntilExit()
        return ShellResult(status: process.terminationStatus,
                           stdout: String(decoding: outData, as: UTF8.self),
                           stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Reads a pipe to its end. `FileHandle.readDataToEndOfFile` traps when a read is
    /// interrupted (EINTR): a child of a test running alongside exits and its SIGCHLD lands on
    /// this thread. Here an interrupted read is retried.
    static func readAll(_ handle: FileHandle) -> Data {
        var data = Data()
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(handle.fileDescriptor, $0.baseAddress, $0.count) }
            if n > 0 {
                data.append(contentsOf: chunk[0..<n])
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                return data
            }
        }
    }

    /// Runs a command line through `/bin/sh -c`.
    @discardableResult
    public static func sh(_ command: String) throws -> ShellResult {
        try run("/bin/sh", ["-c", command])
    }
}
