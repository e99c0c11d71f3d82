#!/bin/sh
# SPDX-License-Identifier: MIT
# The command line, end to end: `bpfhost asm` writes the right bytes, `disasm` prints both
# styles and reads back what asm wrote, `plugin` runs programs given as hex text, raw bytes or
# --program with memory in hex, on each engine (--jit and the default, the JIT where this host
# has it). Bad input (missing or malformed files, bad
# hex, refused or failing programs, bad options) must exit non-zero with a message on stderr
# that says what was wrong, and print nothing on stdout. Prints "cli: N passed, N failed".
BUILD=${BUILD:-build}
BPFHOST=$BUILD/bpfhost
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

pass() { passed=$((passed + 1)); }
fail() {
	failed=$((failed + 1))
	echo "FAIL cli: $name: $*"
	sed 's/^/      stderr: /' "$tmp/err"
}

# run NAME [< input] CMD...: runs CMD with stdin from $input (default /dev/null), keeping its
# exit status in $rc, stdout in $tmp/out and stderr in $tmp/err.
run() {
	name=$1
	shift
	"$@" <"${input:-/dev/null}" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	input=
}

# Checks on the last run.
status() { # exact exit status
	if [ "$rc" -eq "$1" ]; then pass; else fail "exit status $rc, want $1"; fi
}
out_is() { # stdout is exactly $1 (a printf format of lines)
	printf "$1" >"$tmp/want"
	if cmp -s "$tmp/out" "$tmp/want"; then pass; else
		fail "stdout differs:"
		diff "$tmp/want" "$tmp/out" | sed 's/^/      /'
	fi
}
err_has() { # stderr contains the fixed string $1
	if grep -F -q -- "$1" "$tmp/err"; then pass; else fail "stderr lacks '$1'"; fi
}
out_empty() {
	if [ ! -s "$tmp/out" ]; then pass; else fail "stdout not empty: $(head -c 200 "$tmp/out")"; fi
}
refused() { # a failure: status $1, a message containing $2, nothing on stdout
	status "$1"
	err_has "$2"
	out_empty
}
hex_of() { od -An -v -tx1 "$1" | tr -d ' \n'; }

if [ ! -x "$BPFHOST" ]; then
	echo "SUITE-ERROR cli: $BPFHOST not built"
	exit 1
fi

# ---- asm ----
cat >"$tmp/sum.s" <<'EOF'
# r0 = the word at r1 + the memory's length
ldxw %r0, [%r1]
add %r0, %r2
exit
EOF
run "asm writes the instructions" "$BPFHOST" asm "$tmp/sum.s" -o "$tmp/sum.bin"
status 0
out_empty
if [ "$(hex_of "$tmp/sum.bin")" = 61100000000000000f200000000000009500000000000000 ]; then pass; else
	fail "bytes $(hex_of "$tmp/sum.bin")"
fi

cat >"$tmp/jump.s" <<'EOF'
lddw %r1, 0x123456789abcdef0
jeq %r1, 0, out
mov32 %r0, -1
out:
exit
EOF
run "asm of lddw and a label" "$BPFHOST" asm "$tmp/jump.s" -o "$tmp/jump.bin"
status 0
want=18010000f0debc9a0000000078563412
want=${want}1501010000000000b4000000ffffffff9500000000000000
if [ "$(hex_of "$tmp/jump.bin")" = "$want" ]; then
	pass
else
	fail "bytes $(hex_of "$tmp/jump.bin")"
fi

cat >"$tmp/bad.s" <<'EOF'
mov %r0, 1
frob %r1
ja nowhere
EOF
run "asm of bad assembly" "$BPFHOST" asm "$tmp/bad.s" -o "$tmp/bad.bin"
refused 1 "bad.s:2: unknown mnemonic 'frob'"
err_has "bad.s:3: unknown label 'nowhere'"
if [ ! -e "$tmp/bad.bin" ]; then pass; else fail "wrote $tmp/bad.bin"; fi

run "asm of a missing file" "$BPFHOST" asm "$tmp/missing.s" -o "$tmp/x.bin"
refused 1 "missing.s"
run "asm to an unwritable path" "$BPFHOST" asm "$tmp/sum.s" -o "$tmp/no/such/dir/x.bin"
refused 1 "x.bin"
run "asm without -o" "$BPFHOST" asm "$tmp/sum.s"
refused 2 "usage"

# ---- disasm ----
run "disasm, conformance style by default" "$BPFHOST" disasm "$tmp/sum.bin"
status 0
out_is 'ldxw %%r0, [%%r1]\nadd %%r0, %%r2\nexit\n'
run "disasm --style conf" "$BPFHOST" disasm "$tmp/jump.bin" --style conf
status 0
out_is 'lddw %%r1, 0x123456789abcdef0\njeq %%r1, 0, +1\nmov32 %%r0, -1\nexit\n'
run "disasm --style c" "$BPFHOST" disasm --style c "$tmp/jump.bin"
status 0
out_is '    0: r1 = 0x123456789abcdef0 ll\n    2: if r1 == 0 goto +1\n    3: w0 = -1\n    4: exit\n'

# what disasm prints, asm reads back to the same bytes
"$BPFHOST" disasm "$tmp/jump.bin" >"$tmp/again.s" 2>"$tmp/err"
run "asm of disasm's output" "$BPFHOST" asm "$tmp/again.s" -o "$tmp/again.bin"
status 0
if cmp -s "$tmp/jump.bin" "$tmp/again.bin"; then pass; else fail "bytes differ"; fi

run "disasm of a missing file" "$BPFHOST" disasm "$tmp/missing.bin"
refused 1 "missing.bin"
printf '\225\000\000' >"$tmp/short.bin"
run "disasm of a partial instruction" "$BPFHOST" disasm "$tmp/short.bin"
refused 1 "3 bytes is not a whole number of 8-byte instructions"
: >"$tmp/empty.bin"
run "disasm of an empty file" "$BPFHOST" disasm "$tmp/empty.bin"
refused 1 "0 bytes is not a whole number"
run "disasm with a bad style" "$BPFHOST" disasm --style intel "$tmp/sum.bin"
refused 2 "usage"
# an undecodable slot: the others still print, the bad one is shown, the exit status says so
printf '\377\000\000\000\000\000\000\000\225\000\000\000\000\000\000\000' >"$tmp/undecodable.bin"
run "disasm of an undecodable slot" "$BPFHOST" disasm "$tmp/undecodable.bin"
status 1
out_is '(bad) code 0xff dst 0 src 0 off 0 imm 0\nexit\n'

# ---- plugin ----
run "plugin, hex program on stdin" sh -c "echo 61100000000000000f200000000000009500000000000000 |
	'$BPFHOST' plugin '78 56 34 12'"
status 0
out_is '1234567c\n'
input=$tmp/sum.bin
run "plugin, raw program on stdin" "$BPFHOST" plugin 78563412
status 0
out_is '1234567c\n'
run "plugin --program" "$BPFHOST" plugin --program 61100000000000000f200000000000009500000000000000 \
	'ff ff ff ff 00'
status 0
out_is '100000004\n'
input=$tmp/sum.bin
run "plugin --engine interp-checked" "$BPFHOST" plugin --engine interp-checked 01000000
status 0
out_is '5\n'
. tests/suites/lib/jit.sh
if jit_available; then
	input=$tmp/sum.bin
	run "plugin --engine jit" "$BPFHOST" plugin --engine jit 01000000
	status 0
	out_is '5\n'
	input=$tmp/jump.bin
	run "plugin --engine jit without memory" "$BPFHOST" plugin --engine jit
	status 0
	out_is 'ffffffff\n'
	run "plugin --engine jit with an unknown helper" "$BPFHOST" plugin --engine jit \
		--program 85000000070000009500000000000000
	refused 1 "insn 0 (call 7): call to unknown helper 7"
else
	echo "# cli: plugin --engine jit skipped (the JIT is not available on this host)"
fi
input=$tmp/jump.bin
run "plugin without memory" "$BPFHOST" plugin --engine interp
status 0
out_is 'ffffffff\n'
input=$tmp/jump.bin
run "plugin --interpret" "$BPFHOST" plugin --interpret
status 0
out_is 'ffffffff\n'

input=$tmp/sum.bin
run "plugin with odd hex memory" "$BPFHOST" plugin 123
refused 2 "memory argument is not hex bytes"
input=$tmp/sum.bin
run "plugin with non-hex memory" "$BPFHOST" plugin 12zz
refused 2 "memory argument is not hex bytes"
run "plugin with a non-hex program" "$BPFHOST" plugin --program 95xx000000000000
refused 1 "the program is not hex bytes"
run "plugin with a partial instruction" "$BPFHOST" plugin --program 950000
refused 1 "a program of 3 bytes is not a whole number of 8-byte instructions"
run "plugin with no program" "$BPFHOST" plugin
refused 1 "a program of 0 bytes"
run "plugin with a refused program" "$BPFHOST" plugin --program 9500000001000000
refused 1 "insn 0 (code 0x95): reserved field imm is 1, must be 0"
run "plugin with a program that falls off its end" "$BPFHOST" plugin --program b700000001000000
refused 1 "insn 0 (code 0xb7): the last instruction is not exit or ja"
run "plugin with a kfunc call" "$BPFHOST" plugin --program 85200000070000009500000000000000
refused 1 "kernel function calls are not supported"
run "plugin with an unknown helper" "$BPFHOST" plugin --program 85000000070000009500000000000000
refused 1 "call to unknown helper 7"
# ldxdw r0, [r1 + 4] on 8 bytes of memory: only the checked engine catches it
run "plugin, out of bounds on interp-checked" "$BPFHOST" plugin --engine interp-checked \
	--program 79100400000000009500000000000000 0001020304050607
refused 1 "read of 8 bytes at"
err_has "insn 0 (r0 = *(u64 *)(r1 + 4))"
# the engines that check nothing run only what the verifier accepts (as memory of that size)
run "plugin, out of bounds refused by the verifier" "$BPFHOST" plugin --engine interp \
	--program 79100400000000009500000000000000 0001020304050607
refused 1 "insn 0 (r0 = *(u64 *)(r1 + 4)): context access out of bounds: bytes [4, 12) of 8"
run "plugin, in bounds accepted by the verifier" "$BPFHOST" plugin --engine interp \
	--program 79100000000000009500000000000000 0001020304050607
status 0
out_is '706050403020100\n'
run "plugin with an unknown engine" "$BPFHOST" plugin --engine jit9000 --program 9500000000000000
refused 2 "unknown engine 'jit9000'"
if jit_available; then
	run "plugin --jit" "$BPFHOST" plugin --jit --program b7000000070000009500000000000000
	status 0
	out_is '7\n'
	# without --engine: the default, the JIT on this host
	run "plugin, default engine" "$BPFHOST" plugin --program b7000000070000009500000000000000
	status 0
	out_is '7\n'
else
	run "plugin --jit" "$BPFHOST" plugin --jit --program 9500000000000000
	refused 1 "jit: not available on this host"
fi
run "plugin with an unknown option" "$BPFHOST" plugin --frob --program 9500000000000000
refused 2 "unknown option '--frob'"

# ---- the command itself ----
run "no command" "$BPFHOST"
refused 2 "usage: bpfhost COMMAND"
run "an unknown command" "$BPFHOST" frob
refused 2 "unknown command 'frob'"
run "help" "$BPFHOST" help
if grep -q "^engines: interp, interp-checked, jit (default: " "$tmp/out"; then pass; else
	fail "the usage does not list the engines with the default"
fi
status 0
if grep -q "usage: bpfhost COMMAND" "$tmp/out"; then pass; else fail "no usage on stdout"; fi

echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
