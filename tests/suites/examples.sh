#!/bin/sh
# SPDX-License-Identifier: MIT
# The example programs through the command line: `bpfhost run` replays the bundled traffic
# through the XDP firewall with a block list given by --map-update and checks the verdict
# counts (51 dropped, 149 passed) and the maps it dumps, runs the tail-call parser chain and a
# socket filter over the same traffic (text and -j), and `bpfhost show sections|maps|
# disassembly|jited` describe a few examples, in text and with -j; the firewall runs on every
# engine, the JIT included where the host has it (and by default). Skips itself when the examples
# are not built (no clang or no libpcap). Prints "examples-cli: N passed, N failed".
BUILD=${BUILD:-build}
BPFHOST=$BUILD/bpfhost
EX=$BUILD/examples
PCAP=$EX/traffic.pcap
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

pass() { passed=$((passed + 1)); }
fail() {
	failed=$((failed + 1))
	echo "FAIL examples-cli: $name: $*"
	sed 's/^/      stderr: /' "$tmp/err"
}

# run NAME CMD...: runs CMD, keeping its exit status in $rc, stdout in $tmp/out, stderr in
# $tmp/err.
run() {
	name=$1
	shift
	"$@" </dev/null >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

status() {
	if [ "$rc" -eq "$1" ]; then pass; else fail "exit status $rc, want $1"; fi
}
# out_line REGEX: some line of stdout matches the extended regular expression
out_line() {
	if grep -E -q -- "$1" "$tmp/out"; then pass; else
		fail "no line of stdout matches '$1'"
		sed 's/^/      stdout: /' "$tmp/out" | head -20
	fi
}
out_has() { # stdout contains the fixed string $1
	if grep -F -q -- "$1" "$tmp/out"; then pass; else
		fail "stdout lacks '$1'"
		sed 's/^/      stdout: /' "$tmp/out" | head -20
	fi
}
out_count() { # exactly $2 lines of stdout contain the fixed string $1
	n=$(grep -F -c -- "$1" "$tmp/out")
	if [ "$n" -eq "$2" ]; then pass; else fail "$n lines contain '$1', want $2"; fi
}
err_empty() {
	if [ ! -s "$tmp/err" ]; then pass; else fail "stderr not empty"; fi
}

if [ ! -x "$BPFHOST" ]; then
	echo "SUITE-ERROR examples-cli: $BPFHOST not built"
	exit 1
fi
if [ ! -f "$EX/xdp_firewall.bpf.o" ] || [ ! -f "$PCAP" ]; then
	echo "# examples-cli: skipped, $EX/xdp_firewall.bpf.o or $PCAP not built (no clang or libpcap?)"
	echo "examples-cli: 0 passed, 0 failed"
	exit 0
fi

. tests/suites/lib/jit.sh
engines="interp interp-checked"
if jit_available; then
	engines="$engines jit"
	default_engine=jit
else
	default_engine=interp
fi

# ---- run: the firewall over the bundled traffic, 10.1.2.0/24 blocked ----
for engine in $engines; do
	run "run firewall ($engine)" "$BPFHOST" run "$EX/xdp_firewall.bpf.o" --pcap "$PCAP" \
		--engine "$engine" \
		--map-update blocklist "18 00 00 00 0a 01 02 00" "01 00 00 00" --dump-maps
	status 0
	err_empty
	first="^$EX/xdp_firewall.bpf.o: xdp_firewall \(xdp\) on 200 packets from $PCAP"
	out_line "$first, engine $engine\$"
	out_line '^  DROP +51$'
	out_line '^  PASS +149$'
	out_line '^  ABORTED +0$'
	out_line '^  REDIRECT +0$'
	# the block list as updated, and the per-CPU counters: 129 passed, 50 blocked, 20 not
	# IPv4, 1 runt
	out_line '^map blocklist: type 11, key 8, value 4, max_entries 1024$'
	out_line '^ +key 18 00 00 00 0a 01 02 00  value 01 00 00 00$'
	out_line '^map counters: type 6, key 4, value 8, max_entries 4$'
	out_line '^ +key 00 00 00 00  value cpu0: 81 00 00 00 00 00 00 00$'
	out_line '^ +key 01 00 00 00  value cpu0: 32 00 00 00 00 00 00 00$'
	out_line '^ +key 02 00 00 00  value cpu0: 14 00 00 00 00 00 00 00$'
	out_line '^ +key 03 00 00 00  value cpu0: 01 00 00 00 00 00 00 00$'
done

# without the block list nothing but the runt is dropped
run "run firewall, empty block list" "$BPFHOST" run "$EX/xdp_firewall.bpf.o" --pcap "$PCAP"
status 0
out_line "engine $default_engine\$"
out_line '^  DROP +1$'
out_line '^  PASS +199$'

# -j: one JSON document with the verdicts and the maps
run "run firewall -j" "$BPFHOST" run "$EX/xdp_firewall.bpf.o" --pcap "$PCAP" \
	--map-update blocklist "18 00 00 00 0a 01 02 00" "01 00 00 00" --dump-maps -j
status 0
out_count '{"file": ' 1
out_has '"program": "xdp_firewall"'
out_has '"packets": 200'
out_has '"DROP": 51, "PASS": 149'
out_has '"maps": [{"name": "blocklist"'
out_has '{"key": "180000000a010200"'

# --map-update with the wrong sizes, and of a map that does not exist, are refused
run "run firewall, bad update" "$BPFHOST" run "$EX/xdp_firewall.bpf.o" --pcap "$PCAP" \
	--map-update blocklist "18 00 00 00" "01 00 00 00"
status 1
if grep -F -q "map blocklist takes 8 key bytes and 4 value bytes" "$tmp/err"; then pass; else
	fail "no size message"
fi
run "run firewall, no such map" "$BPFHOST" run "$EX/xdp_firewall.bpf.o" --pcap "$PCAP" \
	--map-update nosuchmap "00" "00"
status 1
if grep -F -q "no map 'nosuchmap'" "$tmp/err"; then pass; else fail "no message"; fi

# a missing pcap, an unknown --type, and a section that gives no type (with the hint) are refused
run "run firewall, missing pcap" "$BPFHOST" run "$EX/xdp_firewall.bpf.o" --pcap "$tmp/none.pcap"
status 1
if grep -F -q "none.pcap" "$tmp/err"; then pass; else fail "the missing pcap is not named"; fi
run "run firewall, unknown type" "$BPFHOST" run "$EX/xdp_firewall.bpf.o" --type bogus \
	--pcap "$PCAP"
status 1
if grep -F -q "unknown program type 'bogus'" "$tmp/err"; then pass; else fail "no message"; fi
if [ -f "$BUILD/obj-tests/bad_section.bpf.o" ]; then
	run "show sections, untyped section" "$BPFHOST" show sections \
		"$BUILD/obj-tests/bad_section.bpf.o"
	status 1
	if grep -F -q "give the program type with --type" "$tmp/err"; then pass; else
		fail "no --type hint"
	fi
	run "show sections --type xdp" "$BPFHOST" show sections \
		"$BUILD/obj-tests/bad_section.bpf.o" --type xdp
	status 0
	out_line "my_hook/entry +hooked +xdp"
fi

# a program the verifier refuses is not loaded: run and show name the instruction and line
if [ -f "$BUILD/obj-tests/unsafe.bpf.o" ]; then
	run "run an unverifiable program" "$BPFHOST" run "$BUILD/obj-tests/unsafe.bpf.o" \
		--pcap "$PCAP"
	status 1
	if grep -F -q "unsafe.bpf.o:unchecked: insn" "$tmp/err" &&
	   grep -F -q "packet access past the checked end" "$tmp/err" &&
	   grep -F -q "at unsafe.bpf.c:12" "$tmp/err"; then pass; else
		fail "no verifier message naming file, program, instruction and line"
	fi
	run "show verification, refused" "$BPFHOST" show verification \
		"$BUILD/obj-tests/unsafe.bpf.o"
	status 1
	if cat "$tmp/out" "$tmp/err" | grep -F -q "packet access past the checked end"; then
		pass
	else
		fail "no verifier message"
	fi
fi

# ---- run: the tail-call parser chain, from its entry program ----
if [ -f "$EX/xdp_parse_chain.bpf.o" ]; then
	run "run parse chain -j" "$BPFHOST" run "$EX/xdp_parse_chain.bpf.o" \
		--section xdp_parse_eth --pcap "$PCAP" --dump-maps -j
	status 0
	out_has '"program": "xdp_parse_eth"'
	# the runt is dropped by the IPv4 stage; everything else passes
	out_has '"verdicts": {"ABORTED": 0, "DROP": 1, "PASS": 199, "TX": 0, "REDIRECT": 0}'
	# stage runs: IPv4 180 (0xb4), IPv6 10, ARP 10, entry 200 (0xc8)
	out_has '{"key": "00000000", "values": [{"cpu": 0, "value": "b400000000000000"}]}'
	out_has '{"key": "01000000", "values": [{"cpu": 0, "value": "0a00000000000000"}]}'
	out_has '{"key": "02000000", "values": [{"cpu": 0, "value": "0a00000000000000"}]}'
	out_has '{"key": "03000000", "values": [{"cpu": 0, "value": "c800000000000000"}]}'
fi

# ---- run: a socket filter (flow tracker): kept unless not IPv4 TCP/UDP ----
if [ -f "$EX/sock_flow_tracker.bpf.o" ]; then
	run "run flow tracker" "$BPFHOST" run "$EX/sock_flow_tracker.bpf.o" --pcap "$PCAP" \
		--dump-maps
	status 0
	# the runt (an IPv4 EtherType and no IPv4 header) is refused as Linux's test run does
	out_line '^  dropped +20$'
	out_line '^  kept +179$'
	out_line '^  refused +1 '
	out_line '^map flows: type 9, key 16, value 32, max_entries 16384$'
	# 178 IPv4 TCP/UDP packets, each its own flow (source ports differ)
	n=$(grep -c -E '^ +key 0a 01 0[23] |^ +key c0 a8 00 |^ +key ac 10 05 ' "$tmp/out")
	if [ "$n" -ge 178 ]; then pass; else fail "$n flow entries dumped"; fi
fi

# ---- show ----
run "show sections" "$BPFHOST" show sections "$EX/xdp_parse_chain.bpf.o"
status 0
out_line '^Section +Program +Type +Insns$'
out_line '^xdp +xdp_parse_eth +xdp +[0-9]+$'
out_line '^xdp +parse_ipv4 +xdp +[0-9]+$'
out_line '^xdp +parse_arp +xdp +[0-9]+$'
run "show sections -j" "$BPFHOST" show sections -j "$EX/cgroup_connect4.bpf.o"
status 0
out_has '"section": "cgroup/connect4"'
out_has '"program": "connect4"'
out_has '"type": "cgroup_sock_addr"'
out_has '"instructions": '
run "show sections (bind)" "$BPFHOST" show sections "$EX/bind_policy.bpf.o"
status 0
out_line '^bind +bind_policy +bind +[0-9]+$'

run "show maps" "$BPFHOST" show maps "$EX/xdp_tenant_policy.bpf.o"
status 0
out_line '^tenant_ports +array_of_maps +4 +4 +4096 +0$'
out_line '^tenant_stats +hash_of_maps +4 +4 +4096 +0$'
out_line '^tenant_ports\.inner +hash +2 +4 +256 +0$'
run "show maps -j" "$BPFHOST" show maps -j "$EX/sock_legacy_count.bpf.o"
status 0
out_has '{"name": "proto_bytes", "type": "array"'
out_has '"key_size": 4, "value_size": 8, "max_entries": 256'
out_has '{"name": "src_packets", "type": "hash"'
run "show maps (global data)" "$BPFHOST" show maps "$EX/xdp_ctl.bpf.o"
status 0
out_line '^\.data +array +4 +16 +1 +0$'
out_line '^\.bss +array +4 +8 +1 +0$'
out_line '^\.rodata +array +4 +[0-9]+ +1 +0x80$'

run "show disassembly" "$BPFHOST" show disassembly "$EX/xdp_lb.bpf.o" xdp_lb
status 0
out_line '^xdp:xdp_lb$'
out_line '^; .*xdp_lb\.bpf\.c:[0-9]+ .*flow_hash\('
out_line '^ +[0-9]+: call 44$'  # bpf_xdp_adjust_head
out_line '^ +[0-9]+: call 51$'  # bpf_redirect_map
out_line '^ +[0-9]+: call pc[+-][0-9]+$'  # the global subprogram
run "show disassembly --style conf" "$BPFHOST" show disassembly "$EX/xdp_lb.bpf.o" --style conf
status 0
out_line '^ +0: mov %r6, %r1$'
run "show disassembly -j" "$BPFHOST" show disassembly -j "$EX/xdp_dns_filter.bpf.o"
status 0
out_has '"section": "xdp"'
out_has '"program": "xdp_dns_filter"'
out_has '"instructions": [{"index": 0, "text": '
out_has '"file": '
out_has '"line": '
out_has '"source": '

# ---- show jited: the JIT's code, each instruction before its machine code ----
if jit_available; then
	run "show jited" "$BPFHOST" show jited "$EX/xdp_lb.bpf.o" xdp_lb
	status 0
	out_line '^xdp:xdp_lb: [0-9]+ instructions, [0-9]+ bytes of x86-64 code$'
	out_line '^; entry and common code$'
	out_line '^; 0: r6 = r1$'
	out_line '^; [0-9]+: call 44$'
	if command -v objdump >/dev/null 2>&1; then
		out_line '^ +[0-9a-f]+:	([0-9a-f]{2} )+ *	(push|mov) '
	fi
	run "show jited, hex" env OBJDUMP=false "$BPFHOST" show jited "$EX/xdp_pass.bpf.o"
	status 0
	out_line '^; 0: r0 = 2$'
	out_line '^ +[0-9a-f]+: b8 02 00 00 00$'
	out_line '^; 1: exit$'
	run "show jited -j" "$BPFHOST" show jited -j "$EX/xdp_pass.bpf.o"
	status 0
	out_line '^\[\{"section": "xdp", "program": "xdp_pass", "engine": "jit", "size": [0-9]+, "code": "[0-9a-f]+b80200000049890131c0c3", "instructions": \[\{"index": 0, "offset": [0-9]+, "text": "r0 = 2"\}, \{"index": 1, "offset": [0-9]+, "text": "exit"\}\], "stubs_offset": [0-9]+\}\]$'
	run "show jited, no such program" "$BPFHOST" show jited "$EX/xdp_pass.bpf.o" nope
	if [ "$rc" -eq 1 ] && grep -q "no program or section 'nope'" "$tmp/err"; then pass; else
		fail "want exit 1 and the missing program named"
	fi
	# a program outside an object: assembly text, raw instructions (.bin)
	printf 'mov %%r0, 2\nexit\n' > "$tmp/two.asm"
	run "show jited, assembly text" env OBJDUMP=false "$BPFHOST" show jited "$tmp/two.asm"
	status 0
	out_line '^raw:two.asm: 2 instructions, [0-9]+ bytes of x86-64 code$'
	out_line '^; 0: r0 = 2$'
	out_line '^ +[0-9a-f]+: b8 02 00 00 00$'
	printf '\267\000\000\000\002\000\000\000\225\000\000\000\000\000\000\000' > "$tmp/two.bin"
	run "show jited -j, raw instructions" "$BPFHOST" show jited -j "$tmp/two.bin"
	status 0
	out_line '^\[\{"section": "raw", "program": "two.bin", "engine": "jit", "size": [0-9]+, "code": "[0-9a-f]+b80200000049890131c0c3", "instructions": \[\{"index": 0, "offset": [0-9]+, "text": "r0 = 2"\}, \{"index": 1, "offset": [0-9]+, "text": "exit"\}\], "stubs_offset": [0-9]+\}\]$'
	printf 'abc' > "$tmp/short.bin"
	run "show jited, a .bin of 3 bytes" "$BPFHOST" show jited "$tmp/short.bin"
	if [ "$rc" -eq 1 ] && grep -q "3 bytes is not a whole number of 8-byte instructions" \
		"$tmp/err"; then pass; else
		fail "want exit 1 and the size refused"
	fi
	printf 'mov %%r0, 1\nbogus %%r1\nexit\n' > "$tmp/bad.asm"
	run "show jited, assembly that does not parse" "$BPFHOST" show jited "$tmp/bad.asm"
	if [ "$rc" -eq 1 ] && grep -q "bad.asm:2: unknown mnemonic 'bogus'" "$tmp/err" &&
		! grep -q "cannot prepare" "$tmp/err" && [ ! -s "$tmp/out" ]; then pass; else
		fail "want exit 1, the line named, nothing else said"
	fi
	run "show jited, a section of a raw program" "$BPFHOST" show jited "$tmp/two.asm" xdp
	if [ "$rc" -eq 1 ] && grep -q "not an object file: no sections to choose from" \
		"$tmp/err"; then pass; else
		fail "want exit 1 and no sections"
	fi
else
	echo "# examples-cli: show jited skipped (the JIT is not available on this host)"
fi

echo "examples-cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
