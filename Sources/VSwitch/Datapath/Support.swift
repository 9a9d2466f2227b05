import Glibc

/// CLOCK_MONOTONIC in nanoseconds (clock_gettime).
public enum MonotonicClock {
    @inline(__always) public static func nanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}

/// A token bucket for rate limits (PACKET_IN). Used by one thread.
struct TokenBucket {
    let ratePerNanosecond: Double
    let burst: Double
    var tokens: Double
    var last: UInt64 = 0

    init(ratePerSecond: Double, burst: Double) {
        ratePerNanosecond = ratePerSecond / 1e9
        self.burst = burst
        tokens = burst
    }

    mutating func take(now: UInt64) -> Bool {
        if last != 0 { tokens = min(burst, tokens + Double(now &- last) * ratePerNanosecond) }
        last = now
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}

/// A pthread mutex the datapath holds per batch; other threads take it to read shared state.
public final class DatapathLock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    public init() { pthread_mutex_init(mutex, nil) }
    deinit { pthread_mutex_destroy(mutex); mutex.deallocate() }
    @inline(__always) public func lock() { pthread_mutex_lock(mutex) }
    @inline(__always) public func unlock() { pthread_mutex_unlock(mutex) }
    public func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock(); defer { unlock() }
        return try body()
    }
}
