import Synchronization

/// Encoded messages waiting to be written to one connection. Any thread may add to it. The
/// addition that finds no flush pending tells its caller to schedule one, and everything added
/// until that flush runs goes out with it: a burst of messages costs one hand-over to the
/// connection's event loop and one write, instead of one of each per message.
public final class OFOutbox: Sendable {
    private struct Queue {
        var bytes: [UInt8] = []
        /// Emptied storage from the last flush, swapped in for `bytes` by the next `take`.
        var spare: [UInt8] = []
        var flushPending = false
        var closeAfterFlush = false
    }

    private let queue = Mutex(Queue())

    public init() {}

    /// Encodes the messages (each with its xid) onto the queue: all of them, or none when one
    /// cannot be encoded. `thenClose` asks for the connection to close once they are written.
    /// Returns true when no flush was pending, so the caller must schedule one.
    public func add(_ messages: [(OFMessage, UInt32)], thenClose: Bool = false) throws(OFEncodeError) -> Bool {
        try queue.withLock { (q) throws(OFEncodeError) -> Bool in
            let start = q.bytes.count
            do throws(OFEncodeError) {
                for (message, xid) in messages { try message.encode(xid: xid, appendingTo: &q.bytes) }
            } catch {
                q.bytes.removeSubrange(start...)
                throw error
            }
            q.closeAfterFlush = q.closeAfterFlush || thenClose
            defer { q.flushPending = true }
            return !q.flushPending
        }
    }

    /// A queue that grew past this lets its storage go once flushed, so one large burst (a big
    /// multipart reply) does not stay allocated for the connection's lifetime.
    static let keptCapacity = 1 << 20

    /// Hands everything queued to `body` (which copies it into the connection's own buffer) and
    /// says whether the connection should close once it is written; the next `add` asks for a
    /// new flush.
    ///
    /// The queue's storage is swapped for the spare under the lock, copied outside it (adds from
    /// other threads do not wait for the copy), and kept as the next spare: handing the array
    /// itself out cost an allocation, and a few more as a new one grew, per burst. One `take` at
    /// a time, from the connection's event loop.
    public func take<R>(_ body: (UnsafeRawBufferPointer) -> R) -> (R, close: Bool) {
        var bytes: [UInt8] = []
        let close = queue.withLock { q in
            swap(&bytes, &q.spare)
            swap(&bytes, &q.bytes)
            defer { q.flushPending = false; q.closeAfterFlush = false }
            return q.closeAfterFlush
        }
        let result = bytes.withUnsafeBytes(body)
        guard bytes.capacity <= Self.keptCapacity else { return (result, close) }
        bytes.removeAll(keepingCapacity: true)
        queue.withLock { q in
            if q.spare.capacity < bytes.capacity { swap(&q.spare, &bytes) }
        }
        return (result, close)
    }

    /// How many bytes the queue can hold without growing, counting its spare (for tests).
    var storageCapacity: Int { queue.withLock { max($0.bytes.capacity, $0.spare.capacity) } }
}
