import NIOCore
import OpenFlow

// What the session does with each message from the switch. Runs on the channel's event loop.
extension SwitchSession {
    /// The connection is up: say HELLO and start the keepalive.
    func start() {
        let interval = TimeAmount(configuration.echoInterval)
        let keepalive = channel.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { [self] _ in
            probe()
        }
        let alreadyClosed = state.withLock { s -> Bool in
            s.lastHeard = .now()
            guard s.phase != .closed else { return true }
            s.keepalive = keepalive
            return false
        }
        if alreadyClosed { keepalive.cancel(); return }
        log("openflow: connection \(connectionID) from \(remoteAddress)")
        sendQuietly(.hello(.openFlow13))
    }

    /// The connection is gone: fail everything in flight, tell the delegate once.
    func closed() {
        let taken = state.withLock { s -> (pending: [Pending], batches: [PushBatch], keepalive: RepeatedTask?,
                                           delegate: (any SwitchSessionDelegate)?, wasReady: Bool)? in
            guard s.phase != .closed else { return nil }
            let wasReady = s.phase == .ready
            s.phase = .closed
            defer { s.pending = [:]; s.batches = [:]; s.keepalive = nil; s.delegate = nil }
            return (Array(s.pending.values), Array(s.batches.values), s.keepalive, s.delegate, wasReady)
        }
        guard let taken else { return }
        taken.keepalive?.cancel()
        for p in taken.pending {
            switch p {
            case .reply(let promise), .multipart(let promise, _): promise.fail(SwitchSessionError.connectionClosed)
            case .pushFlowMod, .pushBarrier: break
            }
        }
        for batch in taken.batches { batch.promise.fail(SwitchSessionError.connectionClosed) }
        log("openflow: \(name) disconnected\(taken.wasReady ? "" : " before the handshake finished")")
        onClose(self)
        taken.delegate?.sessionDidClose(self)
    }

    /// One framed message from the switch, decoded by the connection's decoder.
    func received(_ frame: OFFrame, decoder: inout OFMessageDecoder) {
        state.withLock { s in
            s.lastHeard = .now()
            s.unansweredEchoes = 0
        }
        count { $0.countReceived(frame.header.messageType) }
        let message: OFMessage
        do {
            message = try decoder.decode(frame).message
        } catch {
            receivedUndecodable(frame, error)
            return
        }
        let xid = frame.header.xid
        switch message {
        case .hello(let hello):
            receivedHello(hello, frame: frame)
        case .echoRequest(let data):
            sendQuietly(.echoReply(data), xid: xid)
        case .error(let error):
            receivedError(error, xid: xid)
        case .featuresReply, .getConfigReply, .echoReply, .barrierReply, .roleReply, .getAsyncReply:
            receivedReply(message, xid: xid)
        case .multipartReply(let reply):
            receivedMultipart(reply, message: message, xid: xid)
        case .portStatus(let status):
            let ready = state.withLock { s -> Bool in
                switch status.reason {
                case .delete: s.ports.removeValue(forKey: status.port.portNo)
                default: s.ports[status.port.portNo] = status.port
                }
                return s.phase == .ready
            }
            if ready { deliver(message) }
        case .packetIn, .flowRemoved:
            if isReady {
                deliver(message)
            } else if case .packetIn = message {
                count { $0.packetInsBeforeReady += 1 }
            }
        case .experimenter(let e):
            log("openflow: \(name): experimenter message 0x\(String(e.experimenter, radix: 16)) ignored")
        default:
            log("openflow: \(name): unexpected \(message.type) from the switch ignored")
        }
    }

    // MARK: Handshake

    func receivedHello(_ hello: OFHello, frame: OFFrame) {
        let first = state.withLock { s -> Bool in
            guard s.phase == .awaitingHello else { return false }
            s.phase = .awaitingFeatures
            return true
        }
        guard first else { return }
        do {
            try hello.requireOpenFlow13()
        } catch {
            refuseHello(xid: frame.header.xid, reason: "peer offers versions \(hello.offeredVersions.sorted()), not 1.3")
            return
        }
        makeRequest(.featuresRequest).whenComplete { [self] result in
            switch result {
            case .success(let replies):
                guard case .featuresReply(let features)? = replies.first else { close(); return }
                state.withLock { s in
                    s.features = features
                    if s.phase == .awaitingFeatures { s.phase = .awaitingPorts }
                }
                log("openflow: connection \(connectionID) from \(remoteAddress) is datapath \(formatDatapathID(features.datapathID))"
                    + " (\(features.nTables) tables, \(features.nBuffers) buffers)")
                sendQuietly(.setConfig(OFSwitchConfig(flags: .fragNormal, missSendLength: configuration.missSendLength)))
                requestPorts()
            case .failure(let error):
                log("openflow: connection \(connectionID) from \(remoteAddress): FEATURES_REQUEST failed: \(error); closing")
                close()
            }
        }
    }

    func requestPorts() {
        makeRequest(.multipartRequest(OFMultipartRequest(.portDesc))).whenComplete { [self] result in
            var ports: [OFPortDescription] = []
            switch result {
            case .success(let replies):
                for case .multipartReply(let reply) in replies {
                    if case .portDesc(let list) = reply.body { ports += list }
                }
            case .failure(SwitchSessionError.connectionClosed):
                return
            case .failure(let error):
                // Without a port list the switch is still usable; PORT_STATUS fills it in.
                log("openflow: \(name): PORT_DESC failed: \(error)")
            }
            let delegate = state.withLock { s -> (any SwitchSessionDelegate)?? in
                guard s.phase == .awaitingPorts else { return nil }
                for p in ports { s.ports[p.portNo] = p }
                s.phase = .ready
                return .some(s.delegate)
            }
            guard let delegate else { return }
            log("openflow: \(name) ready: \(Self.describe(self.ports))")
            delegate?.sessionDidBecomeReady(self)
        }
    }

    func refuseHello(xid: UInt32, reason: String) {
        log("openflow: connection \(connectionID) from \(remoteAddress): \(reason); closing")
        let error = OFErrorMessage(.helloFailed(.incompatible), data: Array("OpenFlow 1.3 required".utf8))
        do { try write([(.error(error), xid)], thenClose: true) } catch { close() }
    }

    // MARK: Replies

    func receivedReply(_ message: OFMessage, xid: UInt32) {
        enum Taken { case request(EventLoopPromise<[OFMessage]>), batch(PushBatch) }
        let taken = state.withLock { s -> Taken? in
            switch s.pending[xid] {
            case .reply(let promise)?:
                s.pending.removeValue(forKey: xid)
                return .request(promise)
            case .pushBarrier(let batch)? where message.type == .barrierReply:
                return s.takeBatch(batch).map(Taken.batch)
            default:
                return nil
            }
        }
        switch taken {
        case .request(let promise)?:
            promise.succeed([message])
        case .batch(let batch)?:
            let failures = batch.failures.map { (flowMod: batch.flowMods[$0.index], error: $0.error) }
            batch.promise.succeed(PushResult(flowMods: batch.flowMods, failures: failures))
        case nil:
            break  // an answer to our keepalive echo, or to a request that timed out
        }
    }

    func receivedMultipart(_ reply: OFMultipartReply, message: OFMessage, xid: UInt32) {
        let done = state.withLock { s -> (EventLoopPromise<[OFMessage]>, [OFMessage])? in
            guard case .multipart(let promise, var parts)? = s.pending[xid] else { return nil }
            parts.append(message)
            if reply.flags.contains(.more) {
                s.pending[xid] = .multipart(promise, parts: parts)
                return nil
            }
            s.pending.removeValue(forKey: xid)
            return (promise, parts)
        }
        if let (promise, parts) = done { promise.succeed(parts) }
    }

    func receivedError(_ error: OFErrorMessage, xid: UInt32) {
        enum Taken { case request(EventLoopPromise<[OFMessage]>), batch(Int), recorded, unsolicited }
        let taken = state.withLock { s -> Taken in
            switch s.pending[xid] {
            case .reply(let promise)?, .multipart(let promise, _)?:
                s.pending.removeValue(forKey: xid)
                return .request(promise)
            case .pushFlowMod(let batch, let index)?:
                s.pending.removeValue(forKey: xid)
                s.batches[batch]?.failures.append((index, error))
                return .recorded
            case .pushBarrier(let batch)?:
                return .batch(batch)
            case nil:
                return .unsolicited
            }
        }
        switch taken {
        case .request(let promise): promise.fail(SwitchSessionError.switchError(error))
        case .batch(let batch): failBatch(batch, .switchError(error))
        case .recorded: break
        case .unsolicited:
            log("openflow: \(name): ERROR \(error) for xid \(xid)")
            if isReady { deliver(.error(error)) }
        }
    }

    /// A controller does not answer a switch with errors; it logs, skips the message, and fails
    /// the request the message was answering, if any.
    func receivedUndecodable(_ frame: OFFrame, _ error: OFDecodeError) {
        count { $0.decodeErrors += 1 }
        log("openflow: \(name): cannot decode \(frame.header): \(error); skipped")
        if frame.header.messageType == .hello && phase == .awaitingHello {
            state.withLock { $0.phase = .awaitingFeatures }
            refuseHello(xid: frame.header.xid, reason: "undecodable HELLO")
            return
        }
        failRequest(xid: frame.header.xid, .undecodableReply(error))
    }

    // MARK: Keepalive

    /// Runs every echo interval: after that much silence, an ECHO_REQUEST; after
    /// `maxUnansweredEchoes` of them unanswered, the connection closes.
    func probe() {
        enum Action { case none, echo, close(Int) }
        let interval = TimeAmount(configuration.echoInterval)
        let action = state.withLock { s -> Action in
            guard s.phase != .closed, NIODeadline.now() - s.lastHeard >= interval else { return .none }
            if s.unansweredEchoes >= configuration.maxUnansweredEchoes { return .close(s.unansweredEchoes) }
            s.unansweredEchoes += 1
            return .echo
        }
        switch action {
        case .none: break
        case .echo: sendQuietly(.echoRequest([]))
        case .close(let n):
            log("openflow: \(name): no reply to \(n) echo requests; closing")
            close()
        }
    }

    // MARK: Helpers

    func deliver(_ message: OFMessage) {
        state.withLock { $0.delegate }?.session(self, didReceive: message)
    }

    /// Sends a message of the session's own (hello, echo, config); failures are only logged.
    func sendQuietly(_ message: OFMessage, xid: UInt32? = nil) {
        do {
            if let xid { try write([(message, xid)]) } else { try send(message) }
        } catch {
            log("openflow: \(name): cannot send \(message.type): \(error)")
        }
    }

    static func describe(_ ports: [OFPortDescription]) -> String {
        guard !ports.isEmpty else { return "no ports" }
        let list = ports.map { p -> String in
            let number = p.portNo == OFPortNumber.local ? "LOCAL" : String(p.portNo)
            return "\(number)(\(p.name))\(isUp(p) ? "" : " down")"
        }
        return "\(ports.count) ports: " + list.joined(separator: ", ")
    }

    /// Administratively enabled and with a link.
    public static func isUp(_ port: OFPortDescription) -> Bool {
        !port.config.contains(.portDown) && !port.state.contains(.linkDown)
    }
}
