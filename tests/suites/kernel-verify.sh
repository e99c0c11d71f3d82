#!/bin/sh
# SPDX-License-Identifier: MIT
# The kernel's verifier against bpfhost's: every case of tests/data/verify is verified by
# bpfhost and loaded by the kernel (BPF_PROG_LOAD), and the verdicts are compared. Agreements
# pass; a disagreement fails unless docs/verifier-kernel.md lists it (an intended difference, or
# one known and still to fix). Needs root and bpf(); skips itself otherwise.
# BPFH_KVERIFY_FLAGS passes options to bpfh-kverify (-v: a line per case and per skip).
BUILD=${BUILD:-build}
if [ ! -x "$BUILD/bpfh-kverify" ]; then
	echo "kernel-verify: skipped ($BUILD/bpfh-kverify not built: not Linux)"
	exit 0
fi
"$BUILD/bpfh-kverify" ${BPFH_KVERIFY_FLAGS} --known docs/verifier-kernel.md tests/data/verify
rc=$?
# 1 means unexplained disagreements, already counted as failures in the summary line.
[ "$rc" -le 1 ] || echo "SUITE-ERROR kernel-verify (exit $rc)"
