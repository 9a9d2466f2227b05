import CPcap

extension PcapHandle {
    /// The options a live handle takes before activation.
    struct LiveOptions {
        var snapshotLength: Int32
        var promiscuous: Bool
        var immediate: Bool
        var bufferSize: Int32?
        var bufferTimeoutMilliseconds: Int32
        var precision: TimestampPrecision
    }

    /// Sets every pre-activation option. `pcap_set_snaplen`, `pcap_set_promisc`,
    /// `pcap_set_immediate_mode`, `pcap_set_timeout`, `pcap_set_buffer_size`,
    /// `pcap_set_tstamp_precision`.
    func configure(_ options: LiveOptions) throws(PcapError) {
        let pointer = try open(for: .openInterface)
        let settings: [(String, Int32)] = [
            ("snapshot length", pcap_set_snaplen(pointer, options.snapshotLength)),
            ("promiscuous mode", pcap_set_promisc(pointer, options.promiscuous ? 1 : 0)),
            ("immediate mode", pcap_set_immediate_mode(pointer, options.immediate ? 1 : 0)),
            ("buffer timeout", pcap_set_timeout(pointer, options.bufferTimeoutMilliseconds)),
            ("buffer size", options.bufferSize.map { pcap_set_buffer_size(pointer, $0) } ?? 0),
            ("timestamp precision", pcap_set_tstamp_precision(pointer, Int32(options.precision.pcapValue))),
        ]
        for (name, status) in settings where status != 0 {
            throw PcapError(.openInterface, subject: subject,
                            message: "setting \(name): \(statusText(status))", status: status)
        }
    }

    /// Opens the device. Returns libpcap's warning (say, promiscuous mode unsupported) when it
    /// opened with one; the capture works, the caller may want to log it. `pcap_activate`.
    func activate() throws(PcapError) -> String? {
        let pointer = try open(for: .openInterface)
        let status = pcap_activate(pointer)
        if status < 0 {
            throw PcapError(.openInterface, subject: subject, message: statusText(status), status: status)
        }
        return status > 0 ? statusText(status) : nil
    }

    /// libpcap's name for a status, with the handle's own detail when it has one: for
    /// `PCAP_ERROR` the detail is all there is, for the others it says which system call failed.
    func statusText(_ status: Int32) -> String {
        let detail = lastError
        if status == PCAP_ERROR || status == PCAP_WARNING { return detail }
        let name = PcapError.Status(rawValue: status).description
        return detail.isEmpty || detail == name ? name : "\(name) (\(detail))"
    }

    /// Makes reads return at once when nothing is queued, so a wait is bounded by our `poll`
    /// rather than by the kernel's buffer timeout. `pcap_setnonblock`.
    func setNonBlocking() throws(PcapError) {
        let pointer = try open(for: .openInterface)
        var errorBuffer = PcapHandle.errorBuffer()
        guard pcap_setnonblock(pointer, 1, &errorBuffer) == 0 else {
            throw PcapError(.openInterface, subject: subject, message: PcapHandle.text(errorBuffer), status: PCAP_ERROR)
        }
    }

    /// A descriptor that polls readable when frames are queued, or -1. `pcap_get_selectable_fd`.
    var selectableFileDescriptor: Int32 {
        guard let pointer else { return -1 }
        return pcap_get_selectable_fd(pointer)
    }

    /// Counters since activation. `pcap_stats`.
    func statistics() throws(PcapError) -> pcap_stat {
        let pointer = try open(for: .statistics)
        var stats = pcap_stat()
        guard pcap_stats(pointer, &stats) == 0 else {
            throw PcapError(.statistics, subject: subject, message: lastError, status: PCAP_ERROR)
        }
        return stats
    }
}
