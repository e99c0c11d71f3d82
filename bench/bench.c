// SPDX-License-Identifier: MIT
/*
 * The benchmark runner (make bench). Each benchmark is a program in bench/progs/NAME.asm and
 * the same algorithm in native C (native.c), timed on:
 *   interp, interp-checked   bpfhost's interpreters (the checked one also counts the
 *                            instructions that one run executes);
 *   jit                      bpfhost's JIT, where the host has it (with its compile time per
 *                            100 instructions, recorded as bench "NAME-compile");
 *   native                   the C function, compiled with the build's flags (-O2);
 *   kernel                   Linux's JIT through BPF_PROG_TEST_RUN with repeat (root only; the
 *                            program wrapped as in tests/kernel/kbpf.h, which adds 6 executed
 *                            instructions), next to kernel-overhead: the same for `r0 = 0;
 *                            exit`, the cost of the test-run loop itself.
 * The benchmarks: arith, checksum, parse, sort, calls (a chain of three nested bpf-to-bpf calls
 * per round), helpers (a helper call per round: helper 5, r0 = r1, which the kernel lacks,
 * so that one has no kernel figure) and prandom (the same with bpf_get_prandom_u32, each
 * engine's own, the kernel's included). The JIT is given the helper table every run uses and
 * the helpers' prototypes, bpfh_exec_opts.helpers and helper_info, as the kernel's JIT knows
 * them, and calls the helper directly, keeping only what the program reads across it. After
 * them, the JIT's compile time on a program of 4001 instructions (record "compile-big"),
 * where its fixed cost no longer dominates.
 * Every engine must return the same r0, or the run fails loudly. Prints a table per benchmark
 * and writes the figures as a JSON list of records {"bench", "engine", "ns_per_run",
 * "insns_per_run"}. Then, when given their inputs, the map operation benchmarks (maps.c: ns
 * per lookup, update and delete of each map type, bpfhost's interpreter against the kernel)
 * and the pcap replay rate (replay.c: packets per second through an XDP port), which add their
 * records to the same list (insns_per_run 0: not counted).
 *
 *   bpfh-bench [-o FILE.json] [-t MS] [--maps MAPS.bpf.o] [--replay EXAMPLES-DIR]
 *              [--verify OBJECTS-DIR]... [--only-verify] [PROGS-DIR]
 *
 * --verify (verify.c): the time and peak memory to verify each program of each OBJECTS-DIR's
 * *.bpf.o; --only-verify skips everything else.
 *
 * Each figure is the best of BATCHES rounds that time every engine of the benchmark in turn, a
 * batch of about -t MS (default 30) each.
 */
#if defined(__linux__)
#define _GNU_SOURCE
#define BENCH_KERNEL 1
#else
#define BENCH_KERNEL 0
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/engine.h"
#include "bpfhost/helpers.h"
#include "bench.h"
#include "native.h"
#include "../src/platform/platform.h"

#if BENCH_KERNEL
#include <linux/bpf.h>
#include <unistd.h>

#include "../tests/kernel/kbpf.h"
#endif

#define BATCHES 7
#define MAX_RECORDS 256
#define KERNEL_WRAP_INSNS 6 /* 2 in the prologue, 4 in the epilogue (exit becomes a jump) */

struct bench {
	const char *name;
	uint64_t (*native)(const uint8_t *mem, size_t len);
	void (*fill)(uint8_t *mem, size_t len);
	size_t mem_len;
	int helpers; /* the helpers its runs give: none, or one of those below */
};

enum {
	HELPERS_TEST = 1,  /* helper 5 (r0 = r1) only: bpfhost's engines, not the kernel */
	HELPERS_LINUX = 2, /* bpfhost's table (bpfh_helper_table), Linux's ids */
};

struct record {
	char bench[64];
	char engine[32];
	double ns_per_run;
	uint64_t insns_per_run;
};

/* Arbitrary code, run knowingly unverified (see bpfh_exec_opts.verdict). */
static const struct bpfh_exec_opts unverified = { .sz = sizeof(unverified),
						  .verdict = BPFH_EXEC_UNVERIFIED };

static struct record records[MAX_RECORDS];
static size_t nrecords;
static uint64_t batch_ns = 30 * 1000000ull;
static volatile uint64_t sink;

static void add_record(const char *bench, const char *engine, double ns, uint64_t insns)
{
	struct record *r;

	if (nrecords >= MAX_RECORDS)
		return;
	r = &records[nrecords++];
	snprintf(r->bench, sizeof(r->bench), "%s", bench);
	snprintf(r->engine, sizeof(r->engine), "%s", engine);
	r->ns_per_run = ns;
	r->insns_per_run = insns;
}

void bench_record(const char *bench, const char *engine, double ns, uint64_t insns)
{
	add_record(bench, engine, ns, insns);
}

uint64_t bench_batch_ns(void)
{
	return batch_ns;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void fill_random(uint8_t *mem, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		mem[i] = (uint8_t)(rng() >> 32);
}

/* An Ethernet + IPv4 + TCP frame (SYN from 10.0.0.1:40000 to 10.0.0.2:443), zero padded. */
static void fill_frame(uint8_t *mem, size_t len)
{
	static const uint8_t hdr[] = {
		/* Ethernet: dst, src, type IPv4 */
		0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00,
		/* IPv4: v4 IHL 5, len 40, DF, TTL 64, TCP, checksum, 10.0.0.1 -> 10.0.0.2 */
		0x45, 0x00, 0x00, 0x28, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0x14, 0x9a,
		0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02,
		/* TCP: 40000 -> 443, seq, ack, offset 5, SYN, window, checksum, urgent */
		0x9c, 0x40, 0x01, 0xbb, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
		0x50, 0x02, 0xfa, 0xf0, 0x00, 0x00, 0x00, 0x00,
	};

	memset(mem, 0, len);
	memcpy(mem, hdr, sizeof(hdr) < len ? sizeof(hdr) : len);
}

static const struct bench benches[] = {
	{ "arith", bench_arith, fill_random, 8, 0 },
	{ "checksum", bench_checksum, fill_random, 1500, 0 },
	{ "parse", bench_parse, fill_frame, 128, 0 },
	{ "sort", bench_sort, fill_random, 32 * 4, 0 },
	{ "calls", bench_calls, fill_random, 8, 0 },
	{ "helpers", bench_helpers, fill_random, 8, HELPERS_TEST },
	{ "prandom", bench_prandom, fill_random, 8, HELPERS_LINUX },
};

/* Helper 5 of the helpers benchmark, as the conformance plugin's: r0 = r1. */
static uint64_t helper_identity(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
				struct bpfh_run *run)
{
	(void)r2, (void)r3, (void)r4, (void)r5, (void)run;
	return r1;
}

static const bpfh_helper_fn bench_helpers_table[6] = { [5] = helper_identity };

/* Its prototype, for the JIT (bpfh_exec_opts.helper_info): one argument, no tail call, no
 * callback. */
static int bench_helper_info(void *ctx, uint32_t id, unsigned *nargs, unsigned *flags)
{
	(void)ctx;
	if (id != 5)
		return -ENOENT;
	*nargs = 1;
	*flags = 0;
	return 0;
}

/* ---- timing ---- */

/* Runs what is measured iters times, leaving the last r0; returns the time taken in ns. */
typedef uint64_t (*runner_fn)(void *arg, uint64_t iters, uint64_t *r0);

/* One engine under measurement: its batch size, and its best ns per run so far. */
struct timer {
	runner_fn fn;
	void *arg;
	uint64_t iters;
	double best;
	uint64_t r0;
};

/* Find the number of runs that takes about batch_ns. */
static void calibrate(struct timer *t)
{
	uint64_t iters = 1, ns;

	for (;;) {
		ns = t->fn(t->arg, iters, &t->r0);
		if (ns >= batch_ns / 10 || iters >= (1ull << 40))
			break;
		iters *= ns < batch_ns / 1000 ? 16 : 2;
	}
	iters = (uint64_t)((double)iters * (double)batch_ns / (double)(ns ? ns : 1));
	t->iters = iters ? iters : 1;
	t->best = 0;
}

/* BATCHES rounds, each timing every engine once in turn (so that a disturbance from the rest of
 * the machine touches all of them alike); each keeps its best ns per run. */
static void measure(struct timer *t, size_t n)
{
	size_t i;
	int b;

	for (i = 0; i < n; i++)
		if (t[i].fn)
			calibrate(&t[i]);
	for (b = 0; b < BATCHES; b++) {
		for (i = 0; i < n; i++) {
			double ns;

			if (!t[i].fn) /* an engine this host lacks */
				continue;
			ns = (double)t[i].fn(t[i].arg, t[i].iters, &t[i].r0) /
				    (double)t[i].iters;

			if (b == 0 || ns < t[i].best)
				t[i].best = ns;
		}
	}
}

struct interp_arg {
	const struct bpfh_exec *exec;
	struct bpfh_run run;
	int err;
};

static uint64_t run_interp(void *varg, uint64_t iters, uint64_t *r0)
{
	struct interp_arg *a = varg;
	uint64_t i, t0 = bpfh_time_ns(), acc = 0;
	int err = 0; /* a local: a->err, which the run could reach, would be a load and a
		      * store every round, a chain through memory from round to round */

	for (i = 0; i < iters; i++) {
		err |= bpfh_exec_run(a->exec, &a->run, r0);
		acc += *r0;
	}
	a->err |= err;
	sink = acc;
	return bpfh_time_ns() - t0;
}

struct native_arg {
	uint64_t (*fn)(const uint8_t *mem, size_t len);
	const uint8_t *mem;
	size_t len;
};

static uint64_t run_native(void *varg, uint64_t iters, uint64_t *r0)
{
	struct native_arg *a = varg;
	uint64_t (*volatile fn)(const uint8_t *, size_t) = a->fn;
	uint64_t i, t0 = bpfh_time_ns(), acc = 0;

	for (i = 0; i < iters; i++) {
		*r0 = fn(a->mem, a->len);
		acc += *r0;
	}
	sink = acc;
	return bpfh_time_ns() - t0;
}

#if BENCH_KERNEL
struct kernel_arg {
	int prog_fd;
	int err;
	uint32_t retval;
};

static uint64_t run_kernel(void *varg, uint64_t iters, uint64_t *r0)
{
	static const uint8_t pkt[64];
	struct kernel_arg *a = varg;
	struct kbpf_test_run t;
	uint64_t t0, total = 0;

	memset(&t, 0, sizeof(t));
	/* repeat is 32 bits: split larger batches. */
	while (iters) {
		uint32_t n = iters > 0x40000000 ? 0x40000000 : (uint32_t)iters;

		memset(&t, 0, sizeof(t));
		t.data_in = pkt;
		t.data_size_in = sizeof(pkt);
		t.repeat = n;
		t0 = bpfh_time_ns();
		if (!a->err)
			a->err = kbpf_test_run(a->prog_fd, &t);
		total += bpfh_time_ns() - t0;
		iters -= n;
	}
	a->retval = t.retval;
	*r0 = t.retval;
	return total;
}

static int kernel_ok;
static char kernel_why[256];
static int trivial_fd = -1;

/* Can this process use BPF_PROG_TEST_RUN? Loads the overhead program `r0 = 0; exit`. */
static void kernel_setup(void)
{
	static const struct bpfh_insn trivial[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst = 0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	char buf[64] = "";
	FILE *f;

	if (kbpf_probe(BPF_PROG_TYPE_SOCKET_FILTER, kernel_why, sizeof(kernel_why)))
		return;
	trivial_fd = kbpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, 0, trivial, 2, NULL, 0);
	if (trivial_fd < 0) {
		snprintf(kernel_why, sizeof(kernel_why), "loading r0 = 0; exit: %s",
			 strerror(-trivial_fd));
		return;
	}
	kernel_ok = 1;
	f = fopen("/proc/sys/net/core/bpf_jit_enable", "r");
	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
	}
	printf("kernel: BPF_PROG_TEST_RUN with repeat on socket-filter programs, JIT %s; "
	       "kernel-overhead is `r0 = 0; exit`\n\n",
	       buf[0] == '0' ? "off (the kernel's interpreter)" : "on");
}

/* A benchmark program loaded into the kernel, and its maps. */
struct kernel_prog {
	struct kernel_arg arg;
	int mem_fd, res_fd;
};

/* Load the wrapped program; 0, or -1 when the kernel cannot run it (says why). */
static int kernel_prepare(const struct bench *b, const struct bpfh_insn *insns, size_t count,
			  const uint8_t *mem, struct kernel_prog *kp)
{
	static char vlog[1 << 20];
	struct kbpf_result res = { 0, 0 };
	struct bpfh_insn *w = NULL;
	char why[512];
	size_t nw;
	int err;

	memset(kp, 0, sizeof(*kp));
	kp->arg.prog_fd = -1;
	kp->mem_fd = kbpf_array_create((uint32_t)b->mem_len, 1);
	kp->res_fd = kbpf_array_create(sizeof(res), 1);
	err = kp->mem_fd < 0 ? kp->mem_fd : kp->res_fd < 0 ? kp->res_fd :
	      kbpf_map_update(kp->mem_fd, 0, mem);
	if (!err)
		err = kbpf_map_update(kp->res_fd, 0, &res);
	if (err) {
		printf("  kernel: maps: %s\n", strerror(-err));
		return -1;
	}
	err = kbpf_wrap(insns, count, kp->mem_fd, (uint32_t)b->mem_len, kp->res_fd,
			b->helpers == HELPERS_LINUX ? KBPF_WRAP_LINUX_HELPERS : 0, &w, &nw,
			NULL, why, sizeof(why));
	if (err) {
		printf("  kernel: cannot wrap the program: %s\n", why);
		return -1;
	}
	kp->arg.prog_fd = kbpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, 0, w, nw, vlog,
					 sizeof(vlog));
	free(w);
	if (kp->arg.prog_fd < 0) {
		kbpf_log_reason(vlog, why, sizeof(why));
		printf("  kernel: the verifier refuses it (%s): %s\n",
		       strerror(-kp->arg.prog_fd), why);
		return -1;
	}
	return 0;
}

/* After the runs: the full r0 from the result map; 0, or -1 (says why). */
static int kernel_result(struct kernel_prog *kp, uint64_t *r0)
{
	struct kbpf_result res = { 0, 0 };
	int err = kp->arg.err;

	if (!err)
		err = kbpf_map_lookup(kp->res_fd, 0, &res);
	if (err) {
		printf("  kernel: BPF_PROG_TEST_RUN: %s\n", strerror(-err));
		return -1;
	}
	if (res.ran != KBPF_RAN || (uint32_t)res.r0 != kp->arg.retval) {
		printf("  kernel: BENCH FAILURE: the result map %s (r0 0x%llx, retval 0x%x)\n",
		       res.ran != KBPF_RAN ? "was not written" : "disagrees with retval",
		       (unsigned long long)res.r0, kp->arg.retval);
		return -1;
	}
	*r0 = res.r0;
	return 0;
}

static void kernel_release(struct kernel_prog *kp)
{
	if (kp->arg.prog_fd >= 0)
		close(kp->arg.prog_fd);
	if (kp->mem_fd >= 0)
		close(kp->mem_fd);
	if (kp->res_fd >= 0)
		close(kp->res_fd);
}
#endif

enum { E_INTERP, E_CHECKED, E_JIT, E_NATIVE, E_KERNEL, E_OVERHEAD, E__COUNT };

static const char *const engine_label[E__COUNT] = { "interp", "interp-checked", "jit", "native",
						    "kernel", "kernel-overhead" };
static const enum bpfh_engine bpfh_engines[E_JIT + 1] = { BPFH_ENGINE_INTERP,
							  BPFH_ENGINE_INTERP_CHECKED,
							  BPFH_ENGINE_JIT };

/* The JIT's compile time for insns[count]: the best of a few rounds of several compiles, in
 * ns per compile; 0 when it cannot compile here. */
static double jit_compile_ns(const struct bpfh_insn *insns, size_t count)
{
	double best = 0;
	int round, k;

	for (round = 0; round < BATCHES; round++) {
		uint64_t t0 = bpfh_time_ns(), ns;

		for (k = 0; k < 50; k++) {
			struct bpfh_exec *exec;

			if (bpfh_exec_create(BPFH_ENGINE_JIT, insns, count, &unverified, NULL, &exec))
				return 0;
			bpfh_exec_destroy(exec);
		}
		ns = bpfh_time_ns() - t0;
		if (round == 0 || (double)ns / 50 < best)
			best = (double)ns / 50;
	}
	return best;
}

/* The JIT's time for `r0 = 0; exit` through bpfh_exec_run (interp_overhead): what its ns per
 * run include beyond the program's own work, as kernel-overhead is for the kernel. */
static double jit_fixed_ns;

/* Run one benchmark; 0, or -1 when an engine fails or the engines disagree. */
static int run_bench(const struct bench *b, const char *dir)
{
	char path[1024], logbuf[4096];
	struct bpfh_log log;
	struct bpfh_insn *insns = NULL;
	struct bpfh_exec *exec[E_JIT + 1] = { NULL, NULL, NULL };
	struct bpfh_region region;
	struct interp_arg ia[E_JIT + 1];
	struct bpfh_exec_opts jit_opts;
	struct native_arg na;
	struct timer t[E__COUNT];
	const bpfh_helper_fn *table = NULL;
	uint8_t *mem;
	char *text = NULL;
	size_t size, count, ntimers = E_NATIVE + 1, ntable = 0;
	uint64_t insns_per_run = 0, n, r0_checked;
	double ns_interp, ns_kernel_net = 0, ns_compile = 0;
	int have_kernel = 0, have_jit = 0, ret = -1, e;
#if BENCH_KERNEL
	struct kernel_prog kp;
	struct kernel_arg overhead = { trivial_fd, 0, 0 };

	kp.arg.prog_fd = kp.mem_fd = kp.res_fd = -1;
#endif

	bpfh_log_init(&log, logbuf, sizeof(logbuf));
	mem = malloc(b->mem_len);
	if (!mem)
		return -1;
	b->fill(mem, b->mem_len);
	snprintf(path, sizeof(path), "%s/%s.asm", dir, b->name);
	if (bpfh_file_read(path, &text, &size)) {
		fprintf(stderr, "bench: cannot read %s\n", path);
		goto out;
	}
	if (bpfh_asm(text, path, 1, &insns, &count, &log)) {
		fprintf(stderr, "bench: %s", logbuf);
		goto out;
	}
	memset(t, 0, sizeof(t));
	memset(&jit_opts, 0, sizeof(jit_opts));
	jit_opts.sz = sizeof(jit_opts);
	jit_opts.verdict = BPFH_EXEC_UNVERIFIED;
	if (b->helpers == HELPERS_TEST) { /* every run gives this table: direct calls */
		table = bench_helpers_table;
		ntable = 6;
		jit_opts.helper_info = bench_helper_info;
	} else if (b->helpers == HELPERS_LINUX) {
		table = bpfh_helper_table(&ntable);
		jit_opts.helper_info = bpfh_helper_table_info;
	}
	jit_opts.helpers = table;
	jit_opts.nhelpers = ntable;
	for (e = 0; e <= E_JIT; e++) {
		if (bpfh_exec_create(bpfh_engines[e], insns, count, e == E_JIT ? &jit_opts : &unverified,
				     &log, &exec[e])) {
			if (e == E_JIT && bpfh_engine_default() != BPFH_ENGINE_JIT) {
				bpfh_log_init(&log, logbuf, sizeof(logbuf));
				continue; /* no JIT on this host */
			}
			fprintf(stderr, "bench: %s: %s", b->name, logbuf);
			goto out;
		}
		if (e == E_JIT)
			have_jit = 1;
		memset(&ia[e], 0, sizeof(ia[e]));
		ia[e].exec = exec[e];
		ia[e].run.args[0] = (uint64_t)(uintptr_t)mem;
		ia[e].run.args[1] = b->mem_len;
		ia[e].run.helpers = table;
		ia[e].run.nhelpers = ntable;
		ia[e].run.log = &log;
		t[e].fn = run_interp;
		t[e].arg = &ia[e];
	}
	region.base = (uintptr_t)mem;
	region.size = b->mem_len;
	region.writable = 0;
	ia[1].run.regions = &region;
	ia[1].run.nregions = 1;
	na.fn = b->native;
	na.mem = mem;
	na.len = b->mem_len;
	t[E_NATIVE].fn = run_native;
	t[E_NATIVE].arg = &na;

	/* One checked run first: it counts the instructions and catches a faulty program. */
	if (bpfh_exec_run(exec[1], &ia[1].run, &r0_checked)) {
		fprintf(stderr, "bench: BENCH FAILURE: %s: %s", b->name, logbuf);
		goto out;
	}
	insns_per_run = ia[1].run.insns_executed;
	if (have_jit)
		ns_compile = jit_compile_ns(insns, count);

#if BENCH_KERNEL
	if (kernel_ok && b->helpers != HELPERS_TEST &&
	    kernel_prepare(b, insns, count, mem, &kp) == 0) {
		have_kernel = 1;
		t[E_KERNEL].fn = run_kernel;
		t[E_KERNEL].arg = &kp.arg;
		t[E_OVERHEAD].fn = run_kernel;
		t[E_OVERHEAD].arg = &overhead;
		ntimers = E__COUNT;
	}
#endif
	measure(t, ntimers);

	for (e = 0; e <= E_JIT; e++) {
		if (exec[e] && ia[e].err) {
			fprintf(stderr, "bench: BENCH FAILURE: %s on %s: %s", b->name,
				engine_label[e], logbuf);
			goto out;
		}
	}
#if BENCH_KERNEL
	if (have_kernel && (overhead.err || kernel_result(&kp, &t[E_KERNEL].r0))) {
		fprintf(stderr, "bench: BENCH FAILURE: %s on the kernel\n", b->name);
		goto out;
	}
#endif
	for (e = E_INTERP; e <= E_KERNEL; e++) {
		uint64_t want = t[E_INTERP].r0;

		if (e == E_KERNEL && !have_kernel)
			break;
		if (e == E_JIT && !have_jit)
			continue;
		if (t[e].r0 != want || r0_checked != want) {
			fprintf(stderr, "bench: BENCH FAILURE: %s: %s returned 0x%llx, interp 0x%llx "
				"(checked interp's first run 0x%llx)\n", b->name, engine_label[e],
				(unsigned long long)t[e].r0, (unsigned long long)want,
				(unsigned long long)r0_checked);
			goto out;
		}
	}

	printf("%s (%zu-byte input, r0 = 0x%llx on every engine, %llu instructions per run",
	       b->name, b->mem_len, (unsigned long long)t[E_INTERP].r0,
	       (unsigned long long)insns_per_run);
#if BENCH_KERNEL
	if (have_kernel)
		printf("; kernel JIT: %d bytes", kbpf_prog_jited_len(kp.arg.prog_fd));
#endif
	printf(")\n");
	if (b->helpers == HELPERS_TEST)
		printf("  kernel: skipped (helper 5 is bpfhost's test helper)\n");
	printf("  %-15s %12s %12s %14s\n", "engine", "ns/run", "ns/insn", "insns/s");
	for (e = 0; e < (int)ntimers; e++) {
		if (!t[e].fn)
			continue;
		n = e <= E_JIT ? insns_per_run : e == E_KERNEL ? insns_per_run + KERNEL_WRAP_INSNS
				   : e == E_OVERHEAD ? 2 : 0;
		if (e <= E_JIT || e == E_KERNEL)
			printf("  %-15s %12.1f %12.3f %14.3g\n", engine_label[e], t[e].best,
			       t[e].best / (double)n, (double)n * 1e9 / t[e].best);
		else
			printf("  %-15s %12.1f %12s %14s\n", engine_label[e], t[e].best, "-", "-");
		add_record(b->name, engine_label[e], t[e].best, n ? n : insns_per_run);
	}
	ns_interp = t[E_INTERP].best;
	printf("  interp/native %.1fx, interp-checked/interp %.2fx", ns_interp / t[E_NATIVE].best,
	       t[E_CHECKED].best / ns_interp);
	if (have_kernel) {
		ns_kernel_net = t[E_KERNEL].best - t[E_OVERHEAD].best;
		printf(", interp/kernel %.1fx", ns_interp / t[E_KERNEL].best);
		if (ns_kernel_net > 0.05 * t[E_KERNEL].best)
			printf(" (%.1fx net of the test-run overhead; kernel net/native %.1fx)",
			       ns_interp / ns_kernel_net, ns_kernel_net / t[E_NATIVE].best);
		else
			printf(" (the kernel's time is mostly its test-run overhead)");
	}
	printf("\n");
	if (have_jit) {
		double ns_jit = t[E_JIT].best;
		char cname[64];

		printf("  jit/native %.2fx, interp/jit %.1fx", ns_jit / t[E_NATIVE].best,
		       ns_interp / ns_jit);
		if (have_kernel) {
			printf(", jit/kernel %.2fx", ns_jit / t[E_KERNEL].best);
			if (ns_kernel_net > 0.05 * t[E_KERNEL].best) {
				printf(" (%.2fx net of the kernel's test-run overhead",
				       ns_jit / ns_kernel_net);
				if (jit_fixed_ns > 0 && ns_jit > jit_fixed_ns)
					printf("; %.2fx with both net of their `r0 = 0; exit` run",
					       (ns_jit - jit_fixed_ns) / ns_kernel_net);
				printf(")");
			}
		}
		printf("\n  jit compile: %.1f us for %zu instructions, %.1f us per 100 "
		       "instructions\n", ns_compile / 1000, count,
		       ns_compile / 1000 * 100 / (double)(count ? count : 1));
		snprintf(cname, sizeof(cname), "%s-compile", b->name);
		add_record(cname, "jit", ns_compile, count);
	}
	printf("\n");
	ret = 0;
out:
#if BENCH_KERNEL
	kernel_release(&kp);
#endif
	for (e = 0; e <= E_JIT; e++)
		bpfh_exec_destroy(exec[e]);
	free(insns);
	free(text);
	free(mem);
	return ret;
}

/* The interpreters' fixed cost per run, with `r0 = 0; exit` (printed, not a benchmark). */
static void interp_overhead(void)
{
	static const struct bpfh_insn trivial[] = {
		{ .code = 0xb7, .dst = 0, .imm = 0 }, /* mov r0, 0 */
		{ .code = 0x95 },                     /* exit */
	};
	struct bpfh_exec *exec[E_JIT + 1] = { NULL, NULL, NULL };
	struct interp_arg ia[E_JIT + 1];
	struct timer t[E_JIT + 1];
	int e;

	memset(t, 0, sizeof(t));
	for (e = 0; e <= E_JIT; e++) {
		if (bpfh_exec_create(bpfh_engines[e], trivial, 2, &unverified, NULL, &exec[e])) {
			if (e == E_JIT)
				continue; /* no JIT here */
			goto out;
		}
		memset(&ia[e], 0, sizeof(ia[e]));
		ia[e].exec = exec[e];
		t[e].fn = run_interp;
		t[e].arg = &ia[e];
	}
	measure(t, E_JIT + 1);
	printf("fixed cost per run (r0 = 0; exit): interp %.1f ns, interp-checked %.1f ns",
	       t[0].best, t[1].best);
	if (exec[E_JIT]) {
		printf(", jit %.1f ns", t[E_JIT].best);
		jit_fixed_ns = t[E_JIT].best;
	}
	printf("\n\n");
out:
	for (e = 0; e <= E_JIT; e++)
		bpfh_exec_destroy(exec[e]);
}

/* The JIT's compile time on a larger program: BIG_BLOCKS blocks of arithmetic and a forward
 * jump (4 instructions each), so that the fixed cost (pages, mprotect) does not dominate. */
#define BIG_BLOCKS 1000

static void jit_compile_big(void)
{
	static const char block[] = "add %r0, %r1\nmul %r0, 3\njgt %r0, 1000, +1\nxor %r0, 5\n";
	size_t len = sizeof(block) - 1, count, i;
	char *text = malloc(BIG_BLOCKS * len + 32), logbuf[256];
	struct bpfh_insn *insns = NULL;
	struct bpfh_exec *probe;
	struct bpfh_log log;
	double ns;

	if (!text)
		return;
	for (i = 0; i < BIG_BLOCKS; i++)
		memcpy(text + i * len, block, len);
	strcpy(text + BIG_BLOCKS * len, "exit\n");
	bpfh_log_init(&log, logbuf, sizeof(logbuf));
	if (bpfh_asm(text, "big", 1, &insns, &count, &log) ||
	    bpfh_exec_create(BPFH_ENGINE_JIT, insns, count, &unverified, NULL, &probe)) {
		free(insns);
		free(text);
		return; /* no JIT here */
	}
	bpfh_exec_destroy(probe);
	ns = jit_compile_ns(insns, count);
	printf("jit compile of a %zu-instruction program (arithmetic and jumps): %.1f us, %.1f us "
	       "per 100 instructions\n\n", count, ns / 1000, ns / 1000 * 100 / (double)count);
	add_record("compile-big", "jit", ns, count);
	free(insns);
	free(text);
}

static int write_json(const char *path)
{
	FILE *f = fopen(path, "w");
	size_t i;

	if (!f)
		return -1;
	fprintf(f, "[\n");
	for (i = 0; i < nrecords; i++)
		fprintf(f, "  {\"bench\": \"%s\", \"engine\": \"%s\", \"ns_per_run\": %.3f, "
			"\"insns_per_run\": %llu}%s\n", records[i].bench, records[i].engine,
			records[i].ns_per_run, (unsigned long long)records[i].insns_per_run,
			i + 1 < nrecords ? "," : "");
	fprintf(f, "]\n");
	return fclose(f) ? -1 : 0;
}

int main(int argc, char **argv)
{
	const char *dir = "bench/progs", *json = NULL, *maps = NULL, *replay = NULL;
	const char *verify_dirs[8];
	size_t i, nverify = 0;
	int a, failed = 0, only_verify = 0;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "-o") && a + 1 < argc) {
			json = argv[++a];
		} else if (!strcmp(argv[a], "-t") && a + 1 < argc) {
			batch_ns = strtoull(argv[++a], NULL, 10) * 1000000ull;
			if (!batch_ns)
				batch_ns = 1000000;
		} else if (!strcmp(argv[a], "--maps") && a + 1 < argc) {
			maps = argv[++a];
		} else if (!strcmp(argv[a], "--replay") && a + 1 < argc) {
			replay = argv[++a];
		} else if (!strcmp(argv[a], "--verify") && a + 1 < argc && nverify < 8) {
			verify_dirs[nverify++] = argv[++a];
		} else if (!strcmp(argv[a], "--only-verify")) {
			only_verify = 1;
		} else if (argv[a][0] == '-') {
			fprintf(stderr, "usage: bpfh-bench [-o FILE.json] [-t MS] "
				"[--maps MAPS.bpf.o] [--replay EXAMPLES-DIR] [--verify OBJECTS-DIR]... "
				"[--only-verify] [PROGS-DIR]\n");
			return 2;
		} else {
			dir = argv[a];
		}
	}
	if (only_verify)
		goto verify;
#if BENCH_KERNEL
	kernel_setup();
	if (!kernel_ok)
		printf("kernel: skipped (%s)\n\n", kernel_why);
#else
	printf("kernel: skipped (not Linux)\n\n");
#endif
	interp_overhead();
	for (i = 0; i < sizeof(benches) / sizeof(benches[0]); i++)
		if (run_bench(&benches[i], dir))
			failed = 1;
	jit_compile_big();
#if BENCH_KERNEL
	if (maps && bench_maps(maps, kernel_ok))
		failed = 1;
#else
	if (maps && bench_maps(maps, 0))
		failed = 1;
#endif
	if (replay && bench_replay(replay))
		failed = 1;
verify:
	if (nverify && bench_verify(verify_dirs, nverify))
		failed = 1;
	if (json) {
		if (write_json(json)) {
			fprintf(stderr, "bench: cannot write %s\n", json);
			return 1;
		}
		printf("figures written to %s\n", json);
	}
#if BENCH_KERNEL
	if (trivial_fd >= 0)
		close(trivial_fd);
#endif
	if (failed)
		fprintf(stderr, "bench: FAILED (see above)\n");
	return failed;
}
