import FlowRules
import Atomics
import Synchronization
import Packet

/// A frame the pipeline sends to the controller.
public struct PacketInEvent: Sendable {
    public var inPort: PortNumber
    public var reason: PacketInReason
    public var tableID: UInt8
    public var cookie: UInt64
    public var metadata: UInt64
    public var tunnelID: UInt64
    /// The frame, cut to the action's max_len.
    public var data: [UInt8]
    public var totalLength: Int
}

/// The packet path of one switch: parse → exact-match cache → (on miss) the tables → actions →
/// per-port transmit queues. Owned by one thread; everything else talks to it through the
/// published pipeline snapshot and the atomics in counters and port state.
public final class Datapath: @unchecked Sendable {
    public static let batchSize = 32
    static let cacheLimit = 65536

    public let pool: PacketBufferPool
    @exclusivity(unchecked) public private(set) var ports: [SwitchPort] = []
    @exclusivity(unchecked) var modes: [PortVLANMode] = []
    /// Each port's state and counters by slot, as concrete classes: the per-packet path reads
    /// these instead of calling through the `SwitchPort` existential. The states are unretained
    /// references, read per frame without retaining them; `stateOwners` keeps them alive.
    @exclusivity(unchecked) var states: [Unmanaged<PortState>] = []
    private var stateOwners: [PortState] = []
    @exclusivity(unchecked) var portCounters: [PortCounters] = []
    @exclusivity(unchecked) var portNumbers: [PortNumber] = []
    /// Port number → index in `ports`, or -1.
    @exclusivity(unchecked) var slotByNumber = [Int16](repeating: -1, count: 65536)

    public let pipeline: ManagedAtomic<PipelineSnapshot>
    /// Bumped when a port's liveness changes, so cached group choices and floods are redone.
    public let portGeneration = ManagedAtomic<UInt64>(0)
    // The datapath thread's own state (and `macTable`, under `lock`; the port arrays above
    // change only before the thread starts). Marked @exclusivity(unchecked): only that thread
    // touches these, so the run-time check on every access to a class property (a thread-local
    // access set, ~10 % of the switch's CPU under a 64-byte flood) guards nothing. The compiler's
    // static exclusivity checks still apply.
    @exclusivity(unchecked) var cache = FlowKeyMap<Int32>(minimumCapacity: 4096)
    @exclusivity(unchecked) var programs = ProgramArena()
    @exclusivity(unchecked) var cachedPipelineGeneration: UInt64 = .max
    @exclusivity(unchecked) var cachedPortGeneration: UInt64 = .max
    /// Cache hits and misses of the batch in progress.
    @exclusivity(unchecked) var batchHits: UInt64 = 0
    @exclusivity(unchecked) var batchMisses: UInt64 = 0

    @exclusivity(unchecked) public var macTable: MACTable
    /// Held by the datapath while it processes a batch; take it to read `macTable`.
    public let lock = DatapathLock()
    public let counters = PortCounters()
    public let cacheHits = Atomic<UInt64>(0)
    public let cacheMisses = Atomic<UInt64>(0)

    /// Where PACKET_IN goes; nil when no controller is connected.
    public var packetInHandler: (@Sendable (PacketInEvent) -> Void)?
    @exclusivity(unchecked) var packetInLimiter: TokenBucket

    /// PACKET_OUT frames from the OpenFlow agent, run by the datapath thread.
    public let injected = InjectionQueue()

    @exclusivity(unchecked) var txQueues: [[PacketRef]] = []
    @exclusivity(unchecked) var txPending: [Int] = []
    @exclusivity(unchecked) var rxBatch: [PacketRef] = []
    @exclusivity(unchecked) var now: UInt64 = 0

    public init(pool: PacketBufferPool, macTableSize: Int = 8192, macAgingSeconds: UInt64 = 300,
                packetInRate: Double = 1000, initial: PipelineSnapshot = PipelineSnapshot()) {
        self.pool = pool
        self.pipeline = ManagedAtomic(initial)
        self.macTable = MACTable(capacity: macTableSize, agingSeconds: macAgingSeconds)
        self.packetInLimiter = TokenBucket(ratePerSecond: packetInRate, burst: max(1, packetInRate / 10))
        rxBatch.reserveCapacity(Self.batchSize)
    }

    /// Adds a port. Not thread-safe against a running datapath: call before starting it, or
    /// from the datapath thread.
    public func addPort(_ port: SwitchPort, vlan: PortVLANMode) {
        slotByNumber[Int(port.number.rawValue & 0xFFFF)] = Int16(ports.count)
        ports.append(port)
        modes.append(vlan)
        let state = port.state
        stateOwners.append(state)
        states.append(.passUnretained(state))
        portCounters.append(port.counters)
        portNumbers.append(port.number)
        txQueues.append([])
        txQueues[txQueues.count - 1].reserveCapacity(Self.batchSize * 4)
        portGeneration.wrappingIncrement(ordering: .relaxed)
    }

    public func port(_ number: PortNumber) -> SwitchPort? {
        guard number.rawValue < 65536 else { return nil }
        let s = slotByNumber[Int(number.rawValue)]
        return s >= 0 ? ports[Int(s)] : nil
    }

    public func vlanMode(_ number: PortNumber) -> PortVLANMode? {
        guard number.rawValue < 65536 else { return nil }
        let s = slotByNumber[Int(number.rawValue)]
        return s >= 0 ? modes[Int(s)] : nil
    }

    @inline(__always) func slot(_ number: PortNumber) -> Int {
        number.rawValue < 65536 ? Int(slotByNumber[Int(number.rawValue)]) : -1
    }

    public func isPortLive(_ number: PortNumber) -> Bool { port(number)?.state.isLive ?? false }

    // MARK: Batches

    /// Receives one batch from the port in `slot` and forwards it. Returns frames received.
    @discardableResult
    public func poll(slot: Int) -> Int {
        rxBatch.removeAll(keepingCapacity: true)
        let port = ports[slot]
        let n = port.receive(pool: pool, into: &rxBatch, limit: Self.batchSize)
        if n > 0 { process(&rxBatch, inSlot: slot, now: MonotonicClock.nanoseconds()) }
        return n
    }

    /// Forwards frames that arrived on the port in `slot`; consumes their buffer references.
    public func process(_ batch: inout [PacketRef], inSlot: Int, now: UInt64) {
        self.now = now
        let snapshot = pipeline.load(ordering: .acquiring)
        let portGen = portGeneration.load(ordering: .relaxed)
        if snapshot.generation != cachedPipelineGeneration || portGen != cachedPortGeneration {
            cache.removeAll()
            programs.removeAll()
            cachedPipelineGeneration = snapshot.generation
            cachedPortGeneration = portGen
        }
        let inPort = ports[inSlot]
        var bytes: UInt64 = 0
        lock.lock()
        for i in 0..<batch.count {
            bytes &+= UInt64(batch[i].length)
            forward(batch[i], inSlot: inSlot, inPort: inPort.number, snapshot: snapshot)
        }
        lock.unlock()
        // Cache counters move once per batch, not once per frame.
        PortCounters.add(cacheHits, batchHits)
        PortCounters.add(cacheMisses, batchMisses)
        batchHits = 0
        batchMisses = 0
        inPort.counters.received(packets: UInt64(batch.count), bytes: bytes)
        flush()
    }

    @inline(__always)
    func forward(_ ref: PacketRef, inSlot: Int, inPort: PortNumber, snapshot: PipelineSnapshot) {
        let frame = UnsafeRawBufferPointer(start: pool.base(ref.buffer) + Int(ref.offset), count: Int(ref.length))
        let parsed = FlowKey.extract(from: frame, inPort: inPort.rawValue)
        guard parsed.status == .ok else {
            portCounters[inSlot].dropped(.malformed)
            pool.release(ref.buffer)
            return
        }
        let programIndex: Int32
        if let cached = cache[parsed.key] {
            programIndex = cached
            batchHits &+= 1
        } else {
            batchMisses &+= 1
            if programs.count >= Self.cacheLimit {
                cache.removeAll()
                programs.removeAll()
            }
            programIndex = programs.append(snapshot.translate(parsed.key, isPortLive: isPortLive))
            cache[parsed.key] = programIndex
        }
        let program = programs.entries[Int(programIndex)]
        let length = UInt64(ref.length)
        for i in program.flows {
            programs.flows[i]._withUnsafeGuaranteedRef { $0.hit(packets: 1, bytes: length, now: now) }
        }
        var cursor = Cursor(ref: ref, key: parsed.key, layout: parsed.layout)
        if program.opsCount == 0 {
            counters(ofSlot: inSlot).dropped(program.tableMiss ? .tableMiss : .actionDrop)
        } else {
            for i in program.ops where !apply(programs.ops[i], &cursor, inSlot: inSlot) { break }
        }
        pool.release(cursor.ref.buffer)
    }

    /// The frame being worked on, with its key and header offsets kept current.
    struct Cursor {
        var ref: PacketRef
        var key: FlowKey
        var layout: FrameLayout
    }

    // MARK: Actions

    func run(_ ops: [DatapathOp], _ c: inout Cursor, inSlot: Int) {
        for op in ops where !apply(op, &c, inSlot: inSlot) { return }
    }

    /// Applies one operation to the frame; false when the frame is gone (dropped, or it could
    /// not be changed) and the operations after this one must not run.
    @inline(__always)
    func apply(_ op: DatapathOp, _ c: inout Cursor, inSlot: Int) -> Bool {
        switch op {
        case .output(let port):
            output(port, c, inSlot: inSlot)
        case .normal:
            normal(c, inSlot: inSlot)
        case .setField(let field, let value):
            guard makeWritable(&c) else { return false }
            rewriter(c).setField(field, value, key: &c.key, layout: c.layout, vnet: c.ref.vnet)
        case .decTTL:
            guard makeWritable(&c) else { return false }
            guard rewriter(c).decrementTTL(key: c.key, layout: c.layout) else {
                counters(ofSlot: inSlot).dropped(.ttlExpired)
                return false
            }
        case .pushVLAN(let tpid):
            guard makeWritable(&c), pushVLAN(&c, tpid: tpid, tci: c.layout.vlanCount > 0 ? tciOf(c) : 0) else { return false }
        case .popVLAN:
            guard makeWritable(&c) else { return false }
            popVLAN(&c)
        case .modVLANVID(let vid):
            guard makeWritable(&c) else { return false }
            if c.layout.vlanCount == 0 {
                guard pushVLAN(&c, tpid: EtherType.vlan, tci: vid) else { return false }
            } else {
                rewriter(c).setField(.vlanVID, FieldValue(UInt64(vid)), key: &c.key, layout: c.layout, vnet: c.ref.vnet)
                c.key.vlanVID = FlowKey.vlanPresent | vid
            }
        case .modVLANPCP(let pcp):
            guard makeWritable(&c) else { return false }
            if c.layout.vlanCount == 0 {
                guard pushVLAN(&c, tpid: EtherType.vlan, tci: UInt16(pcp) << 13) else { return false }
            } else {
                rewriter(c).setField(.vlanPCP, FieldValue(UInt64(pcp)), key: &c.key, layout: c.layout, vnet: c.ref.vnet)
            }
        case .controller(let maxLength, let reason, let table, let cookie):
            sendToController(c, maxLength: maxLength, reason: reason, table: table, cookie: cookie, inSlot: inSlot)
        case .clone(let sub):
            var copy = c
            pool.retain(c.ref.buffer)
            run(sub, &copy, inSlot: inSlot)
            pool.release(copy.ref.buffer)
        }
        return true
    }

    /// Whether the port in `slot` is up and has its carrier.
    @inline(__always) func isLive(_ slot: Int) -> Bool {
        states[slot]._withUnsafeGuaranteedRef { $0.isLive }
    }

    /// The counters drops are charged to: the input port's, or the switch's for frames the
    /// controller injected (no input port).
    @inline(__always) func counters(ofSlot slot: Int) -> PortCounters {
        slot >= 0 ? portCounters[slot] : counters
    }

    @inline(__always) func rewriter(_ c: Cursor) -> FrameRewrite {
        FrameRewrite(frame: pool.base(c.ref.buffer) + Int(c.ref.offset), length: Int(c.ref.length))
    }

    @inline(__always) func tciOf(_ c: Cursor) -> UInt16 {
        let p = pool.base(c.ref.buffer) + Int(c.ref.offset) + 14
        return UInt16(bigEndian: p.loadUnaligned(as: UInt16.self))
    }

    /// Copy-on-write: a buffer queued for output (or held by a clone) is copied before changes.
    @inline(__always) func makeWritable(_ c: inout Cursor) -> Bool {
        guard pool.isShared(c.ref.buffer) else { return true }
        guard let copy = copyPacket(c.ref) else { return false }
        pool.release(c.ref.buffer)
        c.ref = copy
        return true
    }

    func copyPacket(_ ref: PacketRef) -> PacketRef? {
        guard let index = pool.allocate() else {
            counters.dropped(.noBuffer)
            return nil
        }
        let offset = Int(ref.offset)
        (pool.base(index) + offset).copyMemory(from: pool.base(ref.buffer) + offset, byteCount: Int(ref.length))
        var copy = ref
        copy.buffer = index
        return copy
    }

    func pushVLAN(_ c: inout Cursor, tpid: UInt16, tci: UInt16) -> Bool {
        guard c.ref.offset >= 4 + Int32(VirtioNetHeader.size) else { counters.dropped(.noBuffer); return false }
        let base = pool.base(c.ref.buffer)
        let old = base + Int(c.ref.offset)
        (old - 4).copyMemory(from: old, byteCount: 12)
        (old + 8).storeBytes(of: tpid.bigEndian, as: UInt16.self)
        (old + 10).storeBytes(of: tci.bigEndian, as: UInt16.self)
        c.ref.offset -= 4
        c.ref.length += 4
        c.ref.vnet.shift(by: 4)
        c.layout.vlanCount += 1
        if c.layout.l3Offset >= 0 { c.layout.l3Offset += 4 }
        if c.layout.l4Offset >= 0 { c.layout.l4Offset += 4 }
        if c.layout.l3End >= 0 { c.layout.l3End += 4 }
        c.key.vlanTCI = tci | FlowKey.vlanPresent
        return true
    }

    func popVLAN(_ c: inout Cursor) {
        guard c.layout.vlanCount > 0 else { return }
        let frame = pool.base(c.ref.buffer) + Int(c.ref.offset)
        (frame + 4).copyMemory(from: frame, byteCount: 12)
        c.ref.offset += 4
        c.ref.length -= 4
        c.ref.vnet.shift(by: -4)
        c.layout.vlanCount -= 1
        if c.layout.l3Offset >= 0 { c.layout.l3Offset -= 4 }
        if c.layout.l4Offset >= 0 { c.layout.l4Offset -= 4 }
        if c.layout.l3End >= 0 { c.layout.l3End -= 4 }
        c.key.vlanTCI = c.layout.vlanCount > 0 ? tciOf(c) | FlowKey.vlanPresent : 0
    }

    /// Queues the frame on a port (the buffer is shared, not copied).
    @inline(__always) func enqueue(_ slot: Int, _ ref: PacketRef) {
        if txQueues[slot].isEmpty { txPending.append(slot) }
        pool.retain(ref.buffer)
        txQueues[slot].append(ref)
    }

    func output(_ port: PortNumber, _ c: Cursor, inSlot: Int) {
        switch port {
        case .inPort:
            guard inSlot >= 0 else { counters.dropped(.unknownPort); return }
            enqueueIfLive(inSlot, c.ref)
        case .flood, .all:
            for slot in ports.indices where slot != inSlot { enqueueIfLive(slot, c.ref, silent: true) }
        case .local:
            counters.dropped(.unknownPort)  // no LOCAL (bridge-internal) port in this switch
        default:
            let slot = slot(port)
            guard slot >= 0 else { counters.dropped(.unknownPort); return }
            // OpenFlow: output to the in_port only via IN_PORT (spec §4.5).
            guard slot != inSlot else { counters(ofSlot: inSlot).dropped(.loopback); return }
            enqueueIfLive(slot, c.ref)
        }
    }

    @inline(__always) func enqueueIfLive(_ slot: Int, _ ref: PacketRef, silent: Bool = false) {
        if isLive(slot) {
            enqueue(slot, ref)
        } else if !silent {
            portCounters[slot].dropped(.portDown)
        }
    }

    func sendToController(_ c: Cursor, maxLength: UInt16, reason: PacketInReason, table: UInt8, cookie: UInt64, inSlot: Int) {
        guard let handler = packetInHandler else { counters.dropped(.controllerUnavailable); return }
        guard packetInLimiter.take(now: now) else { counters.dropped(.packetInRateLimit); return }
        let frame = UnsafeMutableRawPointer(pool.base(c.ref.buffer) + Int(c.ref.offset))
        var bytes = [UInt8](UnsafeRawBufferPointer(start: frame, count: Int(c.ref.length)))
        if c.ref.vnet.needsChecksum {
            bytes.withUnsafeMutableBytes { FrameRewrite.completeChecksum($0.baseAddress!, length: $0.count, vnet: c.ref.vnet) }
        }
        let total = bytes.count
        // Cut in place (the checksum above covers the whole frame): no second copy of it.
        if maxLength != 0xFFFF && Int(maxLength) < total { bytes.removeSubrange(Int(maxLength)...) }
        handler(PacketInEvent(inPort: inSlot >= 0 ? portNumbers[inSlot] : .controller, reason: reason, tableID: table, cookie: cookie,
                              metadata: c.key.metadata, tunnelID: c.key.tunnelID,
                              data: bytes, totalLength: total))
    }

    /// Sends every queued frame, one `send` per port, and drops the queue's buffer references.
    func flush() {
        for slot in txPending {
            let port = ports[slot]
            let queue = txQueues[slot]
            let sent = port.send(queue[...], pool: pool)
            var bytes: UInt64 = 0
            for i in 0..<sent { bytes &+= UInt64(queue[i].length) }
            port.counters.sent(packets: UInt64(sent), bytes: bytes)
            if sent < queue.count { port.counters.dropped(.txError, UInt64(queue.count - sent)) }
            for ref in queue { pool.release(ref.buffer) }
            txQueues[slot].removeAll(keepingCapacity: true)
        }
        txPending.removeAll(keepingCapacity: true)
    }

    /// Forgets cached translations (after a MAC-independent change such as port VLAN modes).
    public func invalidateCache() { portGeneration.wrappingIncrement(ordering: .relaxed) }
}
