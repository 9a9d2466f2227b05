import NIOCore
import OpenFlow

/// Receives what a session learns: that the handshake finished, asynchronous messages from the
/// switch, and the end of the connection. Called on the session's event loop, never under a lock.
public protocol SwitchSessionDelegate: AnyObject, Sendable {
    /// HELLO, FEATURES and PORT_DESC are done: `session.datapathID` and `session.ports` are set.
    func sessionDidBecomeReady(_ session: SwitchSession)
    /// PACKET_IN, PORT_STATUS (already applied to `session.ports`), FLOW_REMOVED, and ERRORs that
    /// answer no pending request. Only after the session is ready.
    func session(_ session: SwitchSession, didReceive message: OFMessage)
    /// The connection is gone; pending requests have failed with `.connectionClosed`.
    func sessionDidClose(_ session: SwitchSession)
}

/// Why a request or push did not produce its answer.
public enum SwitchSessionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The connection closed before the answer came (or was closed already).
    case connectionClosed
    /// No answer within the request timeout.
    case timedOut(OFType)
    /// The switch answered the request itself with OFPT_ERROR.
    case switchError(OFErrorMessage)
    /// The answer arrived but could not be decoded.
    case undecodableReply(OFDecodeError)
    /// `request` was given a message that has no reply (use `send`, or `push` for flow-mods).
    case notARequest(OFType)
    /// The message is longer than OpenFlow's 16-bit length allows.
    case encoding(OFEncodeError)

    public var description: String {
        switch self {
        case .connectionClosed: "connection closed"
        case .timedOut(let type): "no reply to \(type) in time"
        case .switchError(let error): "switch replied \(error)"
        case .undecodableReply(let error): "undecodable reply: \(error)"
        case .notARequest(let type): "\(type) has no reply"
        case .encoding(let error): "\(error)"
        }
    }
}

/// The outcome of a barrier-confirmed batch of flow-mods: the switch processed all of them
/// (its BARRIER_REPLY came back); `failures` holds the ones it refused, each with its ERROR.
public struct PushResult: Sendable {
    public var flowMods: [OFFlowMod]
    public var failures: [(flowMod: OFFlowMod, error: OFErrorMessage)]

    public init(flowMods: [OFFlowMod], failures: [(flowMod: OFFlowMod, error: OFErrorMessage)] = []) {
        self.flowMods = flowMods; self.failures = failures
    }

    /// True when the switch refused none of the flow-mods.
    public var succeeded: Bool { failures.isEmpty }
}

/// Message counts of one session, or of all sessions of a controller.
public struct OpenFlowCounters: Hashable, Sendable {
    public var messagesSent = 0
    public var messagesReceived = 0
    public var flowModsSent = 0
    public var packetOutsSent = 0
    public var barriersSent = 0
    public var echoRequestsSent = 0
    public var packetInsReceived = 0
    public var portStatusReceived = 0
    public var flowRemovedReceived = 0
    public var errorsReceived = 0
    /// Framed messages that did not decode (logged and skipped).
    public var decodeErrors = 0
    /// PACKET_INs that came before the handshake finished (nobody knows the switch yet).
    public var packetInsBeforeReady = 0

    public init() {}

    mutating func countSent(_ type: OFType) {
        messagesSent += 1
        switch type {
        case .flowMod: flowModsSent += 1
        case .packetOut: packetOutsSent += 1
        case .barrierRequest: barriersSent += 1
        case .echoRequest: echoRequestsSent += 1
        default: break
        }
    }

    mutating func countReceived(_ type: OFType?) {
        messagesReceived += 1
        switch type {
        case .packetIn: packetInsReceived += 1
        case .portStatus: portStatusReceived += 1
        case .flowRemoved: flowRemovedReceived += 1
        case .error: errorsReceived += 1
        default: break
        }
    }
}

/// One switch connected to the controller: the OpenFlow 1.3 handshake, the switch's datapath id
/// and ports, keepalive, and requests matched to their replies by xid.
///
/// Everything here may be called from any thread or task. Replies are matched on the channel's
/// event loop; callers await them.
public final class SwitchSession: Sendable, CustomStringConvertible {
    public struct Configuration: Sendable {
        /// Silence after which an ECHO_REQUEST goes out (and the period of the check).
        public var echoInterval: Duration
        /// Echo requests left unanswered before the connection is closed.
        public var maxUnansweredEchoes: Int
        /// How long `request` and `push` wait for their reply or barrier.
        public var requestTimeout: Duration
        /// miss_send_len sent in SET_CONFIG (0xffff: whole frames, never buffered).
        public var missSendLength: UInt16

        public init(echoInterval: Duration = .seconds(5), maxUnansweredEchoes: Int = 3,
                    requestTimeout: Duration = .seconds(30), missSendLength: UInt16 = OFP.controllerNoBuffer) {
            self.echoInterval = echoInterval; self.maxUnansweredEchoes = maxUnansweredEchoes
            self.requestTimeout = requestTimeout; self.missSendLength = missSendLength
        }
    }

    /// How far the connection has come.
    public enum Phase: Hashable, Sendable {
        case awaitingHello, awaitingFeatures, awaitingPorts, ready, closed
    }

    /// Connection number, unique per server.
    public let connectionID: Int
    /// `ip:port` of the switch.
    public let remoteAddress: String
    public let configuration: Configuration

    let channel: any Channel
    /// What is sent waits here for the event loop to write it, a burst at a time.
    let outbox = OFOutbox()
    let log: ControllerLog
    let totals: Locked<OpenFlowCounters>?
    let onClose: @Sendable (SwitchSession) -> Void
    let state: Locked<State>

    init(channel: any Channel, connectionID: Int, configuration: Configuration, delegate: (any SwitchSessionDelegate)?,
         log: ControllerLog, totals: Locked<OpenFlowCounters>?, onClose: @escaping @Sendable (SwitchSession) -> Void) {
        self.channel = channel
        self.connectionID = connectionID
        self.remoteAddress = channel.remoteAddress.map(Self.format) ?? "unknown"
        self.configuration = configuration
        self.log = log
        self.totals = totals
        self.onClose = onClose
        self.state = Locked(State(delegate: delegate))
    }

    // MARK: What the session knows

    public var phase: Phase { state.withLock { $0.phase } }
    public var isReady: Bool { phase == .ready }

    /// The switch's datapath id, once FEATURES_REPLY has come.
    public var datapathID: UInt64? { state.withLock { $0.features?.datapathID } }

    public var features: OFFeaturesReply? { state.withLock { $0.features } }

    /// The switch's ports by number (from PORT_DESC, kept current by PORT_STATUS), sorted.
    public var ports: [OFPortDescription] {
        state.withLock { $0.ports.values.sorted { $0.portNo < $1.portNo } }
    }

    public func port(_ number: UInt32) -> OFPortDescription? { state.withLock { $0.ports[number] } }

    public var counters: OpenFlowCounters { state.withLock { $0.counters } }

    /// `0x…` datapath id once known, else the connection.
    public var name: String {
        datapathID.map(formatDatapathID) ?? "connection \(connectionID) (\(remoteAddress))"
    }

    public var description: String { "SwitchSession(\(name))" }

    // MARK: Sending

    /// Sends one message that expects no reply (PACKET_OUT, a lone FLOW_MOD …). Returns its xid.
    @discardableResult
    public func send(_ message: OFMessage) throws(SwitchSessionError) -> UInt32 {
        guard let xid = state.withLock({ s -> UInt32? in s.phase == .closed ? nil : s.allocateXID() }) else {
            throw .connectionClosed
        }
        try write([(message, xid)])
        return xid
    }

    /// Sends a request and waits for its whole answer: the reply (FEATURES, GET_CONFIG, ROLE,
    /// GET_ASYNC, ECHO, BARRIER), or every part of a multipart reply until one comes without
    /// OFPMPF_REPLY_MORE. An OFPT_ERROR with the request's xid throws `.switchError`.
    public func request(_ message: OFMessage, timeout: Duration? = nil) async throws -> [OFMessage] {
        try await makeRequest(message, timeout: timeout).get()
    }

    /// Sends the flow-mods, then a BARRIER_REQUEST, and returns when the BARRIER_REPLY arrives:
    /// only then has the switch processed every one. ERRORs carrying a flow-mod's xid come back
    /// in `PushResult.failures` with that flow-mod. Throws when the connection closes first or
    /// the barrier is not answered in time.
    public func push(flowMods: [OFFlowMod], timeout: Duration? = nil) async throws -> PushResult {
        try await makePush(flowMods, timeout: timeout).get()
    }

    /// Closes the connection; pending requests fail with `.connectionClosed`.
    public func close() {
        channel.close(promise: nil)
    }

    /// Returns once the connection is closed.
    public func waitUntilClosed() async {
        try? await channel.closeFuture.get()
    }

    // MARK: Internals shared with the handler

    /// Encodes the messages and queues them for the connection: they reach the switch in this
    /// order, after whatever was queued before them. An app answering a burst of PACKET_INs
    /// from its own thread costs one hop to the event loop and one syscall per burst, not per
    /// message (`OFOutbox`).
    func write(_ messages: [(OFMessage, UInt32)], thenClose: Bool = false) throws(SwitchSessionError) {
        let scheduleFlush: Bool
        do { scheduleFlush = try outbox.add(messages, thenClose: thenClose) } catch { throw .encoding(error) }
        count { c in for (message, _) in messages { c.countSent(message.type) } }
        if scheduleFlush { channel.eventLoop.execute { [self] in flushOutbox() } }
    }

    /// Writes what `write` queued (on the event loop), then closes if a write asked for that.
    private func flushOutbox() {
        let channel = self.channel
        let (buffer, close) = outbox.take { channel.allocator.buffer(bytes: $0) }
        let future = channel.writeAndFlush(buffer)
        if close { future.whenComplete { _ in channel.close(promise: nil) } }
    }

    /// Updates this session's counters and the controller's totals.
    func count(_ update: (inout OpenFlowCounters) -> Void) {
        state.withLock { update(&$0.counters) }
        totals?.withLock { update(&$0) }
    }

    static func format(_ address: SocketAddress) -> String {
        if let ip = address.ipAddress, let port = address.port {
            return address.protocol == .inet6 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
        }
        return address.description
    }
}

// MARK: - State

extension SwitchSession {
    /// What an xid in flight is waiting for.
    enum Pending {
        /// One reply message.
        case reply(EventLoopPromise<[OFMessage]>)
        /// Multipart reply parts, collected until one without REPLY_MORE.
        case multipart(EventLoopPromise<[OFMessage]>, parts: [OFMessage])
        /// A flow-mod of a push batch: its ERROR, if any, is recorded in the batch.
        case pushFlowMod(batch: Int, index: Int)
        /// The barrier closing a push batch.
        case pushBarrier(batch: Int)
    }

    struct PushBatch {
        var flowMods: [OFFlowMod]
        var xids: [UInt32]
        var barrierXID: UInt32
        var failures: [(index: Int, error: OFErrorMessage)] = []
        var promise: EventLoopPromise<PushResult>
    }

    struct State {
        var phase: Phase = .awaitingHello
        var delegate: (any SwitchSessionDelegate)?
        var nextXID: UInt32 = 1
        var features: OFFeaturesReply?
        var ports: [UInt32: OFPortDescription] = [:]
        var pending: [UInt32: Pending] = [:]
        var batches: [Int: PushBatch] = [:]
        var nextBatch = 0
        var counters = OpenFlowCounters()
        var lastHeard = NIODeadline.now()
        var unansweredEchoes = 0
        var keepalive: RepeatedTask?

        init(delegate: (any SwitchSessionDelegate)?) { self.delegate = delegate }

        mutating func allocateXID() -> UInt32 {
            defer { nextXID = nextXID == UInt32.max ? 1 : nextXID + 1 }
            return nextXID
        }

        /// Removes a finished batch and the entries of its flow-mods.
        mutating func takeBatch(_ id: Int) -> PushBatch? {
            guard let batch = batches.removeValue(forKey: id) else { return nil }
            for xid in batch.xids { pending.removeValue(forKey: xid) }
            pending.removeValue(forKey: batch.barrierXID)
            return batch
        }
    }
}

// MARK: - Requests and pushes

extension SwitchSession {
    /// Whether a message gets an answer with its xid (and of which kind).
    static func replyKind(of message: OFMessage) -> (expectsReply: Bool, multipart: Bool) {
        switch message {
        case .multipartRequest: (true, true)
        case .featuresRequest, .getConfigRequest, .echoRequest, .barrierRequest, .roleRequest, .getAsyncRequest:
            (true, false)
        default: (false, false)
        }
    }

    func makeRequest(_ message: OFMessage, timeout: Duration? = nil) -> EventLoopFuture<[OFMessage]> {
        let eventLoop = channel.eventLoop
        let kind = Self.replyKind(of: message)
        guard kind.expectsReply else {
            return eventLoop.makeFailedFuture(SwitchSessionError.notARequest(message.type))
        }
        let promise = eventLoop.makePromise(of: [OFMessage].self)
        let xid = state.withLock { s -> UInt32? in
            guard s.phase != .closed else { return nil }
            let xid = s.allocateXID()
            s.pending[xid] = kind.multipart ? .multipart(promise, parts: []) : .reply(promise)
            return xid
        }
        guard let xid else {
            promise.fail(SwitchSessionError.connectionClosed)
            return promise.futureResult
        }
        do {
            try write([(message, xid)])
        } catch {
            failRequest(xid: xid, error)
            return promise.futureResult
        }
        let type = message.type
        let timer = eventLoop.scheduleTask(in: TimeAmount(timeout ?? configuration.requestTimeout)) { [self] in
            failRequest(xid: xid, .timedOut(type))
        }
        promise.futureResult.whenComplete { _ in timer.cancel() }
        return promise.futureResult
    }

    func makePush(_ flowMods: [OFFlowMod], timeout: Duration? = nil) -> EventLoopFuture<PushResult> {
        let eventLoop = channel.eventLoop
        let promise = eventLoop.makePromise(of: PushResult.self)
        let ids = state.withLock { s -> (batch: Int, xids: [UInt32], barrier: UInt32)? in
            guard s.phase != .closed else { return nil }
            let batch = s.nextBatch
            s.nextBatch += 1
            var xids: [UInt32] = []
            xids.reserveCapacity(flowMods.count)
            for index in flowMods.indices {
                let xid = s.allocateXID()
                xids.append(xid)
                s.pending[xid] = .pushFlowMod(batch: batch, index: index)
            }
            let barrier = s.allocateXID()
            s.pending[barrier] = .pushBarrier(batch: batch)
            s.batches[batch] = PushBatch(flowMods: flowMods, xids: xids, barrierXID: barrier, promise: promise)
            return (batch, xids, barrier)
        }
        guard let ids else {
            promise.fail(SwitchSessionError.connectionClosed)
            return promise.futureResult
        }
        var messages: [(OFMessage, UInt32)] = zip(flowMods, ids.xids).map { (.flowMod($0), $1) }
        messages.append((.barrierRequest, ids.barrier))
        do {
            try write(messages)
        } catch {
            failBatch(ids.batch, error)
            return promise.futureResult
        }
        let timer = eventLoop.scheduleTask(in: TimeAmount(timeout ?? configuration.requestTimeout)) { [self] in
            failBatch(ids.batch, .timedOut(.barrierRequest))
        }
        promise.futureResult.whenComplete { _ in timer.cancel() }
        return promise.futureResult
    }

    /// Fails whatever waits on `xid` (a request, or the push batch it belongs to).
    func failRequest(xid: UInt32, _ error: SwitchSessionError) {
        let taken = state.withLock { s -> Pending? in
            guard let p = s.pending[xid] else { return nil }
            switch p {
            case .reply, .multipart:
                s.pending.removeValue(forKey: xid)
                return p
            case .pushFlowMod(let batch, _), .pushBarrier(let batch):
                return .pushBarrier(batch: batch)
            }
        }
        switch taken {
        case .reply(let promise), .multipart(let promise, _): promise.fail(error)
        case .pushBarrier(let batch): failBatch(batch, error)
        case .pushFlowMod, nil: break
        }
    }

    func failBatch(_ id: Int, _ error: SwitchSessionError) {
        state.withLock { $0.takeBatch(id) }?.promise.fail(error)
    }
}
