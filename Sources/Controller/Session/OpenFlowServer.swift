import NIOCore
import NIOPosix
import OpenFlow

/// Accepts switch connections on a TCP port and runs one `SwitchSession` per connection.
///
/// Port 0 asks the kernel for a free port (tests); `localPort` says which one it gave.
public final class OpenFlowServer: Sendable {
    public let host: String
    public let port: Int
    public let configuration: SwitchSession.Configuration

    let delegate: (any SwitchSessionDelegate)?
    let log: ControllerLog
    let totals: Locked<OpenFlowCounters>?
    let group: any EventLoopGroup
    private let state = Locked(ServerState())

    struct ServerState {
        var channel: (any Channel)?
        var sessions: [Int: SwitchSession] = [:]
        var nextConnection = 1
        var shutDown = false
    }

    public convenience init(host: String = "127.0.0.1", port: Int = Int(OFP.tcpPort),
                            configuration: SwitchSession.Configuration = .init(),
                            delegate: (any SwitchSessionDelegate)?, log: ControllerLog = .stdout,
                            group: (any EventLoopGroup)? = nil) {
        self.init(host: host, port: port, configuration: configuration, delegate: delegate, log: log,
                  totals: nil, group: group)
    }

    init(host: String, port: Int, configuration: SwitchSession.Configuration, delegate: (any SwitchSessionDelegate)?,
         log: ControllerLog, totals: Locked<OpenFlowCounters>?, group: (any EventLoopGroup)?) {
        self.host = host; self.port = port; self.configuration = configuration
        self.delegate = delegate; self.log = log; self.totals = totals
        self.group = group ?? MultiThreadedEventLoopGroup.singleton
    }

    /// Binds and starts accepting. Throws when the address cannot be bound.
    public func start() async throws {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(ChannelOptions.backlog, value: 64)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    let session = makeSession(channel)
                    try channel.pipeline.syncOperations.addHandler(SwitchSessionHandler(session: session))
                }
            }
        let channel = try await bootstrap.bind(host: host, port: port).get()
        let keep = state.withLock { s -> Bool in
            guard !s.shutDown else { return false }
            s.channel = channel
            return true
        }
        guard keep else { try? await channel.close(); return }
        log("openflow: listening on \(channel.localAddress.map(SwitchSession.format) ?? "\(host):\(port)")")
    }

    /// The bound port (useful after binding port 0), nil before `start`.
    public var localPort: Int? { state.withLock { $0.channel?.localAddress?.port } }

    /// Every open connection, ready or still in its handshake.
    public var sessions: [SwitchSession] {
        state.withLock { s in s.sessions.keys.sorted().compactMap { s.sessions[$0] } }
    }

    /// Stops accepting and closes every connection; returns when they are closed.
    public func shutdown() async {
        let (channel, sessions) = state.withLock { s -> ((any Channel)?, [SwitchSession]) in
            s.shutDown = true
            defer { s.channel = nil }
            return (s.channel, Array(s.sessions.values))
        }
        try? await channel?.close()
        for session in sessions {
            session.close()
            await session.waitUntilClosed()
        }
    }

    func makeSession(_ channel: any Channel) -> SwitchSession {
        let id = state.withLock { s -> Int in
            defer { s.nextConnection += 1 }
            return s.nextConnection
        }
        let session = SwitchSession(channel: channel, connectionID: id, configuration: configuration,
                                    delegate: delegate, log: log, totals: totals) { [weak self] session in
            self?.state.withLock { _ = $0.sessions.removeValue(forKey: session.connectionID) }
        }
        let refused = state.withLock { s -> Bool in
            if s.shutDown { return true }
            s.sessions[id] = session
            return false
        }
        if refused { channel.close(promise: nil) }
        return session
    }
}
