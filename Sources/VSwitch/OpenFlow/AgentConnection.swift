import NIOCore
import OpenFlow
import Packet

/// One OpenFlow session of the switch agent (to a controller, or from a tool on the listener).
/// All its state lives on its channel's event loop; `send` may be called from any thread.
final class AgentConnection: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    unowned let agent: OpenFlowAgent
    /// Configured controller (counts for fail mode) rather than a listener client.
    let isController: Bool
    var channel: Channel?
    var framer = OFFramer()
    /// Reuses its storage from message to message: each is applied before the next is decoded.
    var decoder = OFMessageDecoder(options: AgentConnection.decodeOptions)
    var helloReceived = false
    var role: OFControllerRole = .equal
    var async = OFAsyncConfig.default
    var lastHeard = NIODeadline.now()
    var unansweredEchoes = 0
    var keepalive: RepeatedTask?
    var nextXID: UInt32 = 1
    /// A table-change batch is open (see `VirtualSwitch.beginBatch`).
    var batchOpen = false
    var batchOpened = NIODeadline.now()
    var readSequence = 0
    /// What is sent waits here for the event loop to write it, a burst at a time.
    let outbox = OFOutbox()
    /// The stream could not be framed: nothing more is read while the error goes out and the
    /// connection closes.
    var unframeable = false

    static let decodeOptions = OFDecodeOptions(maxTableID: UInt8(PipelineSnapshot.tableCount - 1), datapathFeaturesOnly: true)

    init(agent: OpenFlowAgent, isController: Bool) {
        self.agent = agent
        self.isController = isController
    }

    var sw: VirtualSwitch { agent.sw }

    // MARK: Channel events

    func channelActive(context: ChannelHandlerContext) {
        channel = context.channel
        agent.register(self)
        write(context, .hello(.openFlow13), xid: allocateXID())
        keepalive = context.eventLoop.scheduleRepeatedTask(initialDelay: OpenFlowAgent.inactivityProbe,
                                                           delay: OpenFlowAgent.inactivityProbe) { [self] _ in
            probe()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        closeBatch()
        keepalive?.cancel()
        agent.unregister(self)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !unframeable else { return }
        var buffer = unwrapInboundIn(data)
        lastHeard = .now()
        unansweredEchoes = 0
        if let bytes = buffer.readBytes(length: buffer.readableBytes) { framer.append(bytes) }
        // Flow and group mods that arrive together (until the read completes, or until any
        // other message) are published as one table version.
        do {
            while let frame = try framer.nextMessage() {
                if Self.isTableMod(frame.header.type) {
                    openBatch()
                } else {
                    // Anything else may read the tables or order after them (barrier): publish first.
                    closeBatch()
                }
                handle(frame, context: context)
            }
        } catch {
            // A stream that cannot be framed cannot be resynchronized: say why, then close.
            print("vswitchd: openflow: \(context.remoteAddress?.description ?? "peer"): \(error); closing")
            // Reply with the xid when the broken header still carries one (spec A.1).
            let h = error.header
            let xid = h.count >= 8 ? UInt32(h[4]) << 24 | UInt32(h[5]) << 16 | UInt32(h[6]) << 8 | UInt32(h[7]) : 0
            unframeable = true
            write(context, .error(error.code, offending: h), xid: xid, thenClose: true)
        }
    }

    /// A batch stays open across reads while flow-mods stream in: it is published by the next
    /// other message (a barrier, a stats request), 2 ms after the stream pauses, or 50 ms after
    /// it opened, whichever comes first.
    func channelReadComplete(context: ChannelHandlerContext) {
        if batchOpen {
            readSequence &+= 1
            let seen = readSequence
            if NIODeadline.now() - batchOpened > .milliseconds(50) {
                closeBatch()
            } else {
                context.eventLoop.scheduleTask(in: .milliseconds(2)) { [self] in
                    if readSequence == seen { closeBatch() }
                }
            }
        }
        context.fireChannelReadComplete()
    }

    func openBatch() {
        guard !batchOpen else { return }
        sw.beginBatch()
        batchOpen = true
        batchOpened = .now()
    }

    func closeBatch() {
        guard batchOpen else { return }
        sw.endBatch()
        batchOpen = false
    }

    static func isTableMod(_ type: UInt8) -> Bool {
        type == OFType.flowMod.rawValue || type == OFType.groupMod.rawValue
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    /// Inactivity probe (5 s), disconnect after three missed echoes.
    func probe() {
        guard let channel else { return }
        if NIODeadline.now() - lastHeard < OpenFlowAgent.inactivityProbe { return }
        if unansweredEchoes >= 3 {
            print("vswitchd: openflow: no reply to 3 echo requests; closing")
            channel.close(promise: nil)
            return
        }
        unansweredEchoes += 1
        send(.echoRequest([]))
    }

    // MARK: Sending

    func allocateXID() -> UInt32 {
        defer { nextXID &+= 1 }
        return nextXID
    }

    /// A reply, from the event loop. It queues behind what `send` queued, so replies and
    /// asynchronous messages leave in the order they were made.
    func write(_ context: ChannelHandlerContext, _ message: OFMessage, xid: UInt32, thenClose: Bool = false) {
        queue(message, xid: xid, on: context.channel, thenClose: thenClose)
    }

    /// Thread-safe: async messages from the datapath and control threads.
    func send(_ message: OFMessage, xid: UInt32? = nil) {
        guard let channel else { return }
        queue(message, xid: xid ?? 0, on: channel)
    }

    /// Adds to the outbox; the addition that finds no flush pending schedules one on the event
    /// loop, which writes everything queued by then in one go (`OFOutbox`).
    private func queue(_ message: OFMessage, xid: UInt32, on channel: Channel, thenClose: Bool = false) {
        let scheduleFlush: Bool
        do {
            scheduleFlush = try outbox.add([(message, xid)], thenClose: thenClose)
        } catch {
            // Nothing the agent makes should get here (PACKET_INs are cut to fit, multipart
            // replies split, errors carry 64 bytes of what they answer): say so if one does.
            print("vswitchd: openflow: \(message.type) not sent: \(error)")
            return
        }
        guard scheduleFlush else { return }
        let outbox = self.outbox
        channel.eventLoop.execute {
            let (buffer, close) = outbox.take { channel.allocator.buffer(bytes: $0) }
            let written = channel.writeAndFlush(buffer)
            if close { written.whenComplete { _ in channel.close(promise: nil) } }
        }
    }

    func close() { channel?.close(promise: nil) }

    // MARK: Async filters (spec §7.3.10)

    func mask(_ masks: OFAsyncConfig.Masks) -> UInt32 { role == .slave ? masks.slave : masks.masterEqual }
    func wants(packetIn reason: UInt8) -> Bool { helloReceived && mask(async.packetIn) & (1 << UInt32(reason)) != 0 }
    func wants(flowRemoved reason: UInt8) -> Bool { helloReceived && mask(async.flowRemoved) & (1 << UInt32(reason)) != 0 }
    func wants(portStatus reason: UInt8) -> Bool { helloReceived && mask(async.portStatus) & (1 << UInt32(reason)) != 0 }
}

/// An OpenFlow error to answer a request with.
struct OFRefusal: Error {
    var code: OFErrorCode
    init(_ code: OFErrorCode) { self.code = code }
}
