#!/bin/sh
# SPDX-License-Identifier: MIT
# bpfhost's own instruction tests (tests/data/isa) on both interpreters and, where this host has
# it, the JIT, with every -- error text required in the log; then tests/data/isa-checked, whose
# out-of-bounds and misaligned accesses only the checked interpreter catches (the fast one and
# the JIT would touch that memory), on that one only.
# Summary lines are prefixed with the directory: "isa interp: N passed, N failed".
BUILD=${BUILD:-build}
. tests/suites/lib/jit.sh

run() { # label, bpfh-conform arguments...
	label=$1
	shift
	out=$("$BUILD/bpfh-conform" --match-errors "$@")
	rc=$?
	printf '%s\n' "$out" | sed -E "s/^([a-z-]+: [0-9]+ passed, [0-9]+ failed)/$label \1/"
	[ "$rc" -eq 0 ] || echo "SUITE-ERROR $label (exit $rc)"
}

if jit_available; then
	run isa --engine interp --engine interp-checked --engine jit tests/data/isa
else
	echo "# isa: jit skipped (not available on this host)"
	run isa --engine interp --engine interp-checked tests/data/isa
fi
run isa-checked --engine interp-checked tests/data/isa-checked
