import CPcap

extension PcapHandle {
    /// Compiles a tcpdump-style expression and installs it: in the kernel for a live capture,
    /// in libpcap for a file. `pcap_compile`, `pcap_setfilter`, `pcap_freecode`.
    func setFilter(_ expression: String) throws(PcapError) {
        let pointer = try open(for: .installFilter)
        let quoted = "'\(expression)' on \(subject)"
        var program = bpf_program()
        // The netmask only matters for `ip broadcast`; libpcap then reports that it is unknown.
        guard pcap_compile(pointer, &program, expression, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
            throw PcapError(.compileFilter, subject: quoted, message: lastError, status: PCAP_ERROR)
        }
        defer { pcap_freecode(&program) }
        guard pcap_setfilter(pointer, &program) == 0 else {
            throw PcapError(.installFilter, subject: quoted, message: lastError, status: PCAP_ERROR)
        }
    }
}
