/* SPDX-License-Identifier: MIT */
/*
 * What the benchmark runner (bench.c) shares with its other parts: the records that go to
 * bench.json, the batch length, and the map operation (maps.c), pcap replay (replay.c) and
 * verifier (verify.c) benchmarks it runs after its own.
 */
#ifndef BPFH_BENCH_H
#define BPFH_BENCH_H

#include <stddef.h>
#include <stdint.h>

/* Add a record {"bench", "engine", "ns_per_run", "insns_per_run"} to bench.json (the strings
 * are copied; insns 0: not counted). */
void bench_record(const char *bench, const char *engine, double ns, uint64_t insns);

/* The length of one timed batch, in ns (bpfh-bench -t). */
uint64_t bench_batch_ns(void);

/*
 * Map operations (bench/progs/maps.bpf.c, built at path): ns per lookup, update and delete for
 * HASH, ARRAY, LRU_HASH and LPM_TRIE on bpfhost's interpreter and, when kernel is set, on the
 * kernel through BPF_PROG_TEST_RUN. 0, or -1 when a benchmark failed (said why).
 */
int bench_maps(const char *path, int kernel);

/*
 * Packets per second of an XDP_PASS program and of the firewall example (with a block list of
 * a few hundred prefixes) over the packets of dir/traffic.pcap, replayed in memory through an
 * XDP port on one core. 0, or -1 when a benchmark failed (said why).
 */
int bench_replay(const char *dir);

/*
 * The verifier (verify.c): time and peak memory to verify every program of each *.bpf.o file
 * in dirs[0 .. ndirs) (bpfh_object_verify_prog), one line each, then the averages. Rejected programs are reported
 * as such. 0, or -1 when a directory cannot be read.
 */
int bench_verify(const char *const *dirs, size_t ndirs);

#endif
