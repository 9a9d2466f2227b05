import CShims
import Glibc

/// The system calls HostNet makes, each wrapped once: a typed `HostNetError` naming the operation
/// and its subject, EINTR retried where the call can be interrupted.
enum SystemCalls {
    /// Retries `call` while it fails with EINTR; any other failure becomes a `HostNetError`.
    @inline(__always)
    private static func retryingInterrupts(
        _ operation: String, _ subject: String, _ call: () -> Int32
    ) throws(HostNetError) -> Int32 {
        while true {
            let result = call()
            if result >= 0 { return result }
            let code = errno
            if code != EINTR { throw .system(operation, subject, errno: code) }
        }
    }

    /// open(2), close-on-exec so a namespace fd never leaks into children we (or tests) spawn.
    static func open(
        _ path: String, flags: Int32, mode: mode_t = 0, operation: String, subject: String
    ) throws(HostNetError) -> Int32 {
        try retryingInterrupts(operation, subject) { Glibc.open(path, flags | O_CLOEXEC, mode) }
    }

    /// close(2). Not retried on EINTR: Linux releases the descriptor even then, and a retry
    /// could close a descriptor another thread has just been given.
    static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    /// mkdir(2); an existing directory is success, as `ip netns add` treats it.
    static func makeDirectory(
        _ path: String, mode: mode_t, operation: String, subject: String
    ) throws(HostNetError) {
        if Glibc.mkdir(path, mode) != 0 && errno != EEXIST {
            throw .system(operation, subject, errno: errno)
        }
    }

    /// mount(2). Returns the errno instead of throwing, because `ip netns add` branches on
    /// EINVAL (not yet a mount point) before deciding it is a failure.
    static func mount(
        source: String, target: String, flags: UInt
    ) -> Int32? {
        Glibc.mount(source, target, "none", flags, nil) == 0 ? nil : errno
    }

    /// umount2(2).
    static func unmount(_ path: String, flags: Int32) -> Int32? {
        Glibc.umount2(path, flags) == 0 ? nil : errno
    }

    /// unlink(2).
    static func unlink(_ path: String, operation: String, subject: String) throws(HostNetError) {
        if Glibc.unlink(path) != 0 { throw .system(operation, subject, errno: errno) }
    }

    /// stat(2)'s device and inode of `path` (fstatat(2), following symlinks); nil when it cannot be
    /// statted. EINTR retried.
    static func fileIdentity(_ path: String) -> FileIdentity? {
        var st = stat()
        while Glibc.fstatat(AT_FDCWD, path, &st, 0) != 0 {
            if errno != EINTR { return nil }
        }
        return FileIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
    }

    /// fstat(2)'s device and inode of an open descriptor; nil on failure.
    static func fileIdentity(_ fd: Int32) -> FileIdentity? {
        var st = stat()
        guard Glibc.fstat(fd, &st) == 0 else { return nil }
        return FileIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
    }

    /// access(2) with F_OK.
    static func exists(_ path: String) -> Bool {
        Glibc.access(path, F_OK) == 0
    }

    /// setns(2) with CLONE_NEWNET, through CShims (declared only under _GNU_SOURCE). Moves the
    /// calling thread alone.
    static func enterNetworkNamespace(
        _ fd: Int32, operation: String, subject: String
    ) throws(HostNetError) {
        if sdn_setns_net(fd) != 0 { throw .system(operation, subject, errno: errno) }
    }

    /// unshare(2) with CLONE_NEWNET, through CShims. Gives the calling thread alone a new,
    /// empty network namespace.
    static func unshareNetworkNamespace(operation: String, subject: String) throws(HostNetError) {
        if sdn_unshare_net() != 0 { throw .system(operation, subject, errno: errno) }
    }
}

/// Which file (or namespace: nsfs gives each one its own inode) a path or descriptor refers to.
struct FileIdentity: Hashable {
    var device: UInt64
    var inode: UInt64
}
