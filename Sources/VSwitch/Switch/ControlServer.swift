import Glibc

/// The switch's local control socket (`/run/swiftsdn/NAME.sock`): one request per connection.
///
/// Wire format: the client sends its arguments separated by U+001F and ended by a newline; the
/// server answers with a status line ("0" ok, "1" error) and then the output, and closes.
public final class ControlServer: @unchecked Sendable {
    public static let separator: Character = "\u{1F}"
    public let path: String
    var fd: Int32 = -1
    var thread: pthread_t?
    let handler: @Sendable ([String]) -> (ok: Bool, output: String)

    public init(path: String, handler: @escaping @Sendable ([String]) -> (ok: Bool, output: String)) throws(PortError) {
        self.path = path
        self.handler = handler
        let dir = path.split(separator: "/").dropLast().joined(separator: "/")
        if !dir.isEmpty { _ = mkdir((path.hasPrefix("/") ? "/" : "") + dir, 0o755) }
        unlink(path)
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .errno(path, "control socket") }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else {
            Glibc.close(fd)
            throw PortError(path, "control socket", "path too long")
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { $0.copyBytes(from: bytes) }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0, listen(fd, 16) == 0 else {
            let e = errno
            Glibc.close(fd)
            throw .errno(path, "bind control socket", e)
        }
        thread = VirtualSwitch.spawn { [self] in acceptLoop() }
    }

    func acceptLoop() {
        while true {
            let client = accept(fd, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return  // closed
            }
            serve(client)
            Glibc.close(client)
        }
    }

    func serve(_ client: Int32) {
        var request: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !request.contains(UInt8(ascii: "\n")) && request.count < 1 << 20 {
            let n = read(client, &chunk, chunk.count)
            if n <= 0 { break }
            request += chunk[..<n]
        }
        let line = String(decoding: request.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        let args = line.split(separator: Self.separator, omittingEmptySubsequences: false).map(String.init)
        let (ok, output) = handler(args)
        let reply = Array("\(ok ? 0 : 1)\n\(output)\(output.hasSuffix("\n") || output.isEmpty ? "" : "\n")".utf8)
        var sent = 0
        while sent < reply.count {
            let n = reply[sent...].withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            sent += n
        }
    }

    public func close() {
        if fd >= 0 {
            shutdown(fd, Int32(SHUT_RDWR))
            Glibc.close(fd)
            fd = -1
        }
        if let t = thread { pthread_join(t, nil); thread = nil }
        unlink(path)
    }

    /// Sends one request to a control socket and returns (ok, output).
    public static func request(path: String, _ args: [String]) throws(PortError) -> (ok: Bool, output: String) {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .errno(path, "socket") }
        defer { Glibc.close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { $0.copyBytes(from: Array(path.utf8.prefix($0.count - 1))) }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else { throw .errno(path, "connect (is vswitchd running?)") }
        let request = Array((args.joined(separator: String(separator)) + "\n").utf8)
        _ = request.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        var reply: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &chunk, chunk.count)
            if n <= 0 { break }
            reply += chunk[..<n]
        }
        let text = String(decoding: reply, as: UTF8.self)
        guard let newline = text.firstIndex(of: "\n") else { throw PortError(path, "read reply", "connection closed early") }
        return (text[..<newline] == "0", String(text[text.index(after: newline)...]))
    }
}
