#!/bin/sh
# SPDX-License-Identifier: MIT
# Differential test of the examples against the Linux kernel: every XDP, socket filter and tc
# program of $BUILD/examples/*.bpf.o through BPF_PROG_TEST_RUN (loaded with libbpf) and through
# bpfhost's interpreters, on the packets of traffic.pcap and crafted ones, comparing verdicts,
# output packets, contexts, and at the end the maps and records. Needs root, bpf(), libbpf
# and libpcap; skips itself otherwise. BPFH_KEXAMPLES_FLAGS passes options (-v: a line per
# object, map and skipped program, with the kernel's reasons; -vv: a line per run).
BUILD=${BUILD:-build}
if [ ! -x "$BUILD/bpfh-kexamples" ]; then
	echo "kernel-examples: skipped ($BUILD/bpfh-kexamples not built: not Linux, or no libbpf or libpcap)"
	exit 0
fi
if [ ! -d "$BUILD/examples" ]; then
	echo "kernel-examples: skipped ($BUILD/examples not built: no clang)"
	exit 0
fi
pcap=
[ -f "$BUILD/examples/traffic.pcap" ] && pcap="$BUILD/examples/traffic.pcap"
"$BUILD/bpfh-kexamples" ${BPFH_KEXAMPLES_FLAGS} "$BUILD/examples" $pcap
rc=$?
# 1 means disagreements, already counted as failures in the summary line.
[ "$rc" -le 1 ] || echo "SUITE-ERROR kernel-examples (exit $rc)"
