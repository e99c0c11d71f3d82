#!/bin/sh
# SPDX-License-Identifier: MIT
# Differential test against the Linux kernel: each conformance program on bpfhost and through
# BPF_PROG_TEST_RUN, comparing the 64-bit r0. Needs root and bpf(); skips itself otherwise.
# BPFH_KDIFF_FLAGS passes options to bpfh-kdiff (-v: a line per file, with the verifier's
# reason for each refusal; --type socket).
BUILD=${BUILD:-build}
CONFORMANCE=${CONFORMANCE:-../shared/conformance}
if [ ! -d "$CONFORMANCE/tests" ]; then
	echo "kernel-diff: skipped ($CONFORMANCE/tests not found)"
	exit 0
fi
if [ ! -x "$BUILD/bpfh-kdiff" ]; then
	echo "kernel-diff: skipped ($BUILD/bpfh-kdiff not built: not Linux)"
	exit 0
fi
"$BUILD/bpfh-kdiff" ${BPFH_KDIFF_FLAGS} "$CONFORMANCE/tests"
rc=$?
# 1 means disagreements, already counted as failures in the summary line.
[ "$rc" -le 1 ] || echo "SUITE-ERROR kernel-diff (exit $rc)"
