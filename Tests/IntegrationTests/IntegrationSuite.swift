import Testing

/// End-to-end tests of the built `vswitchd` and `sdnctl` with real namespaces, TAP devices,
/// veth pairs, ping, iperf3 and tcpdump. They need root; without it they skip (or fail under
/// `SDN_REQUIRE_PRIVILEGED=1`). Everything nested here runs one test at a time: the tests
/// share the machine's CPUs and measure throughput.
@Suite("Integration", .serialized)
enum Integration {}

/// Tools every namespace test needs.
let namespaceTools = ["ip", "ping", "timeout", "ss"]

/// A two-host topology: one switch, TAP ports 1 and 2, hosts h1 (10.91.0.1) and h2 (10.91.0.2).
struct TwoHosts {
    let tap1: String, tap2: String
    let ns1: String, ns2: String
    let ip1 = "10.91.0.1", ip2 = "10.91.0.2"
    let mac1 = "02:00:00:00:91:01", mac2 = "02:00:00:00:91:02"
    let config: String

    /// Standalone with a NORMAL flow (a learning switch) unless told otherwise.
    init(_ lab: Lab, failMode: String = "standalone", flows: [String] = ["priority=0,actions=normal"]) throws {
        tap1 = lab.name("t1"); tap2 = lab.name("t2")
        ns1 = lab.name("h1"); ns2 = lab.name("h2")
        config = try lab.write("two-hosts.yaml", """
            name: \(lab.prefix)-two-hosts
            switches:
              s1:
                datapath-id: 0x1
                fail-mode: \(failMode)
                ports:
                  1: {name: \(tap1), type: tap}
                  2: {name: \(tap2), type: tap}
                flows:
            \(flows.map { "      - \"\($0)\"" }.joined(separator: "\n"))
            hosts:
              h1: {switch: s1, port: 1, ip: \(ip1)/24, mac: "\(mac1)", namespace: \(ns1)}
              h2: {switch: s1, port: 2, ip: \(ip2)/24, mac: "\(mac2)", namespace: \(ns2)}
            """)
    }
}
