import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// The controller's HTTP/JSON API (HTTP/1.1 over SwiftNIO, one request per connection).
///
/// Bound to loopback by default. Bound anywhere else it requires a bearer token, so the
/// switches' intended state cannot be rewritten from the network by anyone who can connect.
public final class APIServer: Sendable {
    public struct Configuration: Sendable {
        public var host: String
        /// 0: any free port (see `localPort`).
        public var port: Int
        /// Required as `Authorization: Bearer TOKEN` when set.
        public var token: String?
        /// Requests with a larger body are refused (413).
        public var maxBodyBytes: Int

        public init(host: String = "127.0.0.1", port: Int = APIServer.defaultPort, token: String? = nil,
                    maxBodyBytes: Int = 16 << 20) {
            self.host = host; self.port = port; self.token = token; self.maxBodyBytes = maxBodyBytes
        }
    }

    public static let defaultPort = 6680

    public let configuration: Configuration
    let router: APIRouter
    let log: ControllerLog
    let channel = Locked<(any Channel)?>(nil)

    public init(controller: Controller, configuration: Configuration = .init()) throws {
        if configuration.token == nil && !Self.isLoopback(configuration.host) {
            throw APIError(error: "the API on \(configuration.host) (not loopback) needs a bearer token (--api-token)")
        }
        self.configuration = configuration
        self.router = APIRouter(controller: controller)
        self.log = controller.log
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    public func start() async throws {
        let router = router, configuration = configuration
        let bound = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline(withErrorHandling: true).flatMap {
                    channel.pipeline.addHandler(APIHandler(router: router, configuration: configuration))
                }
            }
            .bind(host: configuration.host, port: configuration.port).get()
        channel.withLock { $0 = bound }
        log("api: listening on http://\(configuration.host):\(bound.localAddress?.port ?? configuration.port)/v1")
    }

    public var localPort: Int? { channel.withLock { $0?.localAddress?.port } }

    public func shutdown() async {
        let bound = channel.withLock { c -> (any Channel)? in defer { c = nil }; return c }
        try? await bound?.close()
    }
}

/// Collects one request, runs it through the router off the event loop, writes the response
/// and closes the connection.
final class APIHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let router: APIRouter
    let configuration: APIServer.Configuration
    // Touched on the channel's event loop only.
    var head: HTTPRequestHead?
    var body: [UInt8] = []
    var tooLarge = false

    init(router: APIRouter, configuration: APIServer.Configuration) {
        self.router = router; self.configuration = configuration
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h; body = []; tooLarge = false
        case .body(var buffer):
            if body.count + buffer.readableBytes > configuration.maxBodyBytes { tooLarge = true; return }
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            guard let head else { return }
            self.head = nil
            if tooLarge {
                respond(context: context, APIResponse.error(413, "request body over \(configuration.maxBodyBytes) bytes"))
                return
            }
            if let token = configuration.token, head.headers.first(name: "authorization") != "Bearer \(token)" {
                respond(context: context, APIResponse.error(401, "missing or wrong bearer token"))
                return
            }
            let (path, query) = Self.split(head.uri)
            let request = APIRequest(method: head.method.rawValue, path: path, query: query, body: body)
            let router = router
            let loop = context.eventLoop
            let bound = NIOLoopBound((self, context), eventLoop: loop)
            Task {
                let response = await router.handle(request)
                loop.execute {
                    let (handler, context) = bound.value
                    handler.respond(context: context, response)
                }
            }
        }
    }

    func respond(context: ChannelHandlerContext, _ response: APIResponse) {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "content-length", value: String(response.body.count))
        headers.add(name: "connection", value: "close")
        let status = HTTPResponseStatus(statusCode: response.status)
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: response.body.count)
        buffer.writeBytes(response.body)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }

    /// `/v1/x?match=a%3Db` → ("/v1/x", ["match": "a=b"]).
    static func split(_ uri: String) -> (String, [String: String]) {
        guard let mark = uri.firstIndex(of: "?") else { return (uri, [:]) }
        var query: [String: String] = [:]
        for pair in uri[uri.index(after: mark)...].split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ") }
            guard let key = kv.first?.removingPercentEncoding else { continue }
            query[key] = kv.count > 1 ? (kv[1].removingPercentEncoding ?? kv[1]) : ""
        }
        return (String(uri[..<mark]), query)
    }
}
