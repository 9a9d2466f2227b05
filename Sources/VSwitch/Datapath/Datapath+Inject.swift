import FlowRules
import Glibc
import Packet

/// A frame the controller sends out through the switch (PACKET_OUT).
public struct InjectedFrame: Sendable {
    public var data: [UInt8]
    /// The port the frame is treated as arriving on (CONTROLLER when none).
    public var inPort: PortNumber
    /// Actions to apply; an `output:TABLE` among them runs the frame through the tables.
    public var actions: [FlowAction]

    public init(data: [UInt8], inPort: PortNumber, actions: [FlowAction]) {
        self.data = data; self.inPort = inPort; self.actions = actions
    }
}

/// Frames handed to the datapath thread from other threads, with a pipe to wake its poll.
public final class InjectionQueue: @unchecked Sendable {
    private var frames: [InjectedFrame] = []
    private let lock = DatapathLock()
    /// The pipe's read end: readable while frames wait.
    public let fileDescriptor: Int32
    private let wakeFD: Int32

    init() {
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            for fd in fds {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            }
        }
        fileDescriptor = fds[0]
        wakeFD = fds[1]
    }

    deinit { Glibc.close(fileDescriptor); Glibc.close(wakeFD) }

    public func push(_ frame: InjectedFrame) {
        lock.withLock { frames.append(frame) }
        var one: UInt8 = 1
        _ = write(wakeFD, &one, 1)  // a full pipe already wakes the reader
    }

    func drain() -> [InjectedFrame] {
        var sink = [UInt8](repeating: 0, count: 256)
        while read(fileDescriptor, &sink, sink.count) > 0 {}
        return lock.withLock {
            defer { frames.removeAll(keepingCapacity: true) }
            return frames
        }
    }
}

extension Datapath {
    /// Runs every frame waiting in `injected` (on the datapath thread, or in tests directly).
    public func drainInjected() {
        let frames = injected.drain()
        guard !frames.isEmpty else { return }
        now = MonotonicClock.nanoseconds()
        let snapshot = pipeline.load(ordering: .acquiring)
        lock.lock()
        for frame in frames { runInjected(frame, snapshot: snapshot) }
        lock.unlock()
        flush()
    }

    func runInjected(_ frame: InjectedFrame, snapshot: PipelineSnapshot) {
        guard let index = pool.allocate() else { counters.dropped(.noBuffer); return }
        let offset = PacketBufferPool.headroom
        let length = min(frame.data.count, pool.bufferSize - offset - 64)
        frame.data.withUnsafeBytes { (pool.base(index) + offset).copyMemory(from: $0.baseAddress!, byteCount: length) }
        let ref = PacketRef(buffer: index, offset: Int32(offset), length: Int32(length))
        let parsed = FlowKey.extract(from: UnsafeRawBufferPointer(start: pool.base(index) + offset, count: length),
                                     inPort: frame.inPort.rawValue)
        let inSlot = slot(frame.inPort)
        var ops: [DatapathOp] = []
        var key = parsed.key
        for action in frame.actions {
            if case .output(.table, _) = action {
                // OFPP_TABLE: the frame goes through the pipeline as if it had arrived.
                let program = snapshot.translate(key, isPortLive: isPortLive)
                for stats in program.flows { stats.hit(packets: 1, bytes: UInt64(length), now: now) }
                ops += program.ops
            } else {
                // A PACKET_OUT through a group counts in the group's counters too.
                var stats: [FlowStats] = []
                snapshot.emit(action, key: &key, into: &ops, stats: &stats, table: 0, cookie: 0, isPortLive: isPortLive, depth: 0)
                for s in stats { s.hit(packets: 1, bytes: UInt64(length), now: now) }
            }
        }
        var cursor = Cursor(ref: ref, key: parsed.key, layout: parsed.layout)
        run(ops, &cursor, inSlot: inSlot)
        pool.release(cursor.ref.buffer)
    }
}
