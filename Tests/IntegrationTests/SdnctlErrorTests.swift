import Foundation
import Testing
import TestSupport

extension Integration {
    /// User mistakes with `sdnctl`'s controller commands: one line on stderr, exit 1, no trace.
    @Suite("sdnctl errors")
    struct SdnctlErrorTests {
        @Test func noControllerIsOneLine() throws {
            guard integrationGate(needsRoot: false, tools: ["timeout"]) else { return }
            let lab = try Lab()
            defer { lab.cleanup() }
            // Port 9 (discard) is not served on this machine: nothing accepts there.
            let r = try lab.run(try Lab.executable("sdnctl"), ["switches", "--controller", "http://127.0.0.1:9"])
            #expect(r.status == 1)
            let lines = r.stderr.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].hasPrefix("sdnctl: no controller API at http://127.0.0.1:9"), "\(r.stderr)")
        }

        @Test func aBadTopologyIsRefusedLocallyWithEveryLocation() throws {
            guard integrationGate(needsRoot: false, tools: ["timeout"]) else { return }
            let lab = try Lab()
            defer { lab.cleanup() }
            let file = try lab.write("bad.yaml", """
                name: bad
                switches:
                  s1:
                    datapath-id: 0x1
                    fail-mode: sometimes
                    ports:
                      1: {name: p1, type: tap, vlan: {mode: access, tag: 5000}}
                """)
            let r = try lab.run(try Lab.executable("sdnctl"), ["topology", "validate", file])
            #expect(r.status == 1)
            #expect(r.stderr.contains("\(file):5:") && r.stderr.contains("\(file):7:"), "\(r.stderr)")
            #expect(!r.stderr.contains("Fatal error") && !r.stderr.contains("Stack"), "\(r.stderr)")
        }
    }
}
