// SPDX-License-Identifier: MIT
/*
 * Map operation benchmarks: ns per lookup, update and delete on HASH, ARRAY, LRU_HASH and
 * LPM_TRIE maps, from the programs of bench/progs/maps.bpf.c (each loops NKEYS times over one
 * operation), on bpfhost's interpreter, on its JIT where the host has one and, where
 * BPF_PROG_TEST_RUN works, on the kernel (its JIT where enabled): the same object, loaded by
 * bpfhost and by libbpf, so the same program and the same map sizes on every side.
 *
 * How a figure is made, on each side alike:
 *  - lookup and update (of keys that are all present): test runs with repeat, timed by the side
 *    itself (the duration BPF_PROG_TEST_RUN reports: mean ns per run); the best of BATCHES
 *    batches of about -t MS each;
 *  - delete: a run deletes every key, so each sample is one run (repeat 1) on a map refilled
 *    from user space before it; the best of DELETE_SAMPLES samples;
 *  - the loop's own cost is the `empty` program's, timed the same way (with repeat for lookup
 *    and update, one run per sample for delete), and subtracted: the figure is
 *    (ns per run of the operation's program - ns per run of `empty`) / NKEYS.
 * Every run's count of operations that succeeded is checked (all NKEYS of them must).
 *
 * Then the tail-call chain of maps.bpf.c: ns per run of chain_head (33 tail calls) and per
 * tail call, net of chain_flat (the same program without them: it tail-calls an empty slot),
 * timed as lookups are.
 *
 * Records: {"bench": "map-TYPE-OP", "engine": "interp" | "jit" | "kernel", "ns_per_run": ns per
 * operation}, "map-loop" with the empty loop's ns per iteration, "tail-chain" (ns per run)
 * and "tail-call" (ns per tail call).
 */
#if defined(__linux__) && defined(BENCH_LIBBPF)
#define _GNU_SOURCE
#define MAPS_KERNEL 1
#else
#define MAPS_KERNEL 0
#endif
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/obj.h"
#include "bpfhost/prog.h"
#include "bench.h"
#include "../src/platform/platform.h"

#if MAPS_KERNEL
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#endif

#define NKEYS 1024 /* as in maps.bpf.c */
#define TAIL_CALLS 33 /* chain_head's run, as in maps.bpf.c */
#define BATCHES 5
#define DELETE_SAMPLES 15

enum { T_INTERP, T_JIT, T_KERNEL, T__COUNT };
static const char *const target_name[T__COUNT] = { "interp", "jit", "kernel" };

/* One side: bpfhost's instance, or the kernel's object. */
struct target {
	int kind;
	struct bpfh_object *obj;
	struct bpfh_instance *inst;
#if MAPS_KERNEL
	struct bpf_object *kobj;
#endif
	char why[256];
};

static const uint8_t pkt[64] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00 };

/* Repeats from which run() times bpfhost's whole test run itself: the call's own cost is then
 * spread thin, and the figure is finer than the whole ns of the test run's duration (the
 * tail-call chain's 33 calls are 40 ns: the duration's rounding would be 0.03 ns per call).
 * The kernel's figure stays its own duration: around the syscall, its wall clock holds
 * several times more than the runs (what the kernel does outside its timed loop). */
#define WALL_REPEAT 1000

static int run_once(struct target *t, const char *prog, uint32_t repeat, double *ns);

/* Run a program repeat times; 0 with the mean ns per run in *ns, or -1: the kernel's
 * duration; bpfhost's duration, or over many repeats the wall clock around the call. */
static int run(struct target *t, const char *prog, uint32_t repeat, double *ns)
{
	uint64_t t0 = bpfh_time_ns();
	int err = run_once(t, prog, repeat, ns);

	if (!err && t->kind != T_KERNEL && repeat >= WALL_REPEAT)
		*ns = (double)(bpfh_time_ns() - t0) / repeat;
	return err;
}

static int run_once(struct target *t, const char *prog, uint32_t repeat, double *ns)
{
	if (t->kind != T_KERNEL) {
		struct bpfh_prog *p = bpfh_instance_prog(t->inst, prog);
		struct bpfh_test_run_opts o;
		char logbuf[512] = "";
		struct bpfh_log log;

		bpfh_log_init(&log, logbuf, sizeof(logbuf));
		memset(&o, 0, sizeof(o));
		o.sz = sizeof(o);
		o.data_in = pkt;
		o.data_size_in = sizeof(pkt);
		o.repeat = (int)repeat;
		o.log = &log;
		if (!p || bpfh_prog_test_run(p, &o)) {
			snprintf(t->why, sizeof(t->why), "%s: %s", prog,
				 p ? logbuf : "no such program");
			return -1;
		}
		*ns = o.duration;
		return 0;
	}
#if MAPS_KERNEL
	{
		struct bpf_program *p = bpf_object__find_program_by_name(t->kobj, prog);
		struct bpf_test_run_opts o;

		memset(&o, 0, sizeof(o));
		o.sz = sizeof(o);
		o.data_in = pkt;
		o.data_size_in = sizeof(pkt);
		o.repeat = (int)repeat;
		if (!p || bpf_prog_test_run_opts(bpf_program__fd(p), &o)) {
			snprintf(t->why, sizeof(t->why), "%s: BPF_PROG_TEST_RUN: %s", prog,
				 p ? strerror(errno) : "no such program");
			return -1;
		}
		*ns = o.duration;
		return 0;
	}
#else
	return -1;
#endif
}

/* Count of successful operations of the last run (the programs' global `hits`). */
static uint64_t hits(struct target *t)
{
	uint64_t v[4] = { ~0ull };
	uint32_t zero = 0;

	if (t->kind != T_KERNEL) {
		struct bpfh_map *m = bpfh_instance_map(t->inst, ".bss");

		if (!m || bpfh_map_lookup(m, &zero, v))
			return ~0ull;
		return v[0];
	}
#if MAPS_KERNEL
	{
		struct bpf_map *m = bpf_object__find_map_by_name(t->kobj, ".bss");

		if (!m || bpf_map_lookup_elem(bpf_map__fd(m), &zero, v))
			return ~0ull;
	}
#endif
	return v[0];
}

/* Store every key of the map as the programs use them (value: the key's index). */
static int fill(struct target *t, const char *map)
{
	struct {
		uint32_t prefixlen;
		uint8_t addr[4];
	} lpm;
	uint64_t value;
	uint32_t i, key;
	const void *kp;
	int err = 0;

	for (i = 0; i < NKEYS && !err; i++) {
		value = i;
		key = i;
		kp = &key;
		if (!strcmp(map, "lpm")) {
			lpm.prefixlen = 24;
			lpm.addr[0] = 10;
			lpm.addr[1] = (uint8_t)(i >> 8);
			lpm.addr[2] = (uint8_t)i;
			lpm.addr[3] = 0;
			kp = &lpm;
		}
		if (t->kind != T_KERNEL) {
			struct bpfh_map *m = bpfh_instance_map(t->inst, map);

			err = m ? bpfh_map_update(m, kp, &value, 0) : -ENOENT;
		}
#if MAPS_KERNEL
		else {
			struct bpf_map *m = bpf_object__find_map_by_name(t->kobj, map);

			err = m ? bpf_map_update_elem(bpf_map__fd(m), kp, &value, 0) : -ENOENT;
			if (err)
				err = -errno;
		}
#endif
	}
	if (err)
		snprintf(t->why, sizeof(t->why), "filling %s: %s", map, strerror(-err));
	return err ? -1 : 0;
}

/* Best mean ns per run of prog with repeat (batches of about bench_batch_ns()); the count of
 * successes must be want. 0 or -1. */
static int time_repeat(struct target *t, const char *prog, uint64_t want, double *best)
{
	double ns;
	uint32_t repeat;
	int b;

	if (run(t, prog, 1, &ns))
		return -1;
	ns = ns > 1 ? ns : 1;
	repeat = (uint32_t)((double)bench_batch_ns() / ns);
	repeat = repeat < 1 ? 1 : repeat > 1000000 ? 1000000 : repeat;
	for (b = 0; b < BATCHES; b++) {
		if (run(t, prog, repeat, &ns))
			return -1;
		if (hits(t) != want) {
			snprintf(t->why, sizeof(t->why), "%s: %llu operations of %llu succeeded",
				 prog, (unsigned long long)hits(t), (unsigned long long)want);
			return -1;
		}
		if (b == 0 || ns < *best)
			*best = ns;
	}
	return 0;
}

/* Best ns of one run of prog, each on a map refilled first (map NULL: no refill). */
static int time_single(struct target *t, const char *prog, const char *map, uint64_t want,
		       double *best)
{
	double ns;
	int s;

	for (s = 0; s < DELETE_SAMPLES; s++) {
		if ((map && fill(t, map)) || run(t, prog, 1, &ns))
			return -1;
		if (hits(t) != want) {
			snprintf(t->why, sizeof(t->why), "%s: %llu operations of %llu succeeded",
				 prog, (unsigned long long)hits(t), (unsigned long long)want);
			return -1;
		}
		if (s == 0 || ns < *best)
			*best = ns;
	}
	return 0;
}

static int open_target(struct target *t, int kind, const char *path)
{
	char logbuf[2048] = "";
	struct bpfh_log log;

	memset(t, 0, sizeof(*t));
	t->kind = kind;
	if (kind != T_KERNEL) {
		struct bpfh_load_opts lo;

		bpfh_log_init(&log, logbuf, sizeof(logbuf));
		memset(&lo, 0, sizeof(lo));
		lo.sz = sizeof(lo);
		lo.engine = kind == T_JIT ? BPFH_ENGINE_JIT : BPFH_ENGINE_INTERP;
		if (bpfh_object_open_file(path, &log, &t->obj) ||
		    bpfh_instance_create(t->obj, &lo, &log, &t->inst)) {
			logbuf[strcspn(logbuf, "\n")] = '\0';
			snprintf(t->why, sizeof(t->why), "%s", logbuf);
			return -1;
		}
		return 0;
	}
#if MAPS_KERNEL
	t->kobj = bpf_object__open_file(path, NULL);
	if (!t->kobj) {
		snprintf(t->why, sizeof(t->why), "libbpf cannot open %s: %s", path,
			 strerror(errno));
		return -1;
	}
	if (bpf_object__load(t->kobj)) {
		snprintf(t->why, sizeof(t->why), "libbpf cannot load %s: %s", path,
			 strerror(errno));
		return -1;
	}
	return 0;
#else
	(void)path;
	snprintf(t->why, sizeof(t->why), "built without libbpf");
	return -1;
#endif
}

static void close_target(struct target *t)
{
	bpfh_instance_destroy(t->inst);
	bpfh_object_destroy(t->obj);
#if MAPS_KERNEL
	bpf_object__close(t->kobj);
#endif
}

#if MAPS_KERNEL
static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}
#endif

int bench_maps(const char *path, int kernel)
{
	static const char *const maps[] = { "hash", "array", "lru", "lpm" };
	static const char *const type_name[] = { "HASH", "ARRAY", "LRU_HASH", "LPM_TRIE" };
	static const char *const ops[] = { "lookup", "update", "delete" };
	struct target t[T__COUNT];
	double empty_rep[T__COUNT], empty_one[T__COUNT], fig[4][3][T__COUNT];
	double chain_ns[T__COUNT], flat_ns[T__COUNT];
	int have[T__COUNT] = { 0, 0, 0 }, ok[4][3][T__COUNT], chain_ok[T__COUNT] = { 0, 0, 0 };
	char name[64];
	int e, m, o, failed = 0;

#if MAPS_KERNEL
	libbpf_set_print(quiet);
#endif
	memset(ok, 0, sizeof(ok));
	for (e = 0; e < T__COUNT; e++) {
		if (e == T_JIT && bpfh_engine_default() != BPFH_ENGINE_JIT) {
			memset(&t[e], 0, sizeof(t[e]));
			snprintf(t[e].why, sizeof(t[e].why), "no JIT on this host");
			continue;
		}
		if (e == T_KERNEL && !kernel) {
			memset(&t[e], 0, sizeof(t[e]));
			snprintf(t[e].why, sizeof(t[e].why), "BPF_PROG_TEST_RUN not available");
			continue;
		}
		if (open_target(&t[e], e, path)) {
			printf("maps: %s: skipped (%s)\n", target_name[e], t[e].why);
			if (e == T_INTERP)
				failed = 1;
			continue;
		}
		if (time_repeat(&t[e], "empty", NKEYS, &empty_rep[e]) ||
		    time_single(&t[e], "empty", NULL, NKEYS, &empty_one[e])) {
			printf("maps: BENCH FAILURE on %s: %s\n", target_name[e], t[e].why);
			failed = 1;
			continue;
		}
		have[e] = 1;
		for (m = 0; m < 4; m++) {
			if (fill(&t[e], maps[m])) {
				printf("maps: BENCH FAILURE on %s: %s\n", target_name[e], t[e].why);
				failed = 1;
				continue;
			}
			for (o = 0; o < 3; o++) {
				double ns = 0, base = o == 2 ? empty_one[e] : empty_rep[e];
				int err;

				if (!strcmp(maps[m], "array") && o == 2)
					continue; /* arrays have no delete (-EINVAL) */
				snprintf(name, sizeof(name), "%s_%s", maps[m], ops[o]);
				err = o == 2 ? time_single(&t[e], name, maps[m], NKEYS, &ns) :
					       time_repeat(&t[e], name, NKEYS, &ns);
				if (err) {
					printf("maps: BENCH FAILURE on %s: %s\n", target_name[e],
					       t[e].why);
					failed = 1;
					continue;
				}
				fig[m][o][e] = (ns - base) / NKEYS;
				ok[m][o][e] = 1;
			}
		}
		if (time_repeat(&t[e], "chain_head", TAIL_CALLS, &chain_ns[e]) ||
		    time_repeat(&t[e], "chain_flat", TAIL_CALLS, &flat_ns[e])) {
			printf("maps: BENCH FAILURE on %s: %s\n", target_name[e], t[e].why);
			failed = 1;
			continue;
		}
		chain_ok[e] = 1;
	}

	printf("map operations (%d keys per run; ns per operation, net of the empty loop", NKEYS);
	for (e = 0; e < T__COUNT; e++)
		if (have[e])
			printf("%s %s %.2f ns per iteration", e ? "," : ":", target_name[e],
			       empty_rep[e] / NKEYS);
	printf(")\n");
	for (e = T_JIT; e < T__COUNT; e++)
		if (!have[e])
			printf("  %s: skipped (%s)\n", target_name[e], t[e].why);
	printf("  %-10s %-7s %10s %10s %10s %14s %11s\n", "map", "op", "interp", "jit", "kernel",
	       "interp/kernel", "jit/kernel");
	for (m = 0; m < 4; m++) {
		for (o = 0; o < 3; o++) {
			if (!ok[m][o][T_INTERP] && !ok[m][o][T_JIT] && !ok[m][o][T_KERNEL])
				continue;
			printf("  %-10s %-7s", type_name[m], ops[o]);
			for (e = 0; e < T__COUNT; e++) {
				if (ok[m][o][e])
					printf(" %10.1f", fig[m][o][e]);
				else
					printf(" %10s", "-");
			}
			if (ok[m][o][T_INTERP] && ok[m][o][T_KERNEL] && fig[m][o][T_KERNEL] > 0)
				printf(" %13.2fx", fig[m][o][T_INTERP] / fig[m][o][T_KERNEL]);
			else
				printf(" %14s", "-");
			if (ok[m][o][T_JIT] && ok[m][o][T_KERNEL] && fig[m][o][T_KERNEL] > 0)
				printf(" %10.2fx", fig[m][o][T_JIT] / fig[m][o][T_KERNEL]);
			printf("\n");
			for (e = 0; e < T__COUNT; e++) {
				if (!ok[m][o][e])
					continue;
				snprintf(name, sizeof(name), "map-%s-%s", maps[m], ops[o]);
				bench_record(name, target_name[e], fig[m][o][e], 0);
			}
		}
	}
	for (e = 0; e < T__COUNT; e++)
		if (have[e])
			bench_record("map-loop", target_name[e], empty_rep[e] / NKEYS, 0);
	printf("\ntail-call chain (%d tail calls of a program into itself per run; ns per run, and "
	       "per tail call net of a run of the same program without them: flat)\n", TAIL_CALLS);
	for (e = 0; e < T__COUNT; e++) {
		double kernel_net = chain_ok[T_KERNEL] ? chain_ns[T_KERNEL] - flat_ns[T_KERNEL] : 0;

		if (!chain_ok[e])
			continue;
		printf("  %-8s %10.1f ns/run (flat %5.1f) %8.2f ns per tail call", target_name[e],
		       chain_ns[e], flat_ns[e], (chain_ns[e] - flat_ns[e]) / TAIL_CALLS);
		if (e != T_KERNEL && kernel_net > 0)
			printf("   %s/kernel %.2fx per tail call", target_name[e],
			       (chain_ns[e] - flat_ns[e]) / kernel_net);
		printf("\n");
		bench_record("tail-chain", target_name[e], chain_ns[e], 0);
		bench_record("tail-call", target_name[e], (chain_ns[e] - flat_ns[e]) / TAIL_CALLS,
			     0);
	}
	printf("\n");
	for (e = 0; e < T__COUNT; e++)
		close_target(&t[e]);
	return failed ? -1 : 0;
}
