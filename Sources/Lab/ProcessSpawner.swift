import Foundation
import Glibc

/// `<spawn.h>` declares POSIX_SPAWN_SETSID only under _GNU_SOURCE, which Swift's Glibc module
/// is not built with; glibc ≥ 2.26 gives it this value.
private let POSIX_SPAWN_SETSID_GNU: Int32 = 0x80

/// Starts daemons that outlive `sdnctl`, and identifies, signals and reaps them later.
enum ProcessSpawner {
    /// Starts `executable arguments…` in its own session (so a terminal's SIGINT/SIGHUP to
    /// sdnctl does not reach it), stdin from /dev/null, stdout and stderr appended to `log`.
    /// The child gets an empty signal mask and default handlers for the stop signals: a child
    /// inheriting a blocked SIGTERM would never stop on `down`.
    static func spawn(_ executable: String, _ arguments: [String], log: String) throws(LabError) -> pid_t {
        var attributes = posix_spawnattr_t()
        try check("posix_spawnattr_init", posix_spawnattr_init(&attributes))
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        try check("posix_spawnattr_setsigmask", posix_spawnattr_setsigmask(&attributes, &empty))
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE] { sigaddset(&defaults, signal) }
        try check("posix_spawnattr_setsigdefault", posix_spawnattr_setsigdefault(&attributes, &defaults))
        let flags = POSIX_SPAWN_SETSID_GNU | Int32(POSIX_SPAWN_SETSIGMASK) | Int32(POSIX_SPAWN_SETSIGDEF)
        try check("posix_spawnattr_setflags", posix_spawnattr_setflags(&attributes, Int16(flags)))

        var actions = posix_spawn_file_actions_t()
        try check("posix_spawn_file_actions_init", posix_spawn_file_actions_init(&actions))
        defer { posix_spawn_file_actions_destroy(&actions) }
        try check("posix_spawn_file_actions_addopen /dev/null",
                  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0))
        try check("posix_spawn_file_actions_addopen \(log)",
                  posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644))
        try check("posix_spawn_file_actions_adddup2", posix_spawn_file_actions_adddup2(&actions, 1, 2))
        // A descriptor sdnctl inherited without close-on-exec (the write end of a caller's
        // output pipe, say) would live on in the daemon and keep that caller waiting for EOF.
        for fd in inheritedDescriptors() {
            try check("posix_spawn_file_actions_addclose \(fd)", posix_spawn_file_actions_addclose(&actions, fd))
        }

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        try check("posix_spawn \(executable)", posix_spawn(&pid, executable, &actions, &attributes, argv, environ))
        return pid
    }

    /// Open descriptors above stderr without FD_CLOEXEC, from /proc/self/fd.
    /// (posix_spawn_file_actions_addclosefrom_np would do this, but glibc declares it only under
    /// _GNU_SOURCE.)
    private static func inheritedDescriptors() -> [Int32] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return names.compactMap(Int32.init).filter { fd in
            guard fd > 2 else { return false }
            let flags = fcntl(fd, F_GETFD)
            return flags >= 0 && flags & FD_CLOEXEC == 0
        }.sorted()
    }

    /// posix_spawn and its helpers return the error number instead of setting errno.
    private static func check(_ call: String, _ result: Int32) throws(LabError) {
        if result != 0 { throw LabError("\(call): \(String(cString: strerror(result)))") }
    }

    /// The start time of `pid` in clock ticks after boot (/proc/PID/stat field 22), and whether
    /// it is a zombie (dead, only waiting for its parent to reap it). Nil when there is no such
    /// process.
    static func status(of pid: pid_t) -> (startTime: UInt64, zombie: Bool)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        // The command name (field 2) may hold spaces and parentheses; fields from 3 on follow
        // the last ')'.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let start = UInt64(fields[19]) else { return nil }
        return (start, fields[0] == "Z")
    }

    static func startTime(of pid: pid_t) -> UInt64? { status(of: pid)?.startTime }

    /// True only for the very process recorded: alive, not a zombie, same start time.
    static func isAlive(_ record: LabState.ProcessRecord) -> Bool {
        guard let status = status(of: record.pid) else { return false }
        return !status.zombie && status.startTime == record.startTime
    }

    /// waitpid(2) with WNOHANG: the exit description once our own child has ended (reaping it),
    /// nil while it runs or when it is not our child.
    static func reapIfExited(_ pid: pid_t) -> String? {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        guard result == pid else { return nil }
        let signal = status & 0x7F
        if signal == 0 { return "exited with status \((status >> 8) & 0xFF)" }
        return "was killed by signal \(signal)"
    }

    /// kill(2); a process that is already gone is not an error.
    static func signal(_ pid: pid_t, _ signal: Int32) throws(LabError) {
        if kill(pid, signal) != 0 && errno != ESRCH {
            throw LabError("kill(\(pid), \(signal)): \(String(cString: strerror(errno)))")
        }
    }

    /// The directory of the running executable, from /proc/self/exe.
    static func ownDirectory() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        let path = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return (path as NSString).deletingLastPathComponent
    }

    /// `name` next to the running sdnctl (a build directory or an install prefix keeps the
    /// three executables together), else the first one on PATH.
    static func locate(_ name: String) throws(LabError) -> String {
        var candidates: [String] = []
        if let own = ownDirectory() { candidates.append("\(own)/\(name)") }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        candidates += path.split(separator: ":").map { "\($0)/\(name)" }
        if let found = candidates.first(where: { access($0, X_OK) == 0 }) { return found }
        throw LabError("cannot find the \(name) executable next to sdnctl or on PATH")
    }

    /// The last `count` lines of a log file, for errors about a daemon that died.
    static func tail(_ log: String, lines count: Int = 10) -> String {
        guard let text = try? String(contentsOfFile: log, encoding: .utf8) else { return "(no log at \(log))" }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let trimmed = lines.last == "" ? lines.dropLast() : lines[...]
        return trimmed.suffix(count).map { "  | \($0)" }.joined(separator: "\n")
    }
}
