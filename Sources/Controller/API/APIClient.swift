import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A small blocking client of the controller's API, for `sdnctl` (one request per connection,
/// as the server answers them). Errors are one line for the user.
public struct APIClient: Sendable {
    public var host: String
    public var port: Int
    public var token: String?
    /// Seconds a request may take (an apply of a large topology waits for barrier replies).
    public var timeout: Int

    /// `http://HOST:PORT` (or `HOST:PORT`).
    public init(address: String, token: String? = nil, timeout: Int = 120) throws(APIError) {
        var text = address
        if text.hasPrefix("http://") { text.removeFirst("http://".count) }
        while text.hasSuffix("/") { text.removeLast() }
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else {
            throw APIError(error: "controller API address '\(address)' is not http://HOST:PORT")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.host = host; self.port = port; self.token = token; self.timeout = timeout
    }

    public func get<T: Decodable>(_ path: String, as type: T.Type) throws(APIError) -> T {
        try decode(type, try send("GET", path, body: nil))
    }

    public func post<B: Encodable, T: Decodable>(_ path: String, _ body: B, as type: T.Type) throws(APIError) -> T {
        let data: Data
        do { data = try JSONEncoder().encode(body) } catch { throw APIError(error: "cannot encode the request: \(error)") }
        return try decode(type, try send("POST", path, body: Array(data)))
    }

    public func delete<T: Decodable>(_ path: String, as type: T.Type) throws(APIError) -> T {
        try decode(type, try send("DELETE", path, body: nil))
    }

    /// Percent-encodes a path segment or query value.
    public static func escape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    func decode<T: Decodable>(_ type: T.Type, _ response: (status: Int, body: [UInt8])) throws(APIError) -> T {
        let decoder = JSONDecoder()
        guard (200..<300).contains(response.status) else {
            if let error = try? decoder.decode(APIError.self, from: Data(response.body)) { throw error }
            throw APIError(error: "the controller answered HTTP \(response.status): \(String(decoding: response.body.prefix(200), as: UTF8.self))")
        }
        do {
            return try decoder.decode(type, from: Data(response.body))
        } catch {
            throw APIError(error: "the controller's answer is not the expected \(T.self): \(error)")
        }
    }

    /// One HTTP/1.1 exchange; the server closes the connection after its response.
    func send(_ method: String, _ path: String, body: [UInt8]?) throws(APIError) -> (status: Int, body: [UInt8]) {
        let fd = try connect()
        defer { close(fd) }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\nAccept: application/json\r\n"
        if let token { head += "Authorization: Bearer \(token)\r\n" }
        if let body { head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n" }
        head += "\r\n"
        try write(fd, Array(head.utf8) + (body ?? []))
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 {
                throw APIError(error: errno == EAGAIN ? "the controller did not answer within \(timeout) s" : "reading the controller's answer: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            received += chunk[0..<n]
        }
        return try Self.parse(received)
    }

    static func parse(_ bytes: [UInt8]) throws(APIError) -> (status: Int, body: [UInt8]) {
        // The blank line ending the head: CR LF CR LF.
        guard let end = (0..<max(0, bytes.count - 3)).first(where: {
            bytes[$0] == 13 && bytes[$0 + 1] == 10 && bytes[$0 + 2] == 13 && bytes[$0 + 3] == 10
        }) else {
            throw APIError(error: "the controller's answer is not HTTP")
        }
        let head = String(decoding: bytes[..<end], as: UTF8.self)
        let statusLine = head.split(separator: "\r\n").first.map(String.init) ?? ""
        let fields = statusLine.split(separator: " ")
        guard fields.count >= 2, let status = Int(fields[1]) else { throw APIError(error: "bad HTTP status line '\(statusLine)'") }
        return (status, Array(bytes[(end + 4)...]))
    }

    func connect() throws(APIError) -> Int32 {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else {
            throw APIError(error: "cannot resolve controller host '\(host)'")
        }
        defer { freeaddrinfo(list) }
        var lastError: Int32 = ECONNREFUSED
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            if fd >= 0 {
                var tv = timeval(tv_sec: timeout, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
                setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
                if Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return fd }
                lastError = errno
                close(fd)
            }
            entry = info.pointee.ai_next
        }
        throw APIError(error: "no controller API at http://\(host):\(port) (\(String(cString: strerror(lastError)))); start sdn-controller or pass --controller")
    }

    func write(_ fd: Int32, _ bytes: [UInt8]) throws(APIError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw APIError(error: "sending to the controller: \(String(cString: strerror(errno)))") }
            offset += n
        }
    }
}
