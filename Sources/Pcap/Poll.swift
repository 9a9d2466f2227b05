import Glibc

/// A system call failure, with the `errno` it left.
struct Errno: Error {
    var code: Int32
    var text: String { String(cString: strerror(code)) }
}

/// A point after which waiting stops; `milliseconds < 0` never arrives (poll's convention).
struct Deadline {
    private let end: ContinuousClock.Instant?

    init(milliseconds: Int32) {
        end = milliseconds < 0 ? nil : .now + .milliseconds(Int64(milliseconds))
    }

    /// Time left for `poll`: -1 for no deadline, 0 once passed. Rounded up, so a wait never
    /// ends just before the deadline and leaves the caller spinning through a 0 ms poll.
    var remainingMilliseconds: Int32 {
        guard let end else { return -1 }
        let left = end - .now
        if left <= .zero { return 0 }
        let (seconds, attoseconds) = left.components
        let milliseconds = seconds * 1_000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: milliseconds)
    }
}

/// What a wait for input ended with.
enum PollOutcome {
    case readable
    /// The descriptor reported an error, a hang-up or that it is not open.
    case failed
    case timedOut
}

/// Waits until `descriptor` is readable, reports a failure, or the deadline passes; EINTR
/// waits again for the time left. `poll`.
func pollReadable(_ descriptor: Int32, until deadline: Deadline) -> Result<PollOutcome, Errno> {
    while true {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let ready = poll(&entry, 1, deadline.remainingMilliseconds)
        if ready > 0 {
            let failure = Int16(POLLERR) | Int16(POLLHUP) | Int16(POLLNVAL)
            return .success(entry.revents & failure != 0 ? .failed : .readable)
        }
        if ready == 0 { return .success(.timedOut) }
        if errno != EINTR { return .failure(Errno(code: errno)) }
    }
}
