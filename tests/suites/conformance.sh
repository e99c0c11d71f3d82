#!/bin/sh
# SPDX-License-Identifier: MIT
# The public bpf_conformance suite on every engine, and its negative files. The JIT runs where
# this host has it (a one-program probe says so); elsewhere a note says it was skipped.
BUILD=${BUILD:-build}
CONFORMANCE=${CONFORMANCE:-../shared/conformance}
if [ ! -d "$CONFORMANCE/tests" ]; then
	echo "conformance: skipped ($CONFORMANCE/tests not found)"
	exit 0
fi
. tests/suites/lib/jit.sh
engines="--engine interp --engine interp-checked"
if jit_available; then
	engines="$engines --engine jit"
else
	echo "# conformance: jit skipped (not available on this host)"
fi
"$BUILD/bpfh-conform" $engines "$CONFORMANCE/tests" ||
	echo "SUITE-ERROR conformance"
"$BUILD/bpfh-conform" --negative $engines "$CONFORMANCE/negative" ||
	echo "SUITE-ERROR conformance-negative"
