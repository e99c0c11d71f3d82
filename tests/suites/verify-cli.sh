#!/bin/sh
# SPDX-License-Identifier: MIT
# `bpfhost show verification`, end to end: the verdict and figures of an example object's
# program (text, JSON, --verbose with the disassembly), programs given as assembly text and as
# raw instructions, --type choosing the program type (and so the context's fields and the
# return range), and the exit statuses: 0 every selected program accepted, 1 one rejected, 2
# any other error (missing file, unknown section or program, bad --type or option), with a
# message on stderr. Prints "verify-cli: N passed, N failed".
BUILD=${BUILD:-build}
BPFHOST=$BUILD/bpfhost
PASS_O=$BUILD/examples/xdp_pass.bpf.o
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

pass() { passed=$((passed + 1)); }
fail() {
	failed=$((failed + 1))
	echo "FAIL verify-cli: $name: $*"
	sed 's/^/      stdout: /' "$tmp/out" | head -20
	sed 's/^/      stderr: /' "$tmp/err" | head -20
}

# run NAME CMD...: exit status in $rc, stdout in $tmp/out, stderr in $tmp/err.
run() {
	name=$1
	shift
	"$@" </dev/null >"$tmp/out" 2>"$tmp/err"
	rc=$?
}
status() { if [ "$rc" -eq "$1" ]; then pass; else fail "exit status $rc, want $1"; fi; }
out_has() { if grep -F -q -- "$1" "$tmp/out"; then pass; else fail "stdout lacks '$1'"; fi; }
err_has() { if grep -F -q -- "$1" "$tmp/err"; then pass; else fail "stderr lacks '$1'"; fi; }
json_ok() { # stdout parses as JSON (where python3 is)
	if ! command -v python3 >/dev/null 2>&1; then pass; return; fi
	if python3 -c 'import json, sys; json.load(sys.stdin)' <"$tmp/out" 2>/dev/null; then pass
	else fail "stdout is not JSON"; fi
}
refused() { # status 2, a message on stderr containing $1
	status 2
	err_has "$1"
}

if [ ! -x "$BPFHOST" ]; then
	echo "SUITE-ERROR verify-cli: $BPFHOST not built"
	exit 1
fi
if [ ! -f "$PASS_O" ]; then
	echo "verify-cli: skipped (no $PASS_O: examples need clang)"
	echo "verify-cli: 0 passed, 0 failed"
	exit 0
fi

# ---- an accepted object ----
run "accepted object" "$BPFHOST" show verification "$PASS_O"
status 0
out_has "section xdp, program xdp_pass (xdp): accepted"
out_has "instructions 2, blocks 1, states "
out_has "time "
out_has "peak memory "
out_has "r0 at exit in [2, 2]"
out_has "loops: "

run "selected by section" "$BPFHOST" show verification "$PASS_O" xdp
status 0
out_has "accepted"
run "selected by program" "$BPFHOST" show verification "$PASS_O" xdp_pass
status 0
out_has "program xdp_pass"

run "accepted object, JSON" "$BPFHOST" show verification "$PASS_O" -j
status 0
json_ok
out_has '"verdict": "accepted"'
out_has '"instructions": 2'
out_has '"peak_bytes": '
out_has '"loops": ['
out_has '"r0": [2, 2]'

run "verbose: each instruction" "$BPFHOST" show verification "$PASS_O" --verbose
status 0
out_has "0: r0 = 2"
out_has "1: exit"
run "verbose JSON" "$BPFHOST" show verification "$PASS_O" --verbose -j
status 0
json_ok
out_has '"trace": [{"index": 0, "text": "r0 = 2"'

# ---- rejections ----
# xdp_pass returns 2; a recvmsg4 program must return 1
run "rejected: return range of --type" "$BPFHOST" show verification "$PASS_O" \
	--type cgroup/recvmsg4
status 1
out_has "(cgroup_sock_addr (recvmsg4)): rejected"
out_has "xdp_pass.bpf.o:xdp_pass: insn 1 (exit): "
out_has "outside the return range [1, 1]"
out_has " at xdp_pass.bpf.c:"
run "rejected, JSON" "$BPFHOST" show verification "$PASS_O" --type cgroup/recvmsg4 -j
status 1
json_ok
out_has '"verdict": "rejected"'
out_has '"reject_insn": 1'
out_has '"message": '

cat >"$tmp/egress.s" <<'EOF'
# egress_ifindex exists only for XDP programs a devmap runs
ldxw %r0, [%r1+20]
mov %r0, 2
exit
EOF
run "assembly rejected as xdp" "$BPFHOST" show verification "$tmp/egress.s" --type xdp
status 1
out_has "egress.s (xdp): rejected"
out_has "egress.s: insn 0 (r0 = *(u32 *)(r1 + 20)): context access to bytes [20, 24) of xdp_md: not a field of xdp_md that xdp programs may read"
run "assembly accepted as xdp/devmap" "$BPFHOST" show verification "$tmp/egress.s" \
	--type xdp/devmap
status 0
out_has "(xdp (devmap)): accepted"
run "assembly as memory" "$BPFHOST" show verification "$tmp/egress.s" --type memory:24
status 0
out_has "(memory): accepted"
run "assembly as memory too small" "$BPFHOST" show verification "$tmp/egress.s" \
	--type memory:16
status 1
out_has "context access out of bounds"

"$BPFHOST" asm "$tmp/egress.s" -o "$tmp/egress.bin" 2>"$tmp/err"
# offset 20 of bpf_sock_addr is user_ip6[3], which IPv4 programs do not have
run "raw instructions" "$BPFHOST" show verification "$tmp/egress.bin" --type cgroup/connect4
status 1
out_has "not a field of bpf_sock_addr that cgroup_sock_addr (connect4) programs may read"

# ---- other errors: status 2 ----
run "missing file" "$BPFHOST" show verification "$tmp/none.o"
refused "none.o"
run "unknown section" "$BPFHOST" show verification "$PASS_O" no_such_section
refused "no program or section 'no_such_section'"
run "bad --type" "$BPFHOST" show verification "$PASS_O" --type no_such_type
refused "unknown program type 'no_such_type'"
run "unknown option" "$BPFHOST" show verification "$PASS_O" --frobnicate
refused "unknown option '--frobnicate'"
run "no file" "$BPFHOST" show verification
refused "usage: bpfhost show verification"
printf 'frob %%r0\nexit\n' >"$tmp/bad.s"
run "assembly that does not assemble" "$BPFHOST" show verification "$tmp/bad.s"
refused "bad.s"
run "section of an assembly file" "$BPFHOST" show verification "$tmp/egress.s" xdp
refused "not an object file"
printf 'abc' >"$tmp/odd.bin"
run "raw instructions of a bad length" "$BPFHOST" show verification "$tmp/odd.bin"
refused "not a whole number of 8-byte instructions"

# Tricky but safe: IPv6 extension headers at variable offsets, each checked against data_end;
# and the same parser checking one byte too few.
V6="$BUILD/obj-tests/ipv6_ext.bpf.o"
if [ -f "$V6" ]; then
	run "IPv6 extension headers" "$BPFHOST" show verification "$V6" ipv6_ext
	status 0
	run "IPv6 extension headers, one byte short" "$BPFHOST" show verification "$V6" \
		ipv6_ext_short
	status 1
	if cat "$tmp/out" "$tmp/err" | grep -F -q "packet access past the checked end"; then
		pass
	else
		fail "no packet bound message"
	fi
fi

echo "verify-cli: $passed passed, $failed failed"
