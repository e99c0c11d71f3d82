#!/bin/sh
# SPDX-License-Identifier: MIT
# The public bpf_conformance suite on every engine, and its negative files.
BUILD=${BUILD:-build}
CONFORMANCE=${CONFORMANCE:-../shared/conformance}
if [ ! -d "$CONFORMANCE/tests" ]; then
	echo "conformance: skipped ($CONFORMANCE/tests not found)"
	exit 0
fi
"$BUILD/bpfh-conform" --engine interp --engine interp-checked "$CONFORMANCE/tests" ||
	echo "SUITE-ERROR conformance"
"$BUILD/bpfh-conform" --negative --engine interp --engine interp-checked "$CONFORMANCE/negative" ||
	echo "SUITE-ERROR conformance-negative"
