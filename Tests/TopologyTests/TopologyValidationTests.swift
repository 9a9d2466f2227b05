import Testing
@testable import Topology

@Suite struct TopologyValidationTests {
    /// One file with many mistakes: every one is reported, in file order, located exactly.
    @Test func everyMistakeIsReported() {
        let yaml = """
            name: broken
            controler: tcp:127.0.0.1:6653
            tunnels: []
            switches:
              s1:
                datapath-id: abc
                fail-mode: securee
                listen: tcp:1.2.3.4:6653
                controller: [ssl:1.2.3.4:6653, "tcp:1.2.3:99"]
                ports:
                  1: {name: h1-tap, type: tap, vlan: {mode: access}}
                  2: {name: h1-tap, type: tapp}
                  3: {name: up, type: system}
                  70000: {name: big, type: tap}
                  4: {name: vx, type: vxlan, remote: 1.2.3.4}
                  5: {name: t5, type: tap, vlan: {mode: trunk, tag: 10, trunks: [10, 5000]}}
                flows:
                  - "priority=0,actions=normal"
                  - "bogus"
              s2:
                datapath-id: 0x1
                ports:
                  1: {name: s2p1, type: pcap}
                  1: {name: s2p1b, type: tap}
              s3: {datapath-id: 1}
            hosts:
              h1: {switch: s1, port: 1, ip: 10.0.0.1/24, mac: "02:00:00:00:00:01"}
              h2: {switch: s1, port: 1, ip: 10.0.0.1/24, mac: "02:00:00:00:00:01", gateway: 10.1.0.1}
              h3: {switch: s4, port: 1, ip: 10.0.0.300/24}
              h4: {switch: s2, port: 1, ipp: 10.0.0.4/24, mtu: 20}
              h5: {switch: s1, port: h1-tapp}
            links:
              - {a: s1:5, b: s2:9}
              - {a: s1:3, c: s2:1}
            """
        let expected = [
            "t.yaml:2:1: unknown key 'controler' in the topology; did you mean 'controller'?",
            "t.yaml:3:1: tunnels: VXLAN tunnels are not supported yet",
            "t.yaml:6:18: expected an integer for 'datapath-id', got 'abc'",
            "t.yaml:7:16: 'fail-mode' must be one of standalone, secure, got 'securee'; did you mean 'secure'?",
            "t.yaml:8:13: listen: 'tcp:1.2.3.4:6653' is an active connection, which belongs under 'controller'",
            "t.yaml:9:18: controller: ssl connections are not supported yet; use tcp:IP:PORT",
            "t.yaml:9:36: controller: '1.2.3' in 'tcp:1.2.3:99' is not an IP address (expected tcp:IP:PORT)",
            "t.yaml:11:49: missing 'tag' for vlan mode access in port 1 of switch 's1'",
            "t.yaml:12:7: duplicate port name 'h1-tap' in switch 's1' (port 1 at line 11)",
            "t.yaml:12:31: 'type' must be one of tap, system, pcap, patch, got 'tapp'; did you mean 'tap'?",
            "t.yaml:13:7: missing 'interface' in port 3 of switch 's1' (a system port needs the kernel interface it attaches)",
            "t.yaml:14:7: port number 70000 of switch 's1' is outside 1-65279",
            "t.yaml:15:27: type: vxlan ports are not supported yet (VXLAN tunnels)",
            "t.yaml:16:52: 'tag' is not allowed with vlan mode trunk; use native-tagged or native-untagged for a native VLAN",
            "t.yaml:16:74: 'trunks' holds VLAN 5000, outside 1-4094",
            "t.yaml:19:9: invalid flow: unknown field 'bogus'",
            "t.yaml:24:7: duplicate key '1' (first at line 23)",
            "t.yaml:25:21: switch 's3': datapath-id 0x0000000000000001 is already used by switch 's2' (line 21)",
            "t.yaml:28:3: host 'h2': ip 10.0.0.1 is already used by host 'h1' (line 27)",
            "t.yaml:28:3: host 'h2': mac 02:00:00:00:00:01 is already used by host 'h1' (line 27)",
            "t.yaml:28:26: port s1:1 is already used by host 'h1' (line 27)",
            "t.yaml:28:81: 'gateway' 10.1.0.1 is outside the host's subnet 10.0.0.0/24",
            "t.yaml:29:16: host 'h3' names unknown switch 's4'; did you mean 's1'?",
            "t.yaml:29:33: expected an IPv4 address with prefix length (like 10.0.0.1/24) for 'ip', got '10.0.0.300/24'",
            "t.yaml:30:26: host 'h4' is attached to s2:1, a pcap port; hosts attach to tap or system ports",
            "t.yaml:30:29: unknown key 'ipp' in host 'h4'; did you mean 'ip'?",
            "t.yaml:30:52: 'mtu' 20 is outside 68-65535",
            "t.yaml:31:26: host 'h5' names port 'h1-tapp', which switch 's1' does not have; did you mean 'h1-tap'?",
            "t.yaml:33:9: link end 'a' is s1:5, a tap port; links join system ports (made as veth pairs)",
            "t.yaml:33:18: link end 'b' names port 9, which switch 's2' does not have (ports: 1)",
            "t.yaml:34:5: missing 'b' in link",
            "t.yaml:34:15: unknown key 'c' in link",
        ]
        let actual = problems(yaml, flowValidator: { $0 == "bogus" ? "unknown field 'bogus'" : nil })
        #expect(actual == expected)
        for (a, e) in zip(actual, expected) where a != e { Issue.record("got:      \(a)\nexpected: \(e)") }
    }

    @Test func diagnosticFields() throws {
        do {
            _ = try TopologyLoader.parse(yaml: "switches:\n  s1:\n    datapath-id: 1\n    fail-mode: open\n", file: "x.yaml")
            Issue.record("expected an error")
        } catch {
            let diagnostic = try #require(error.diagnostics.first)
            #expect(diagnostic.file == "x.yaml")
            #expect(diagnostic.line == 4)
            #expect(diagnostic.column == 16)
            #expect(diagnostic.message == "'fail-mode' must be one of standalone, secure, got 'open'")
        }
    }

    // MARK: did you mean

    @Test func didYouMeanAtEveryLevel() {
        let yaml = """
            nmae: x
            switches:
              s1:
                datapth-id: 1
                ports:
                  1: {nme: p1, typ: tap, vlan: {mdoe: access, tagg: 10}}
            hosts:
              h1: {swich: s1, prot: 1, namespce: n}
            links:
              - {aa: s1:1}
            vlans:
              10: {nam: blue}
            """
        #expect(problems(yaml) == [
            "t.yaml:1:1: unknown key 'nmae' in the topology; did you mean 'name'?",
            "t.yaml:3:3: missing 'datapath-id' in switch 's1'",
            "t.yaml:4:5: unknown key 'datapth-id' in switch 's1'; did you mean 'datapath-id'?",
            "t.yaml:6:7: missing 'type' in port 1 of switch 's1'",
            "t.yaml:6:7: missing 'name' in port 1 of switch 's1'",
            "t.yaml:6:11: unknown key 'nme' in port 1 of switch 's1'; did you mean 'name'?",
            "t.yaml:6:20: unknown key 'typ' in port 1 of switch 's1'; did you mean 'type'?",
            "t.yaml:6:37: unknown key 'mdoe' in 'vlan' of port 1 of switch 's1'; did you mean 'mode'?",
            "t.yaml:6:51: unknown key 'tagg' in 'vlan' of port 1 of switch 's1'; did you mean 'tag'?",
            "t.yaml:8:3: missing 'switch' in host 'h1'",
            "t.yaml:8:3: missing 'port' in host 'h1'",
            "t.yaml:8:8: unknown key 'swich' in host 'h1'; did you mean 'switch'?",
            "t.yaml:8:19: unknown key 'prot' in host 'h1'; did you mean 'port'?",
            "t.yaml:8:28: unknown key 'namespce' in host 'h1'; did you mean 'namespace'?",
            "t.yaml:10:5: missing 'a' in link",
            "t.yaml:10:5: missing 'b' in link",
            "t.yaml:10:6: unknown key 'aa' in link; did you mean 'a'?",
            "t.yaml:12:3: missing 'name' in vlan 10",
            "t.yaml:12:8: unknown key 'nam' in vlan 10; did you mean 'name'?",
        ])
    }

    @Test func noSuggestionWhenNothingIsClose() {
        #expect(problems(oneSwitch + "\nwidgets: 3\n") == ["t.yaml:9:1: unknown key 'widgets' in the topology"])
    }

    // MARK: reserved

    @Test func reservedSectionsAreNotSupportedYet() {
        let yaml = oneSwitch + """

            tunnels:
              - {remote: 192.0.2.1, vni: 100}
            bonds: {}
            chains:
              fw: [firewall]
            """
        #expect(problems(yaml) == [
            "t.yaml:9:1: tunnels: VXLAN tunnels are not supported yet",
            "t.yaml:11:1: bonds: link bonds (LACP) are not supported yet",
            "t.yaml:12:1: chains: service chains (NFV) are not supported yet",
        ])
    }

    @Test func reservedPortTypesAreNotSupportedYet() {
        let yaml = """
            switches:
              s1:
                datapath-id: 1
                ports:
                  1: {name: vx0, type: vxlan, remote-ip: 192.0.2.1, vni: 5000}
                  2: {name: bond0, type: bond, members: [3, 4]}
            hosts:
              h1: {switch: s1, port: 2}
            """
        #expect(problems(yaml) == [
            "t.yaml:5:28: type: vxlan ports are not supported yet (VXLAN tunnels)",
            "t.yaml:6:30: type: bond ports are not supported yet (link bonds)",
        ])
    }

    // MARK: flows

    @Test func flowErrorsAreLocatedOnTheFlow() {
        let yaml = """
            switches:
              s1:
                datapath-id: 1
                flows:
                  - "priority=0,actions=normal"
                  - priority=5,nw_src=10.0.0.300,actions=drop
                  -   "actions=frobnicate"
                  - ""
                  - [not, a, flow]
            """
        let validator: (String) -> String? = { flow in
            if flow.contains("10.0.0.300") { return "10.0.0.300: invalid IP address" }
            if flow.contains("frobnicate") { return "unknown action 'frobnicate'" }
            return nil
        }
        #expect(problems(yaml, flowValidator: validator) == [
            "t.yaml:6:9: invalid flow: 10.0.0.300: invalid IP address",
            "t.yaml:7:11: invalid flow: unknown action 'frobnicate'",
            "t.yaml:8:9: empty flow in 'flows'",
            "t.yaml:9:9: expected a flow (a string in ovs-ofctl syntax) in 'flows', got a list",
        ])
    }

    @Test func flowsMustBeAList() {
        #expect(problems("switches:\n  s1: {datapath-id: 1, flows: \"actions=normal\"}\n")
                == ["t.yaml:2:31: expected a list of flows for 'flows', got 'actions=normal'"])
    }

    // MARK: YAML itself

    @Test func yamlSyntaxErrorIsLocated() {
        #expect(problems("switches:\n  s1: {datapath-id: [1, 2}\n") == [
            "t.yaml:2:26: yaml syntax error: did not find expected ',' or ']' (while parsing a flow sequence at line 2, column 21)",
        ])
        #expect(problems("switches:\n\ts1: {}\n").first?.hasPrefix("t.yaml:2:1: yaml syntax error: found character that cannot start any token") == true)
    }

    @Test func duplicateYAMLKeysDoNotHideOtherErrors() {
        let yaml = """
            switches:
              s1:
                datapath-id: 1
                ports:
                  1: {name: p1, type: tap, name: p2}
                  "2": {name: p3, type: tap}
                  '2': {name: p4, type: tap}
                datapath-id: 2
              s1: {datapath-id: 3}
            hosts:
              h1: {switch: s1, port: 9}
            """
        #expect(problems(yaml) == [
            "t.yaml:5:32: duplicate key 'name' (first at line 5)",
            "t.yaml:7:7: duplicate key '2' (first at line 6)",
            "t.yaml:8:5: duplicate key 'datapath-id' (first at line 3)",
            "t.yaml:9:3: duplicate key 's1' (first at line 2)",
            "t.yaml:11:26: host 'h1' names port 9, which switch 's1' does not have (ports: 1, 2)",
        ])
    }

    @Test func emptyAndMisshapenFiles() {
        #expect(problems("") == ["t.yaml:1:1: the file is empty; expected a topology (name:, switches:, …)"])
        #expect(problems("# nothing\n") == ["t.yaml:1:1: the file is empty; expected a topology (name:, switches:, …)"])
        #expect(problems("- s1\n- s2\n") == ["t.yaml:1:1: expected a mapping (name:, switches:, hosts:, …) at the top of the file, got a list"])
        #expect(problems("name: x\n") == ["t.yaml:1:1: missing 'switches' in the topology"])
        #expect(problems("switches: {}\n") == ["t.yaml:1:1: 'switches' is empty; a topology needs at least one switch"])
        #expect(problems("switches: [s1]\n") == ["t.yaml:1:11: expected a mapping for 'switches', got a list"])
        #expect(problems("switches:\n  s1: 5\n") == ["t.yaml:2:7: expected a mapping for switch 's1', got '5'"])
    }

    // MARK: switches

    @Test func switchFields() {
        let yaml = """
            switches:
              s1:
                datapath-id: 0
                mac-table-size: 0
                mac-aging: ten
                control-socket: /run/\(String(repeating: "d", count: 110))/s1.sock
              s2: {datapath-id: 0x10000000000000000, listen: "ptcp:99999"}
              s3: {datapath-id: 3, listen: "ptcp:6634:10.0.0.1", control-socket: /tmp/s.sock}
              s4: {datapath-id: 4, listen: "ptcp:6634:10.0.0.1", control-socket: /tmp/s.sock}
              s5: {datapath-id: 0x3}
              s 6: {datapath-id: 6}
            """
        #expect(problems(yaml) == [
            "t.yaml:3:18: 'datapath-id' must not be 0",
            "t.yaml:4:21: 'mac-table-size' 0 is outside 1-16777216",
            "t.yaml:5:16: expected an integer for 'mac-aging', got 'ten'",
            "t.yaml:6:21: 'control-socket' path is 123 bytes; a unix socket path holds at most 107",
            "t.yaml:7:21: expected an integer for 'datapath-id', got '0x10000000000000000'",
            "t.yaml:7:50: listen: '99999' in 'ptcp:99999' is not a TCP port (0-65535)",
            "t.yaml:9:32: switch 's4': listen port 6634 is already used by switch 's3' (line 8)",
            "t.yaml:9:70: switch 's4': control-socket /tmp/s.sock is already used by switch 's3' (line 8)",
            "t.yaml:10:21: switch 's5': datapath-id 0x0000000000000003 is already used by switch 's3' (line 8)",
            "t.yaml:11:3: switch name 's 6' must start with a letter or digit and hold only letters, digits, '-', '_' and '.'",
        ])
    }

    @Test func portNames() {
        let yaml = """
            switches:
              s1:
                datapath-id: 1
                ports:
                  1: {name: "7", type: pcap}
                  2: {name: local, type: pcap}
                  3: {name: a-tap-name-too-long, type: tap}
                  4: {name: "a=b", type: pcap}
                  0: {name: zero, type: pcap}
                  x: {name: ex, type: pcap}
                  5: {name: sys, type: system, interface: eth0/1}
                  6: {name: pc, type: pcap, interface: eth0, peer: s1:7}
              s2:
                datapath-id: 2
                ports:
                  1: {name: dup, type: tap}
                  2: {name: other, type: system, interface: dup}
            """
        #expect(problems(yaml) == [
            "t.yaml:5:17: port name '7' must not be a number (numbers name ports by number)",
            "t.yaml:6:17: port name 'local' is reserved for an OpenFlow port (LOCAL)",
            "t.yaml:7:17: port name 'a-tap-name-too-long' is not a valid interface name for a tap port: longer than 15 bytes",
            "t.yaml:8:17: port name 'a=b' must not contain ':', '=', ',' or '/'",
            "t.yaml:9:7: port number 0 of switch 's1' is outside 1-65279",
            "t.yaml:10:7: expected a port number (1-65279) as key in 'ports' of switch 's1', got 'x'",
            "t.yaml:11:47: 'interface' 'eth0/1' is not a valid interface name: it contains '/', ':' or whitespace",
            "t.yaml:12:33: 'interface' is only for system ports; port 6 of switch 's1' is a pcap port",
            "t.yaml:12:50: 'peer' is only for patch ports; port 6 of switch 's1' is a pcap port",
            "t.yaml:17:7: port s2:2 uses interface 'dup', already used by port s2:1 (line 16)",
        ])
    }

    @Test func patchPeers() {
        let yaml = """
            switches:
              s1:
                datapath-id: 1
                ports:
                  1: {name: p1, type: patch, peer: s2:1}
                  2: {name: p2, type: patch, peer: s2:tap}
                  3: {name: p3, type: patch, peer: s1:3}
                  4: {name: p4, type: patch}
                  5: {name: p5, type: patch, peer: s9:1}
                  6: {name: p6, type: patch, peer: nowhere}
              s2:
                datapath-id: 2
                ports:
                  1: {name: q1, type: patch, peer: s1:3}
                  2: {name: tap, type: tap}
            """
        #expect(problems(yaml) == [
            "t.yaml:5:40: 'peer' of port s1:1 is s2:1, whose own 'peer' is s1:3; patch peers must name each other",
            "t.yaml:6:40: 'peer' of port s1:2 is s2:2, a tap port; a patch port's peer is another patch port",
            "t.yaml:7:40: 'peer' of port s1:3 is the port itself",
            "t.yaml:8:7: missing 'peer' in port 4 of switch 's1' (a patch port needs 'peer: SWITCH:PORT')",
            "t.yaml:9:40: 'peer' of port s1:5 names unknown switch 's9'; did you mean 's1'?",
            "t.yaml:10:40: expected SWITCH:PORT for 'peer', got 'nowhere'",
        ])
    }

    @Test func controllerStrings() {
        let yaml = """
            controller: [tcp:127.0.0.1:6653, tcp:127.0.0.1:6653]
            switches:
              s1: {datapath-id: 1, controller: "unix:/run/c.sock"}
              s2: {datapath-id: 2, controller: "ptcp:6653"}
              s3: {datapath-id: 3, controller: "tcp:127.0.0.1:0"}
              s4: {datapath-id: 4, controller: "controller.example:6653"}
              s5: {datapath-id: 5, listen: "pssl:6653"}
            """
        #expect(problems(yaml) == [
            "t.yaml:1:34: controller 'tcp:127.0.0.1:6653' is listed twice",
            "t.yaml:3:36: controller: unix socket connections are not supported; use tcp:IP:PORT",
            "t.yaml:4:36: controller: 'ptcp:6653' is a passive listener, which belongs under 'listen'",
            "t.yaml:5:36: controller: '0' in 'tcp:127.0.0.1:0' is not a TCP port (1-65535)",
            "t.yaml:6:36: controller: expected tcp:IP:PORT, got 'controller.example:6653'",
            "t.yaml:7:32: listen: pssl listeners are not supported yet; use ptcp:PORT[:IP]",
        ])
    }

    // MARK: VLANs

    @Test func vlanRules() {
        let yaml = """
            vlans:
              10: {name: blue}
              20: {name: blue}
              4095: {name: toobig}
              30: {name: "30"}
              0x14: {name: green}
            switches:
              s1:
                datapath-id: 1
                ports:
                  1: {name: a, type: tap, vlan: {mode: access, tag: 10, trunks: [20]}}
                  2: {name: b, type: tap, vlan: {tag: 10, trunks: [20]}}
                  3: {name: c, type: tap, vlan: {mode: native-tagged, trunks: [20]}}
                  4: {name: d, type: tap, vlan: {mode: access, tag: 0}}
                  5: {name: e, type: tap, vlan: {mode: trunk, trunks: [10, 10, bleu]}}
                  6: {name: f, type: tap, vlan: {mode: hybrid}}
                  7: {name: g, type: tap, vlan: {mode: trunk, trunks: 10}}
                  8: {name: h, type: tap, vlan: {mode: native-untagged, tag: 10}}
                  9: {name: i, type: tap, vlan: {}}
            """
        #expect(problems(yaml) == [
            "t.yaml:3:14: duplicate vlan name 'blue' (first at line 2)",
            "t.yaml:4:3: vlan id 4095 in 'vlans' is outside 1-4094",
            "t.yaml:5:14: vlan name '30' must not be a number",
            "t.yaml:6:3: duplicate vlan id 20 in 'vlans' (first at line 3)",
            "t.yaml:11:61: 'trunks' is not allowed with vlan mode access; use native-tagged or native-untagged for a native VLAN plus trunks",
            "t.yaml:12:47: 'trunks' is not allowed with vlan mode access (mode defaults to access when 'tag' is set); use native-tagged or native-untagged for a native VLAN plus trunks",
            "t.yaml:13:44: missing 'tag' for vlan mode native-tagged in port 3 of switch 's1'",
            "t.yaml:14:57: 'tag' holds VLAN 0, outside 1-4094",
            "t.yaml:15:64: 'trunks' lists VLAN 10 twice",
            "t.yaml:15:68: expected a VLAN id (1-4094) or a name from 'vlans' for 'trunks', got 'bleu'; did you mean 'blue'?",
            "t.yaml:16:44: 'mode' must be one of access, trunk, native-tagged, native-untagged, got 'hybrid'",
            "t.yaml:17:59: expected a list of VLAN ids for 'trunks', got '10'",
        ])
    }

    // MARK: hosts and links

    @Test func hostAddresses() {
        let yaml = """
            switches:
              s1:
                datapath-id: 1
                ports: {1: {name: p1, type: tap}, 2: {name: p2, type: tap}, 3: {name: p3, type: system, interface: v3},
                        4: {name: p4, type: pcap}, 5: {name: p5, type: tap}, 6: {name: p6, type: tap},
                        7: {name: p7, type: tap}}
            hosts:
              h1: {switch: s1, port: 1, ip: 10.0.0.0/24, ipv6: "2001:db8::1/64", mac: "01:00:5e:00:00:01", mtu: 1000}
              h2: {switch: s1, port: 2, ip: 10.0.0.2, gateway: 10.0.0.9, ipv6: "2001:db8::1/64", mac: "02:00:00:00:00:0g"}
              h3: {switch: s1, port: 3, ip: 10.0.0.3/24, gateway: "2001:db8::1", ipv6: "2001:db8:::1/64"}
              h4: {switch: s1, port: 5, gateway: 10.0.0.1, interface: a-very-long-interface, namespace: "a/b"}
              h5: {switch: s1, port: 6, ip: 10.0.0.5/24, gateway: 10.0.0.255, mtu: 70000}
              h6: {switch: s1, port: 7, ip: 10.0.0.6/24, gateway: 10.0.0.5, namespace: h7, interface: eth1}
              h7: {switch: s1, port: 4, ip: 10.0.0.7/24}
              h8: {switch: s1, port: p7, ip: 10.0.0.8/24, namespace: h7, interface: eth1}
              h9: {switch: s1, port: 3, ip: 10.0.0.9/24, gateway: 10.0.0.9, ipv6: "2001:db8::9/64", mtu: 1280}
            """
        #expect(problems(yaml) == [
            "t.yaml:8:33: 'ip' 10.0.0.0/24 is the network address of 10.0.0.0/24",
            "t.yaml:8:75: 'mac' 01:00:5e:00:00:01 is a multicast address; a host needs a unicast one",
            "t.yaml:8:101: 'mtu' 1000 is below 1280, the minimum for IPv6 ('ipv6' is set)",
            "t.yaml:9:3: host 'h2': ipv6 2001:db8::1 is already used by host 'h1' (line 8)",
            "t.yaml:9:33: expected an IPv4 address with prefix length (like 10.0.0.1/24) for 'ip', got '10.0.0.2'",
            "t.yaml:9:91: expected a MAC address (like 02:00:00:00:00:01) for 'mac', got '02:00:00:00:00:0g'",
            "t.yaml:10:76: expected an IPv6 address with prefix length (like 2001:db8::1/64) for 'ipv6', got '2001:db8:::1/64'",
            "t.yaml:11:38: 'gateway' 10.0.0.1 needs the host's 'ip' in the same subnet",
            "t.yaml:11:59: 'interface' 'a-very-long-interface' is not a valid interface name: longer than 15 bytes",
            "t.yaml:11:93: 'namespace' 'a/b' is not a valid network namespace name: it contains '/' or whitespace",
            "t.yaml:12:55: 'gateway' 10.0.0.255 is the broadcast address of 10.0.0.0/24",
            "t.yaml:12:72: 'mtu' 70000 is outside 68-65535",
            "t.yaml:14:26: host 'h7' is attached to s1:4, a pcap port; hosts attach to tap or system ports",
            "t.yaml:15:3: host 'h8': interface eth1 in namespace 'h7' is already used by host 'h6' (line 13)",
            "t.yaml:15:26: port s1:7 is already used by host 'h6' (line 13)",
            "t.yaml:16:26: port s1:3 is already used by host 'h3' (line 10)",
            "t.yaml:16:55: 'gateway' 10.0.0.9 is the host's own address",
        ])
        // A bad 'ip' or 'ipv6' is reported once: h2's and h3's gateways are not checked against them.
    }

    @Test func linkRules() {
        let yaml = """
            switches:
              s1:
                datapath-id: 1
                ports:
                  1: {name: h1-tap, type: tap}
                  2: {name: up, type: system, interface: veth-s1-2}
                  3: {name: up3, type: system, interface: veth-s1-3}
              s2:
                datapath-id: 2
                ports:
                  2: {name: up, type: system, interface: veth-s2-2}
            hosts:
              h1: {switch: s1, port: h1-tap}
              h3: {switch: s1, port: up3}
            links:
              - {a: s1:up, b: s2:2}
              - {a: s1:2, b: s1:2}
              - {a: s1-2, b: "s2:"}
              - {a: s1:3, b: s2:up}
              - {a: s1:1, b: s3:1}
              - a: s1:9
                b: s2:up
              - s1:2 s2:2
            """
        #expect(problems(yaml) == [
            "t.yaml:17:18: link joins port s1:2 to itself",
            "t.yaml:18:9: expected SWITCH:PORT for 'a' of link, got 's1-2'",
            "t.yaml:18:18: expected SWITCH:PORT for 'b' of link, got 's2:'",
            "t.yaml:19:9: port s1:3 is already used by host 'h3' (line 14)",
            "t.yaml:19:18: port s2:2 is already used by a link (line 16)",
            "t.yaml:20:9: link end 'a' is s1:1, a tap port; links join system ports (made as veth pairs)",
            "t.yaml:20:18: link end 'b' names unknown switch 's3'; did you mean 's1'?",
            "t.yaml:21:8: link end 'a' names port 9, which switch 's1' does not have (ports: 1, 2, 3)",
            "t.yaml:23:5: expected a mapping for a link, got 's1:2 s2:2'",
        ])
    }

    @Test func hostOnASystemPortAndOnAPortNamedByNumberText() throws {
        let topology = try loaded(oneSwitch + """

            hosts:
              vm1: {switch: s1, port: p3, ip: 192.168.1.10/24, gateway: 192.168.1.1}
              vm2: {switch: s1, port: "2"}
            """)
        #expect(topology.hosts.map(\.port) == [3, 2])
        #expect(topology.hosts[0].gateway?.description == "192.168.1.1")
    }
}
