import CShims
import Glibc

/// Thin wrappers over the socket and device calls the ports make; each retries EINTR and
/// reports failure as an errno value.
/// An errno value from a failed call.
struct Errno: Error, Equatable {
    var code: Int32
    init(_ code: Int32) { self.code = code }
    static let again = Errno(EAGAIN)
}

enum Sys {
    /// open(2) with O_CLOEXEC.
    static func open(_ path: String, _ flags: Int32) -> Result<Int32, Errno> {
        while true {
            let fd = Glibc.open(path, flags | O_CLOEXEC)
            if fd >= 0 { return .success(fd) }
            if errno != EINTR { return .failure(Errno(errno)) }
        }
    }

    /// ioctl(2) with a pointer argument.
    static func ioctl(_ fd: Int32, _ request: UInt, _ arg: UnsafeMutableRawPointer) -> Int32? {
        Glibc.ioctl(fd, request, arg) < 0 ? errno : nil
    }

    /// ioctl(2) with an integer argument.
    static func ioctl(_ fd: Int32, _ request: UInt, value: Int32) -> Int32? {
        Glibc.ioctl(fd, request, value) < 0 ? errno : nil
    }

    /// setsockopt(2) of an Int32 option.
    static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32) -> Int32? {
        var v = value
        return setsockopt(fd, level, name, &v, socklen_t(MemoryLayout<Int32>.size)) < 0 ? errno : nil
    }

    /// setpriority(2) of the calling thread (PRIO_PROCESS with the thread's id): its niceness,
    /// -20 (favoured) … 19. Lowering it needs CAP_SYS_NICE.
    static func setThreadNice(_ nice: Int32) -> Errno? {
        sdn_set_thread_nice(nice) < 0 ? Errno(errno) : nil
    }

    /// prctl(PR_SET_NAME) of the calling thread, as `top -H` and /proc/PID/task/TID/comm show it
    /// (the kernel keeps 15 bytes). A name is a diagnostic: failure is ignored.
    static func setThreadName(_ name: String) {
        _ = sdn_set_thread_name(name)
    }

    /// An interface's tx_dropped counter from sysfs; nil when the interface is not visible in
    /// this namespace. For a TAP: frames its host sent that the switch's queue had no room for.
    static func interfaceTxDropped(_ ifname: String) -> UInt64? {
        guard case .value(let v) = readSysfs("/sys/class/net/\(ifname)/statistics/tx_dropped") else { return nil }
        return UInt64(v)
    }

    /// What a small sysfs attribute file holds: its first line, or EINVAL (the kernel's answer
    /// for a value that does not apply now, e.g. the carrier of an interface that is down).
    enum SysfsValue: Equatable {
        case value(String)
        case einval
    }

    /// open(2) + read(2) of a sysfs attribute; nil when it cannot be opened or read.
    static func readSysfs(_ path: String) -> SysfsValue? {
        guard case .success(let fd) = open(path, O_RDONLY) else { return nil }
        defer { Glibc.close(fd) }
        var buffer = [UInt8](repeating: 0, count: 32)
        var n: Int
        repeat {
            n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        } while n < 0 && errno == EINTR
        if n < 0 { return errno == EINVAL ? .einval : nil }
        let line = buffer[..<n].prefix { $0 != UInt8(ascii: "\n") }
        return .value(String(decoding: line, as: UTF8.self))
    }

    /// read(2); nil on EAGAIN, the errno on failure.
    @inline(__always) static func read(_ fd: Int32, _ p: UnsafeMutableRawPointer, _ n: Int) -> Result<Int, Errno> {
        while true {
            let r = Glibc.read(fd, p, n)
            if r >= 0 { return .success(r) }
            if errno != EINTR { return .failure(Errno(errno)) }
        }
    }

    /// write(2).
    @inline(__always) static func write(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Result<Int, Errno> {
        while true {
            let r = Glibc.write(fd, p, n)
            if r >= 0 { return .success(r) }
            if errno != EINTR { return .failure(Errno(errno)) }
        }
    }

    /// if_nametoindex(3).
    static func interfaceIndex(_ name: String) -> Int32? {
        let i = if_nametoindex(name)
        return i == 0 ? nil : Int32(i)
    }

    /// SIOCGIFFLAGS / SIOCSIFFLAGS: sets IFF_UP on an interface through any socket.
    static func setInterfaceUp(_ fd: Int32, _ name: String) -> Int32? {
        var req = ifreq()
        withUnsafeMutableBytes(of: &req.ifr_ifrn.ifrn_name) { raw in
            let bytes = Array(name.utf8.prefix(Int(Glibc.IFNAMSIZ) - 1))
            raw.copyBytes(from: bytes)
        }
        if let e = ioctl(fd, UInt(SIOCGIFFLAGS), &req) { return e }
        req.ifr_ifru.ifru_flags |= Int16(IFF_UP)
        return ioctl(fd, UInt(SIOCSIFFLAGS), &req)
    }
}
