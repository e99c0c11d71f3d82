#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs every test suite of bpfhost, in up to three phases:
#   native   the suites on $BUILD (build/ by default; always)
#   asan     the same suites rebuilt with ASan+UBSan in $BUILD/san (skipped with BPFH_QUICK=1)
#   tsan     the maps' multi-threaded stress test under ThreadSanitizer (skipped with BPFH_QUICK=1)
#   fuzz     each libFuzzer target for FUZZ_SECONDS (default 20), built in $BUILD/fuzz (skipped
#            with BPFH_QUICK=1)
#   windows  the MinGW-w64 build under Wine (tests/windows.sh; skipped with BPFH_QUICK=1, or
#            where MinGW-w64 or Wine is missing)
# Each suite prints lines "NAME: N passed, N failed"; they are echoed with their phase and summed
# into a last line "N passed, N failed". A suite that crashes prints SUITE-ERROR, counted as a
# failure; so does a test program still running after TEST_TIMEOUT seconds (default 300: a JIT
# that loops for ever must fail the run, not hang it), where timeout(1) exists. Suites that
# need ../shared (conformance data) or root (the kernel) skip themselves.
BUILD=${BUILD:-build}
CONFORMANCE=${CONFORMANCE:-../shared/conformance}
export CONFORMANCE
TEST_TIMEOUT=${TEST_TIMEOUT:-300}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
limit=
command -v timeout >/dev/null 2>&1 && limit="timeout $TEST_TIMEOUT"

run_suites() { # phase build-dir
	phase=$1
	dir=$2
	for t in "$dir"/test-*; do
		[ -x "$t" ] || continue
		echo "== [$phase] $t"
		BUILD=$dir $limit "$t" 2>&1 || echo "SUITE-ERROR $t"
	done
	for s in tests/suites/*.sh; do
		[ -f "$s" ] || continue
		echo "== [$phase] $s"
		BUILD=$dir sh "$s" 2>&1 || echo "SUITE-ERROR $s"
	done
}

phase() { # phase build-dir
	run_suites "$1" "$2" | sed -E "s/^([^#=].*: [0-9]+ passed, [0-9]+ failed)/[$1] \1/" | tee -a "$out"
}

phase native "$BUILD"

if [ -z "$BPFH_QUICK" ]; then
	echo "== building with ASan+UBSan"
	if make -s BUILD="$BUILD/san" SANITIZE=address,undefined all >/dev/null; then
		phase asan "$BUILD/san"
	else
		echo "SUITE-ERROR sanitizer build" | tee -a "$out"
	fi
	echo "== maps under ThreadSanitizer"
	make -s BUILD=$BUILD tsan-maps 2>&1 | sed -E "s/^([^#=].*: [0-9]+ passed, [0-9]+ failed)/[tsan] \1/" |
		tee -a "$out"
	grep -q '^\[tsan\] .*passed' "$out" || echo "SUITE-ERROR tsan-maps" | tee -a "$out"
	echo "== fuzzing (libFuzzer, ${FUZZ_SECONDS:-20} s per target)"
	BUILD=$BUILD sh tests/fuzz/run.sh 2>&1 | sed -E "s/^([^#=].*: [0-9]+ passed, [0-9]+ failed)/[fuzz] \1/" |
		tee -a "$out"
	if [ -f tests/windows.sh ]; then
		sh tests/windows.sh 2>&1 | sed -E "s/^([^#=].*: [0-9]+ passed, [0-9]+ failed)/[windows] \1/" |
			tee -a "$out"
	fi
fi

set -- $(grep -E '^\[[a-z]+\] .*: [0-9]+ passed, [0-9]+ failed' "$out" |
	sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\1 \2/' |
	awk '{p += $1; f += $2} END {print p + 0, f + 0}')
passed=$1
failed=$(( $2 + $(grep -c '^SUITE-ERROR' "$out") ))
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
