import FlowRules
import NIOCore
import OpenFlow
import Packet

extension AgentConnection {
    func handle(_ frame: OFFrame, context: ChannelHandlerContext) {
        let xid = frame.header.xid
        let message: OFMessage
        do {
            message = try decoder.decode(frame).message
        } catch {
            // The error the spec names, echoing the offending bytes; the connection stays up.
            write(context, error.errorMessage(offending: Array(frame.bytes)), xid: xid)
            return
        }
        func reply(_ m: OFMessage) { write(context, m, xid: xid) }
        func fail(_ code: OFErrorCode) { reply(.error(code, offending: Array(frame.bytes))) }
        // A slave may only read (spec §6.3.5).
        if role == .slave, message.modifiesState {
            fail(.badRequest(.isSlave))
            return
        }
        switch message {
        case .hello(let hello):
            guard hello.offeredVersions.contains(OFP.version) || hello.version >= OFP.version else {
                fail(.helloFailed(.incompatible))
                context.close(promise: nil)
                return
            }
            helloReceived = true
            agent.updateControllerPresence()
        case .echoRequest(let payload):
            reply(.echoReply(payload))
        case .echoReply:
            break
        case .featuresRequest:
            reply(.featuresReply(OFFeaturesReply(datapathID: sw.definition.datapathID, nBuffers: 0,
                                                 nTables: UInt8(PipelineSnapshot.tableCount),
                                                 capabilities: [.flowStats, .tableStats, .portStats, .groupStats])))
        case .getConfigRequest:
            reply(.getConfigReply(agent.state.withLock { $0.config }))
        case .setConfig(let config):
            agent.state.withLock { $0.config = config }
        case .flowMod(let mod):
            if let code = flowMod(mod) { fail(code) }
        case .groupMod(let mod):
            if let code = groupMod(mod) { fail(code) }
        case .portMod(let mod):
            if let code = portMod(mod) { fail(code) }
        case .tableMod(let mod):
            if Int(mod.tableID) >= PipelineSnapshot.tableCount && mod.tableID != OFTableID.all { fail(.tableModFailed(.badTable)) }
        case .multipartRequest(let request):
            switch multipart(request) {
            case .success(let body):
                for part in OFMultipartReply(body).fragments() { reply(.multipartReply(part)) }
            case .failure(let refusal):
                fail(refusal.code)
            }
        case .barrierRequest:
            // Every earlier request on this connection has been applied: they run in order.
            reply(.barrierReply)
        case .roleRequest(let r):
            switch roleRequest(r) {
            case .success(let answer): reply(.roleReply(answer))
            case .failure(let refusal): fail(refusal.code)
            }
        case .getAsyncRequest:
            reply(.getAsyncReply(async))
        case .setAsync(let config):
            async = config
        case .packetOut(let po):
            if let code = packetOut(po) { fail(code) }
        case .experimenter:
            fail(.badRequest(.badExperimenter))
        default:
            // Switch-to-controller messages have no meaning in this direction.
            fail(.badRequest(.badType))
        }
    }

    // MARK: FLOW_MOD

    func flowMod(_ mod: OFFlowMod) -> OFErrorCode? {
        guard mod.bufferID == OFP.noBuffer else { return .badRequest(.bufferUnknown) }
        let match: FlowMatch
        let instructions: Instructions
        do {
            match = try OFTranslation.match(mod.match)
            instructions = try OFTranslation.instructions(mod.instructions)
        } catch {
            return error.code
        }
        let table: UInt8? = mod.tableID == OFTableID.all ? nil : mod.tableID
        switch mod.command {
        case .add:
            guard let table else { return .flowModFailed(.badTableID) }
            let spec = FlowSpec(table: table, priority: mod.priority, match: match, instructions: instructions,
                                cookie: mod.cookie, idleTimeout: mod.idleTimeout, hardTimeout: mod.hardTimeout,
                                flags: mod.flags.rawValue)
            do { try sw.addFlow(spec) } catch { return OFTranslation.error(error) }
        case .modify, .modifyStrict:
            let selector = FlowSelector(table: table, match: match,
                                        strictPriority: mod.command == .modifyStrict ? mod.priority : nil,
                                        cookie: mod.cookie, cookieMask: mod.cookieMask)
            do {
                try sw.modifyFlows(selector, instructions: instructions, resetCounts: mod.flags.contains(.resetCounts))
            } catch {
                return OFTranslation.error(error)
            }
        case .delete, .deleteStrict:
            sw.deleteFlows(FlowSelector(table: table, match: match,
                                        strictPriority: mod.command == .deleteStrict ? mod.priority : nil,
                                        cookie: mod.cookie, cookieMask: mod.cookieMask,
                                        outPort: PortNumber(mod.outPort), outGroup: mod.outGroup))
        }
        return nil
    }

    // MARK: GROUP_MOD

    func groupMod(_ mod: OFGroupMod) -> OFErrorCode? {
        guard mod.groupID <= OFGroupID.max || (mod.command == .delete && mod.groupID == OFGroupID.all) else {
            return .groupModFailed(.invalidGroup)
        }
        var buckets: [GroupEntry.Bucket] = []
        for b in mod.buckets {
            do {
                buckets.append(GroupEntry.Bucket(weight: b.weight, watchPort: PortNumber(b.watchPort),
                                                 watchGroup: b.watchGroup, actions: try OFTranslation.actions(b.actions)))
            } catch {
                return error.code
            }
        }
        let kind = GroupEntry.Kind(rawValue: mod.type.rawValue) ?? .all
        if kind == .indirect && buckets.count != 1 && mod.command != .delete { return .groupModFailed(.invalidGroup) }
        if kind == .fastFailover && buckets.contains(where: { $0.watchPort == .any && $0.watchGroup == 0xFFFF_FFFF }) {
            return .groupModFailed(.badWatch)
        }
        let command: VirtualSwitch.GroupCommand = switch mod.command {
        case .add: .add
        case .modify: .modify
        case .delete: .delete
        }
        do {
            try sw.groupMod(command, GroupEntry(id: mod.groupID, kind: kind, buckets: buckets))
        } catch {
            if case .unknownGroup = error { return .groupModFailed(.unknownGroup) }
            return OFTranslation.error(error)
        }
        return nil
    }

    // MARK: PORT_MOD

    func portMod(_ mod: OFPortMod) -> OFErrorCode? {
        guard let port = sw.datapath.port(PortNumber(mod.portNo)) else { return .portModFailed(.badPort) }
        if mod.mask.contains(.portDown) {
            port.state.isAdminUp = !mod.config.contains(.portDown)
            sw.datapath.invalidateCache()
            agent.portStatus(port, reason: .modify)
        }
        return nil
    }

    // MARK: PACKET_OUT

    func packetOut(_ po: OFPacketOut) -> OFErrorCode? {
        guard po.bufferID == OFP.noBuffer else { return .badRequest(.bufferUnknown) }
        let inPort = PortNumber(po.inPort)
        guard inPort == .controller || inPort == .any || sw.datapath.port(inPort) != nil else {
            return .badRequest(.badPort)
        }
        let actions: [FlowAction]
        do { actions = try OFTranslation.actions(po.actions) } catch { return error.code }
        sw.datapath.injected.push(InjectedFrame(data: po.data, inPort: inPort == .any ? .controller : inPort, actions: actions))
        return nil
    }

    // MARK: ROLE_REQUEST (spec §6.3.5)

    func roleRequest(_ r: OFRoleMessage) -> Result<OFRoleMessage, OFRefusal> {
        if r.role == .master || r.role == .slave {
            let stale = agent.state.withLock { s -> Bool in
                if let cached = s.maxGenerationID, Int64(bitPattern: r.generationID &- cached) < 0 { return true }
                s.maxGenerationID = r.generationID
                return false
            }
            if stale { return .failure(OFRefusal(.roleRequestFailed(.stale))) }
        }
        if r.role != .noChange {
            if r.role == .master {
                for other in agent.connections where other !== self && other.role == .master {
                    other.channel?.eventLoop.execute { other.role = .slave }
                }
            }
            role = r.role
        }
        let generation = agent.state.withLock { $0.maxGenerationID } ?? 0
        return .success(OFRoleMessage(role: role, generationID: generation))
    }
}

extension OFMessage {
    /// Requests a slave controller may not send.
    var modifiesState: Bool {
        switch self {
        case .flowMod, .groupMod, .portMod, .tableMod, .packetOut: true
        default: false
        }
    }
}
