import Foundation
import Testing
import TestSupport

/// The replay fixture cases under Tests/Fixtures/replay (one directory each).
let replayCases: [String] = {
    let dir = Fixtures.path("replay")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
    return names.filter { FileManager.default.fileExists(atPath: "\(dir)/\($0)/case.json") }.sorted()
}()

/// Compares every CASE/expected-PORT.pcap with OUT/PORT.pcap using scapy (not our Pcap module):
/// link type, frame count, raw bytes and (microsecond) timestamps; also counts the input frames.
private let compareScript = """
    import json, logging, os, sys
    # Only raw bytes are compared, so scapy.all (slow to import) and its dissectors are not needed.
    logging.getLogger("scapy").setLevel(logging.ERROR)
    from scapy.utils import PcapReader
    out, case = sys.argv[1], sys.argv[2]
    def read(path):
        with PcapReader(path) as r:
            frames = [(bytes(p), int(round(float(p.time) * 1e6))) for p in r]
            return r.linktype, frames
    result = {"ports": {}, "inputs": {}}
    for f in sorted(os.listdir(case)):
        if f.startswith("in-") and f.endswith(".pcap"):
            result["inputs"][f[3:-5]] = len(read(os.path.join(case, f))[1])
        if not (f.startswith("expected-") and f.endswith(".pcap")):
            continue
        port = f[len("expected-"):-len(".pcap")]
        elink, exp = read(os.path.join(case, f))
        path = os.path.join(out, port + ".pcap")
        entry = {"expected": len(exp), "got": None, "problems": []}
        if not os.path.exists(path):
            entry["problems"].append("no output file " + path)
        else:
            glink, got = read(path)
            entry["got"] = len(got)
            if glink != elink:
                entry["problems"].append("link type %d, expected %d" % (glink, elink))
            if len(got) != len(exp):
                entry["problems"].append("%d frames, expected %d" % (len(got), len(exp)))
            for i, (g, e) in enumerate(zip(got, exp)):
                if g[0] != e[0]:
                    entry["problems"].append("frame %d bytes differ: got %s expected %s" % (i, g[0].hex(), e[0].hex()))
                elif g[1] != e[1]:
                    entry["problems"].append("frame %d time %d us, expected %d us" % (i, g[1], e[1]))
        result["ports"][port] = entry
    print(json.dumps(result))
    """

extension Integration {
    /// `vswitchd replay` as a user runs it, judged by scapy against the scapy-made fixtures.
    @Suite("vswitchd replay CLI")
    struct ReplayCLI {
        @Test(arguments: replayCases)
        func replayOutputsEqualTheExpectedPcaps(_ name: String) throws {
            guard integrationGate(needsRoot: false, tools: ["python3", "timeout"]) else { return }
            let hasScapy = try Shell.run("python3", ["-c", "import scapy.utils"]).status == 0
            guard hasScapy else {
                let reason = "integration test needs python3 with scapy (pip install scapy)"
                if Privileged.required { Issue.record(Comment(rawValue: reason)) } else { print("skip: \(reason)") }
                return
            }
            let lab = try Lab()
            defer { lab.cleanup() }
            let caseDir = Fixtures.path("replay/\(name)")
            let caseData = try Data(contentsOf: URL(fileURLWithPath: "\(caseDir)/case.json"))
            let caseJSON = try #require(try JSONSerialization.jsonObject(with: caseData) as? [String: Any])
            let inputs = try #require(caseJSON["inputs"] as? [String], "case.json has no inputs")

            let outDir = lab.path("out")
            var arguments = ["replay", "--config", "\(caseDir)/switch.yaml"]
            if FileManager.default.fileExists(atPath: "\(caseDir)/flows.txt") { arguments += ["--flows", "\(caseDir)/flows.txt"] }
            for port in inputs { arguments += ["--in", "\(port)=\(caseDir)/in-\(port).pcap"] }
            arguments += ["--out-dir", outDir]
            let r = try lab.vswitchd(arguments)
            try #require(r.status == 0, "vswitchd replay (status \(r.status)): \(r.stderr)")

            let script = try lab.write("compare.py", compareScript)
            let compared = try lab.run("python3", [script, outDir, caseDir], timeout: 60)
            try #require(compared.status == 0, "compare.py: \(compared.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(compared.stdout.utf8)) as? [String: Any])
            let ports = try #require(json["ports"] as? [String: [String: Any]])
            let inputCounts = try #require(json["inputs"] as? [String: Int])
            #expect(!ports.isEmpty, "no expected-*.pcap in \(caseDir)")
            for (port, entry) in ports.sorted(by: { $0.key < $1.key }) {
                let problems = entry["problems"] as? [String] ?? ["unreadable result"]
                #expect(problems.isEmpty, "\(name) port \(port): \(problems.joined(separator: "; "))")
            }

            // The printed summary names every port with counters matching the pcaps.
            let shown = ShownPort.parse(r.stdout)
            for (port, entry) in ports {
                let row = shown.first { $0.name == port }
                #expect(row != nil, "the replay summary does not mention port \(port):\n\(r.stdout)")
                guard let row else { continue }
                #expect(row.txPackets == entry["expected"] as? Int, "\(port) tx pkts in summary: \(row.header)")
                #expect(row.rxPackets == inputCounts[port] ?? 0, "\(port) rx pkts in summary: \(row.header)")
            }
        }
    }
}
