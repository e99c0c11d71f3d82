// SPDX-License-Identifier: MIT
/*
 * The JIT's inline bpf_map_lookup_elem on arrays (bpfh_exec_opts.array_layout): the same r0 as
 * the interpreter for keys inside and outside the array (0, the last index, max_entries, the
 * top bit set, UINT32_MAX), for power-of-two and other value strides; the helper is still
 * called (counted by a wrapper around bpfhost's) where r1 is not provably one map: chosen
 * through a branch, kept from an earlier call, or a map that is not an ARRAY (a hash map);
 * registers the program reads after the call (r1, r2) keep their values; and without the
 * option nothing is inlined. Also bpfh_map_array_layout on other map types.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/engine.h"
#include "bpfhost/helpers.h"
#include "bpfhost/map.h"
#include "bpfhost/obj.h"
#include "../check.h"

#define NMAPS 4
#define TABLE_MAX 512
static struct bpfh_map *maps[NMAPS]; /* array stride 24, array stride 8, hash, per-CPU array */
static const bpfh_helper_fn *real;
static bpfh_helper_fn table[TABLE_MAX];
static size_t ntable;
static unsigned lookups;

static uint64_t counting_lookup(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
				struct bpfh_run *run)
{
	lookups++;
	return real[1](r1, r2, r3, r4, r5, run);
}

static int resolve(void *ctx, unsigned src, int32_t imm, int32_t imm2, uint64_t *value)
{
	(void)ctx;
	(void)imm2;
	if (src != BPFH_PSEUDO_MAP_IDX || imm < 0 || imm >= NMAPS)
		return -EINVAL;
	*value = (uint64_t)(uintptr_t)maps[imm];
	return 0;
}

static int layout(void *ctx, uint64_t value, void **base, uint32_t *stride, uint32_t *max)
{
	(void)ctx;
	return bpfh_map_array_layout((const struct bpfh_map *)(uintptr_t)value, base, stride,
				     max);
}

#define I(c, d, s, o, i) { (c), (d), (s), (o), (i) }
#define KEY_ON_STACK                                                                       \
	I(0xbf, 6, 1, 0, 0),   /* r6 = r1 (the key) */                                      \
	I(0x63, 10, 6, -4, 0), /* *(u32 *)(r10 - 4) = r6 */                                 \
	I(0xbf, 2, 10, 0, 0),  /* r2 = r10 */                                               \
	I(0x07, 2, 0, 0, -4)   /* r2 += -4 */
#define LD_MAP(r, idx) I(0x18, r, BPFH_PSEUDO_MAP_IDX, 0, idx), I(0, 0, 0, 0, 0)

/* r0 = lookup(map m, key) */
#define PROG_DIRECT(m) { KEY_ON_STACK, LD_MAP(1, m), I(0x85, 0, 0, 0, 1), I(0x95, 0, 0, 0, 0) }
static const struct bpfh_insn direct[NMAPS][8] = {
	PROG_DIRECT(0), PROG_DIRECT(1), PROG_DIRECT(2), PROG_DIRECT(3),
};

/* r0 = lookup(key > 100 ? map 1 : map 0, key): r1 at the call is not one constant. */
static const struct bpfh_insn branch[] = {
	KEY_ON_STACK,
	I(0x25, 6, 0, 3, 100), /* if r6 > 100 goto 8 */
	LD_MAP(1, 0),
	I(0x05, 0, 0, 2, 0),   /* goto 10 */
	LD_MAP(1, 1),
	I(0x85, 0, 0, 0, 1),
	I(0x95, 0, 0, 0, 0),
};

/* p = lookup(map 0, key) (inlined); r3 = *(u32 *)r2; r0 = lookup(r1, r2) (r1 kept, the
 * helper) + p + r3. */
static const struct bpfh_insn kept[] = {
	KEY_ON_STACK,
	LD_MAP(1, 0),
	I(0x85, 0, 0, 0, 1),
	I(0xbf, 7, 0, 0, 0),   /* r7 = r0 */
	I(0x61, 3, 2, 0, 0),   /* r3 = *(u32 *)(r2 + 0) */
	I(0x85, 0, 0, 0, 1),
	I(0x0f, 0, 7, 0, 0),   /* r0 += r7 */
	I(0x0f, 0, 3, 0, 0),   /* r0 += r3 */
	I(0x95, 0, 0, 0, 0),
};

static struct bpfh_exec *prepare(enum bpfh_engine engine, const struct bpfh_insn *insns,
				 size_t count, int inline_opt)
{
	struct bpfh_exec_opts o;
	struct bpfh_exec *exec = NULL;
	char logbuf[512];
	struct bpfh_log log;

	bpfh_log_init(&log, logbuf, sizeof(logbuf));
	memset(&o, 0, sizeof(o));
	o.sz = sizeof(o);
	o.resolve = resolve;
	o.array_layout = inline_opt ? layout : NULL;
	CHECKF(bpfh_exec_create(engine, insns, count, &o, &log, &exec) == 0, "%s", logbuf);
	return exec;
}

/* r0 of one run, and in *calls how many times the helper ran. */
static uint64_t run1(const struct bpfh_exec *exec, uint32_t key, unsigned *calls)
{
	struct bpfh_run run;
	uint64_t r0 = 0xdead;

	memset(&run, 0, sizeof(run));
	run.args[0] = key;
	run.helpers = table;
	run.nhelpers = ntable;
	lookups = 0;
	CHECK(bpfh_exec_run(exec, &run, &r0) == 0);
	*calls = lookups;
	return r0;
}

static uint64_t want_lookup(int m, uint32_t key)
{
	return (uint64_t)(uintptr_t)bpfh_map_lookup_ptr(maps[m], &key);
}

static const uint32_t keys[] = { 0, 1, 5, 9, 10, 11, 100, 101, 150, 199, 200, 201,
				 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff };
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static void test_programs(int inline_opt)
{
	struct bpfh_exec *in, *jit;
	unsigned ci, cj;
	size_t k;
	int m;

	for (m = 0; m < NMAPS; m++) {
		in = prepare(BPFH_ENGINE_INTERP, direct[m], 8, inline_opt);
		jit = prepare(BPFH_ENGINE_JIT, direct[m], 8, inline_opt);
		for (k = 0; in && jit && k < NKEYS; k++) {
			uint64_t a = run1(in, keys[k], &ci), b = run1(jit, keys[k], &cj);

			CHECKF(a == b && a == want_lookup(m, keys[k]), "map %d key %u", m,
			       keys[k]);
			CHECK(ci == 1);
			/* inlined exactly for the plain arrays, with the option */
			CHECKF(cj == (inline_opt && m < 2 ? 0u : 1u), "map %d: %u calls", m, cj);
		}
		bpfh_exec_destroy(in);
		bpfh_exec_destroy(jit);
	}

	in = prepare(BPFH_ENGINE_INTERP, branch, sizeof(branch) / sizeof(branch[0]), inline_opt);
	jit = prepare(BPFH_ENGINE_JIT, branch, sizeof(branch) / sizeof(branch[0]), inline_opt);
	for (k = 0; in && jit && k < NKEYS; k++) {
		uint64_t a = run1(in, keys[k], &ci), b = run1(jit, keys[k], &cj);

		CHECKF(a == b && a == want_lookup(keys[k] > 100, keys[k]), "key %u", keys[k]);
		CHECK(ci == 1 && cj == 1);
	}
	bpfh_exec_destroy(in);
	bpfh_exec_destroy(jit);

	in = prepare(BPFH_ENGINE_INTERP, kept, sizeof(kept) / sizeof(kept[0]), inline_opt);
	jit = prepare(BPFH_ENGINE_JIT, kept, sizeof(kept) / sizeof(kept[0]), inline_opt);
	for (k = 0; in && jit && k < NKEYS; k++) {
		uint64_t a = run1(in, keys[k], &ci), b = run1(jit, keys[k], &cj);

		CHECKF(a == b && a == 2 * want_lookup(0, keys[k]) + keys[k], "key %u", keys[k]);
		CHECK(ci == 2);
		CHECKF(cj == (inline_opt ? 1u : 2u), "%u calls", cj);
	}
	bpfh_exec_destroy(in);
	bpfh_exec_destroy(jit);
}

static void test_layout(void)
{
	void *base;
	uint32_t stride, max, zero = 0;

	CHECK(bpfh_map_array_layout(maps[0], &base, &stride, &max) == 0);
	CHECK(base == bpfh_map_lookup_ptr(maps[0], &zero) && stride == 24 && max == 10);
	CHECK(bpfh_map_array_layout(maps[1], &base, &stride, &max) == 0 && stride == 8 &&
	      max == 200);
	CHECK(bpfh_map_array_layout(maps[2], &base, &stride, &max) == -ENOTSUP);
	CHECK(bpfh_map_array_layout(maps[3], &base, &stride, &max) == -ENOTSUP);
	CHECK(bpfh_map_array_layout(NULL, &base, &stride, &max) == -ENOTSUP);
}

int main(void)
{
	static const struct bpfh_map_def defs[NMAPS] = {
		{ BPFH_MAP_TYPE_ARRAY, 4, 20, 10, 0, 0, "" },
		{ BPFH_MAP_TYPE_ARRAY, 4, 8, 200, 0, 0, "" },
		{ BPFH_MAP_TYPE_HASH, 4, 8, 16, 0, 0, "" },
		{ BPFH_MAP_TYPE_PERCPU_ARRAY, 4, 8, 4, 0, 0, "" },
	};
	uint64_t v;
	uint32_t key;
	int m;

	for (m = 0; m < NMAPS; m++)
		CHECK(bpfh_map_create(&defs[m], NULL, NULL, &maps[m]) == 0);
	for (key = 0; key < 5; key++) {
		v = key * 3;
		CHECK(bpfh_map_update(maps[2], &key, &v, BPFH_ANY) == 0);
	}
	real = bpfh_helper_table(&ntable);
	if (ntable > TABLE_MAX)
		ntable = TABLE_MAX;
	memcpy(table, real, ntable * sizeof(*table));
	table[1] = counting_lookup;

	test_layout();
	if (bpfh_engine_default() == BPFH_ENGINE_JIT) {
		test_programs(1);
		test_programs(0);
	} else {
		printf("# jit_inline: the JIT is not available on this host: layout only\n");
	}
	for (m = 0; m < NMAPS; m++)
		bpfh_map_put(maps[m]);
	return check_summary("engine-jit-inline");
}
