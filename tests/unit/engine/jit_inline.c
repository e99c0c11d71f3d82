// SPDX-License-Identifier: MIT
/*
 * The JIT's inline bpf_map_lookup_elem on arrays (bpfh_exec_opts.array_layout): the same r0 as
 * the interpreter for keys inside and outside the array (0, the last index, max_entries, the
 * top bit set, UINT32_MAX), for power-of-two and other value strides; the helper is still
 * called (counted by a wrapper around bpfhost's) where r1 is not provably one map: chosen
 * through a branch, kept from an earlier call, or a map that is not an ARRAY (a hash map);
 * registers the program reads after the call (r1, r2) keep their values; and without the
 * option nothing is inlined. Also bpfh_map_array_layout on other map types.
 *
 * And the inline bpf_tail_call (bpfh_exec_opts.prog_array_layout), on a PROG_ARRAY of the
 * test's own with a helper 12 that does what bpfhost's does on it: a program tail-calling
 * itself (the limit of 33: the 34th call fails with -ENOENT), into another program (which sees
 * the context in r1), into an empty slot, past max_entries, with index bits above 32, into a
 * program of another engine (the same run-time error), from inside a subprogram (the target's
 * exit returns to the caller), with the index a constant of the program (`r3 = imm`, 64 or 32
 * bits, which the JIT folds into the slot's address; and `r3 = imm; r3 += 1`, which it does
 * not), with r2 read after the call or on a branch between its lddw and the call (the JIT
 * leaves out setting r2 only where nothing but the inlined call reads it), and with r2 not a
 * constant (the helper then runs): r0, the
 * error, the context memory and run->tail_calls the same on the interpreter, on the JIT
 * through the helper and on the JIT inline, which calls the helper never where it inlines.
 *
 * And helper calls bound at compile time (bpfh_exec_opts.helpers, helper_info): the same
 * outcomes as the interpreter for a tail call through the helper, a helper whose callback
 * fails (the run stops with that error), a helper the table lacks (the run-time error, by
 * message), r1..r5 the program reads after a call kept while the helper scrambles the argument
 * registers; a run with another table than the bound one fails with -EINVAL.
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
	o.verdict = BPFH_EXEC_UNVERIFIED;
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

/* ---- tail calls ---- */

/* A PROG_ARRAY of the test's own: slots of struct tail_prog (the exec at a nonzero offset). */
#define TAIL_SLOTS 4
#define TAIL_MAP 9 /* the lddw map index that resolves to it */
struct tail_prog {
	uint64_t pad[3];
	const struct bpfh_exec *exec;
};
static struct tail_prog tail_progs[TAIL_SLOTS];
static void *tail_slots[TAIL_SLOTS];
static unsigned tail_helper_calls;

/* bpf_tail_call as bpfhost's (src/helpers/control.c) does it, on that array. */
static uint64_t tail_call(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
			  struct bpfh_run *run)
{
	uint32_t index = (uint32_t)r3;
	const struct tail_prog *tp;

	(void)r1, (void)r4, (void)r5;
	tail_helper_calls++;
	if (run->tail_calls >= BPFH_MAX_TAIL_CALLS || r2 != (uint64_t)(uintptr_t)tail_slots ||
	    index >= TAIL_SLOTS)
		return (uint64_t)-ENOENT;
	tp = tail_slots[index];
	if (!tp || !tp->exec)
		return (uint64_t)-ENOENT;
	run->tail_calls++;
	run->tail_next = tp->exec;
	return 0;
}

static bpfh_helper_fn tail_table[13] = { [12] = tail_call };

static int tail_resolve(void *ctx, unsigned src, int32_t imm, int32_t imm2, uint64_t *value)
{
	(void)ctx;
	(void)imm2;
	if (src != BPFH_PSEUDO_MAP_IDX || imm != TAIL_MAP)
		return -EINVAL;
	*value = (uint64_t)(uintptr_t)tail_slots;
	return 0;
}

static int tail_layout(void *ctx, uint64_t value, void *const **slots, uint32_t *max,
		       size_t *exec_off)
{
	(void)ctx;
	if (value != (uint64_t)(uintptr_t)tail_slots)
		return -ENOTSUP;
	*slots = tail_slots;
	*max = TAIL_SLOTS;
	*exec_off = offsetof(struct tail_prog, exec);
	return 0;
}

/* The context (r1): u64 words. */
enum { C_COUNT, C_INDEX, C_FAILED, C_ARRAY, C_OTHER, C_SUB, C_WORDS };

/* Counts its runs in ctx[C_COUNT], tail-calls ctx[C_INDEX]; after a failed call, its r0 goes
 * to ctx[C_FAILED] and r0 = the count. Slot 0 holds it: it calls itself. */
static const struct bpfh_insn tail_self[] = {
	I(0xbf, 6, 1, 0, 0),           /* r6 = r1 */
	I(0x79, 7, 6, 0, 0),           /* r7 = ctx[C_COUNT] */
	I(0x07, 7, 0, 0, 1),           /* r7 += 1 */
	I(0x7b, 6, 7, 0, 0),           /* ctx[C_COUNT] = r7 */
	I(0x79, 3, 6, 8 * C_INDEX, 0), /* r3 = ctx[C_INDEX] */
	LD_MAP(2, TAIL_MAP),
	I(0x85, 0, 0, 0, 12),          /* tail call (r1 is still the context) */
	I(0x7b, 6, 0, 8 * C_FAILED, 0),
	I(0xbf, 0, 7, 0, 0),           /* r0 = r7 */
	I(0x95, 0, 0, 0, 0),
};

/* Slot 1: ctx[C_OTHER] = r0 = ctx[C_COUNT] + 100 (through r1, the context). */
static const struct bpfh_insn tail_other[] = {
	I(0x79, 0, 1, 0, 0),
	I(0x07, 0, 0, 0, 100),
	I(0x7b, 1, 0, 8 * C_OTHER, 0),
	I(0x95, 0, 0, 0, 0),
};

/* The same call with r2 loaded from ctx[C_ARRAY]: not a constant, the helper runs. */
static const struct bpfh_insn tail_dyn[] = {
	I(0xbf, 6, 1, 0, 0),
	I(0x79, 7, 6, 0, 0),
	I(0x07, 7, 0, 0, 1),
	I(0x7b, 6, 7, 0, 0),
	I(0x79, 3, 6, 8 * C_INDEX, 0),
	I(0x79, 2, 6, 8 * C_ARRAY, 0),
	I(0x85, 0, 0, 0, 12),
	I(0x7b, 6, 0, 8 * C_FAILED, 0),
	I(0xbf, 0, 7, 0, 0),
	I(0x95, 0, 0, 0, 0),
};

/* The tail call from a subprogram: the target's exit returns into main, which adds 5 and
 * keeps r0 in ctx[C_SUB]. */
static const struct bpfh_insn tail_sub[] = {
	I(0xbf, 6, 1, 0, 0),
	I(0x79, 7, 6, 0, 0),
	I(0x07, 7, 0, 0, 1),
	I(0x7b, 6, 7, 0, 0),
	I(0x85, 0, 1, 0, 3),           /* call local +3 */
	I(0x07, 0, 0, 0, 5),
	I(0x7b, 6, 0, 8 * C_SUB, 0),
	I(0x95, 0, 0, 0, 0),
	I(0xbf, 1, 6, 0, 0),           /* the subprogram: r1 = r6 */
	I(0x79, 3, 6, 8 * C_INDEX, 0),
	LD_MAP(2, TAIL_MAP),
	I(0x85, 0, 0, 0, 12),
	I(0x7b, 6, 0, 8 * C_FAILED, 0),
	I(0xb7, 0, 0, 0, 99),
	I(0x95, 0, 0, 0, 0),
};

/* tail_self reading r2 (the array) after a failed call: the JIT must still set it. */
static const struct bpfh_insn tail_r2_after[] = {
	I(0xbf, 6, 1, 0, 0),
	I(0x79, 7, 6, 0, 0),
	I(0x07, 7, 0, 0, 1),
	I(0x7b, 6, 7, 0, 0),
	I(0xb7, 3, 0, 0, 0),           /* r3 = 0 (a known index) ... */
	I(0x79, 3, 6, 8 * C_INDEX, 0), /* ... then not */
	LD_MAP(2, TAIL_MAP),
	I(0x85, 0, 0, 0, 12),
	I(0x7b, 6, 2, 8 * C_FAILED, 0), /* ctx[C_FAILED] = r2 */
	I(0xbf, 0, 7, 0, 0),
	I(0x95, 0, 0, 0, 0),
};

/* The second run of a chain (count 2) branches away between the lddw of r2 and the call, to
 * code that stores r2: set though the call does not read it. */
static const struct bpfh_insn tail_r2_branch[] = {
	I(0xbf, 6, 1, 0, 0),
	I(0x79, 7, 6, 0, 0),
	I(0x07, 7, 0, 0, 1),
	I(0x7b, 6, 7, 0, 0),
	I(0x79, 3, 6, 8 * C_INDEX, 0),
	LD_MAP(2, TAIL_MAP),
	I(0x15, 7, 0, 4, 2),           /* if r7 == 2 goto +4 */
	I(0x85, 0, 0, 0, 12),
	I(0x7b, 6, 0, 8 * C_FAILED, 0),
	I(0xbf, 0, 7, 0, 0),
	I(0x95, 0, 0, 0, 0),
	I(0x7b, 6, 2, 8 * C_FAILED, 0), /* ctx[C_FAILED] = r2 */
	I(0xbf, 0, 7, 0, 0),
	I(0x95, 0, 0, 0, 0),
};

/* tail_self with the index a constant (the JIT then knows the slot): slot 4 becomes
 * `r3 = imm` (64 or 32 bits); tail_cadd computes it, `r3 = imm; r3 += 1`, which the JIT does
 * not take for a constant. Filled in per index by const_prog. */
static const struct bpfh_insn tail_cadd[] = {
	I(0xbf, 6, 1, 0, 0),
	I(0x79, 7, 6, 0, 0),
	I(0x07, 7, 0, 0, 1),
	I(0x7b, 6, 7, 0, 0),
	I(0xb7, 3, 0, 0, 0),           /* r3 = index - 1 */
	I(0x07, 3, 0, 0, 1),           /* r3 += 1 */
	LD_MAP(2, TAIL_MAP),
	I(0x85, 0, 0, 0, 12),
	I(0x7b, 6, 0, 8 * C_FAILED, 0),
	I(0xbf, 0, 7, 0, 0),
	I(0x95, 0, 0, 0, 0),
};

/* kind 0: tail_self with r3 = (s32)index, 64-bit mov; 1: 32-bit mov; 2: tail_cadd. */
static size_t const_prog(int kind, uint64_t index, struct bpfh_insn *out)
{
	size_t n = kind == 2 ? sizeof(tail_cadd) / sizeof(tail_cadd[0]) :
			       sizeof(tail_self) / sizeof(tail_self[0]);

	memcpy(out, kind == 2 ? tail_cadd : tail_self, n * sizeof(*out));
	out[4].code = kind == 1 ? 0xb4 : 0xb7;
	out[4].dst = 3;
	out[4].src = 0;
	out[4].off = 0;
	out[4].imm = (int32_t)(uint32_t)(kind == 2 ? index - 1 : index);
	return n;
}

struct tail_outcome {
	int err;
	uint64_t r0, ctx[C_WORDS];
	unsigned tail_calls, helper_calls;
};

static struct bpfh_exec *tail_prepare(enum bpfh_engine engine, const struct bpfh_insn *insns,
				      size_t count, int inline_opt)
{
	struct bpfh_exec_opts o;
	struct bpfh_exec *exec = NULL;
	char logbuf[512];
	struct bpfh_log log;

	bpfh_log_init(&log, logbuf, sizeof(logbuf));
	memset(&o, 0, sizeof(o));
	o.sz = sizeof(o);
	o.verdict = BPFH_EXEC_UNVERIFIED;
	o.resolve = tail_resolve;
	o.prog_array_layout = inline_opt ? tail_layout : NULL;
	CHECKF(bpfh_exec_create(engine, insns, count, &o, &log, &exec) == 0, "%s", logbuf);
	return exec;
}

/* Run main (engine, inline or not) with slot 0 = itself, slot 1 = tail_other, slot 3 = a
 * program of another engine, tail-calling index. */
static void tail_run(const struct bpfh_insn *main_insns, size_t count, enum bpfh_engine engine,
		     int inline_opt, uint64_t index, struct tail_outcome *o)
{
	enum bpfh_engine other = engine == BPFH_ENGINE_JIT ? BPFH_ENGINE_INTERP : BPFH_ENGINE_JIT;
	struct bpfh_exec *m = tail_prepare(engine, main_insns, count, inline_opt);
	struct bpfh_exec *t = tail_prepare(engine, tail_other, 4, inline_opt);
	struct bpfh_exec *x = tail_prepare(other, tail_other, 4, 0);
	char logbuf[512];
	struct bpfh_log log;
	struct bpfh_run run;

	memset(o, 0, sizeof(*o));
	if (m && t && x) {
		tail_progs[0].exec = m;
		tail_progs[1].exec = t;
		tail_progs[3].exec = x;
		tail_slots[0] = &tail_progs[0];
		tail_slots[1] = &tail_progs[1];
		tail_slots[2] = NULL;
		tail_slots[3] = &tail_progs[3];
		o->ctx[C_INDEX] = index;
		o->ctx[C_ARRAY] = (uint64_t)(uintptr_t)tail_slots;
		bpfh_log_init(&log, logbuf, sizeof(logbuf));
		memset(&run, 0, sizeof(run));
		run.args[0] = (uint64_t)(uintptr_t)o->ctx;
		run.helpers = tail_table;
		run.nhelpers = 13;
		run.log = &log;
		tail_helper_calls = 0;
		o->err = bpfh_exec_run(m, &run, &o->r0);
		o->tail_calls = run.tail_calls;
		o->helper_calls = tail_helper_calls;
		if (o->err) /* slot 3; or sub calling itself through main, frame after frame */
			CHECKF(strstr(logbuf, "tail call into a program prepared for another "
				      "engine") || strstr(logbuf, "call depth exceeds"), "%s",
			       logbuf);
	}
	bpfh_exec_destroy(m);
	bpfh_exec_destroy(t);
	bpfh_exec_destroy(x);
}

static void test_tail_calls(void)
{
	static const uint64_t indexes[] = { 0, 1, 2, 3, 4, 7, 0x100000001ull, 0xffffffffull };
	static struct {
		const char *name;
		const struct bpfh_insn *insns;
		size_t count;
		int inlined;
	} progs[] = { /* not const: the last three are made per index */
		{ "self", tail_self, sizeof(tail_self) / sizeof(tail_self[0]), 1 },
		{ "dyn", tail_dyn, sizeof(tail_dyn) / sizeof(tail_dyn[0]), 0 },
		{ "sub", tail_sub, sizeof(tail_sub) / sizeof(tail_sub[0]), 1 },
		{ "r2-after", tail_r2_after, sizeof(tail_r2_after) / sizeof(tail_r2_after[0]), 1 },
		{ "r2-branch", tail_r2_branch, sizeof(tail_r2_branch) / sizeof(tail_r2_branch[0]),
		  1 },
		{ "const64", NULL, 0, 1 },
		{ "const32", NULL, 0, 1 },
		{ "const-add", NULL, 0, 1 },
	};
	struct bpfh_insn cinsns[16];
	size_t p, k;

	for (p = 0; p < sizeof(progs) / sizeof(progs[0]); p++) {
		for (k = 0; k < sizeof(indexes) / sizeof(indexes[0]); k++) {
			struct tail_outcome a, b, c;
			uint64_t idx = indexes[k];

			if (!progs[p].insns) { /* the index a constant in the program */
				progs[p].count = const_prog((int)(p - 5), idx, cinsns);
				progs[p].insns = cinsns;
			}

			tail_run(progs[p].insns, progs[p].count, BPFH_ENGINE_INTERP, 0, idx, &a);
			tail_run(progs[p].insns, progs[p].count, BPFH_ENGINE_JIT, 0, idx, &b);
			tail_run(progs[p].insns, progs[p].count, BPFH_ENGINE_JIT, 1, idx, &c);
			CHECKF(a.err == b.err && a.err == c.err && a.r0 == b.r0 && a.r0 == c.r0 &&
			       !memcmp(a.ctx, b.ctx, sizeof(a.ctx)) &&
			       !memcmp(a.ctx, c.ctx, sizeof(a.ctx)) &&
			       a.tail_calls == b.tail_calls && a.tail_calls == c.tail_calls,
			       "%s, index 0x%llx: interp err %d r0 0x%llx count %llu calls %u, jit "
			       "err %d r0 0x%llx count %llu calls %u, inline err %d r0 0x%llx "
			       "count %llu calls %u", progs[p].name, (unsigned long long)idx,
			       a.err, (unsigned long long)a.r0, (unsigned long long)a.ctx[0],
			       a.tail_calls, b.err, (unsigned long long)b.r0,
			       (unsigned long long)b.ctx[0], b.tail_calls, c.err,
			       (unsigned long long)c.r0, (unsigned long long)c.ctx[0],
			       c.tail_calls);
			CHECK(a.helper_calls > 0 && b.helper_calls == a.helper_calls);
			CHECKF(progs[p].inlined ? c.helper_calls == 0 :
						  c.helper_calls == a.helper_calls,
			       "%s: %u helper calls inline", progs[p].name, c.helper_calls);
			/* the limit: 1 + 33 runs, the last call failing */
			if ((uint32_t)idx == 0 && (p < 2 || p > 4)) /* not sub, r2-after, r2-branch */
				CHECK(c.ctx[C_COUNT] == 1 + BPFH_MAX_TAIL_CALLS &&
				      c.tail_calls == BPFH_MAX_TAIL_CALLS &&
				      c.ctx[C_FAILED] == (uint64_t)-ENOENT);
			if (progs[p].insns == cinsns)
				progs[p].insns = NULL;
		}
	}
}

/* ---- helpers bound at compile time ---- */

static uint64_t (*volatile scramble_fn)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

static uint64_t scramble(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
	return a ^ b ^ c ^ d ^ e;
}

/* Helper 5: r0 = r1 * 3, clobbering the argument registers on the way. */
static uint64_t triple(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
		       struct bpfh_run *run)
{
	(void)run;
	return scramble_fn(~r1, ~r2, ~r3, ~r4, ~r5) * 0 + r1 * 3;
}

/* Helper 6: runs the callback r2 once; r0 its r0, or 99 when it failed. */
static uint64_t call_back(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
			  struct bpfh_run *run)
{
	uint64_t args[5] = { r1, 0, 0, 0, 0 }, r0 = 0;

	(void)r3, (void)r4, (void)r5;
	return bpfh_exec_callback(run, r2, args, &r0) ? 99 : r0;
}

static bpfh_helper_fn bound_table[13] = { [5] = triple, [6] = call_back, [12] = tail_call };

static int bound_info(void *ctx, uint32_t id, unsigned *nargs, unsigned *flags)
{
	(void)ctx;
	switch (id) {
	case 5: *nargs = 1; *flags = 0; return 0;
	case 6: *nargs = 2; *flags = BPFH_HELPER_MAY_CALL_BACK; return 0;
	case 12: *nargs = 3; *flags = BPFH_HELPER_MAY_TAIL_CALL; return 0;
	default: return -ENOENT;
	}
}

/* r0 = triple(r1) + r2 + r3 (r2, r3 read after the call: kept), then triple again. */
static const struct bpfh_insn bound_keep[] = {
	I(0xb7, 1, 0, 0, 5),   /* not the context, whose address differs from run to run */
	I(0xb7, 2, 0, 0, 1000),
	I(0xb7, 3, 0, 0, 7),
	I(0x85, 0, 0, 0, 5),
	I(0x0f, 0, 2, 0, 0),   /* r0 += r2 */
	I(0x0f, 0, 3, 0, 0),   /* r0 += r3 */
	I(0xbf, 1, 0, 0, 0),
	I(0x85, 0, 0, 0, 5),
	I(0x95, 0, 0, 0, 0),
};

/* The callback of helper 6 calls helper 4, which the table lacks: the run fails. */
static const struct bpfh_insn bound_callback[] = {
	I(0x18, 2, 4, 0, 5), I(0, 0, 0, 0, 0), /* r2 = the function at slot 6 */
	I(0xb7, 1, 0, 0, 1),
	I(0x85, 0, 0, 0, 6),
	I(0xb7, 0, 0, 0, 42),
	I(0x95, 0, 0, 0, 0),
	I(0x85, 0, 0, 0, 4),                   /* the callback */
	I(0x95, 0, 0, 0, 0),
};

struct bound_outcome {
	int err;
	uint64_t r0, ctx[C_WORDS];
	unsigned tail_calls;
	char log[256];
};

/* The run's nhelpers in bound_run (the bound table has 13). */
static size_t run_nhelpers = 13;

/* Slot 1 of the PROG_ARRAY, where bound_run's programs tail-call: tail_other unless given;
 * inlined (prog_array_layout) or through helper 12. */
struct bound_target {
	const struct bpfh_insn *insns;
	size_t count;
	int inline_tail;
};

static void bound_run(const struct bpfh_insn *insns, size_t count, enum bpfh_engine engine,
		      int bind, const bpfh_helper_fn *run_table, struct bound_outcome *o,
		      const struct bound_target *target)
{
	static const struct bound_target other = { tail_other, 4, 0 };
	struct bpfh_exec_opts opts;
	struct bpfh_exec *m = NULL, *t = NULL;
	struct bpfh_log log;
	struct bpfh_run run;

	memset(o, 0, sizeof(*o));
	memset(&opts, 0, sizeof(opts));
	opts.sz = sizeof(opts);
	opts.verdict = BPFH_EXEC_UNVERIFIED;
	opts.resolve = tail_resolve;
	if (!target)
		target = &other;
	if (target->inline_tail)
		opts.prog_array_layout = tail_layout;
	if (bind) {
		opts.helpers = bound_table;
		opts.nhelpers = 13;
		opts.helper_info = bound_info;
	}
	bpfh_log_init(&log, o->log, sizeof(o->log));
	if (!CHECKF(bpfh_exec_create(engine, insns, count, &opts, &log, &m) == 0 &&
		    bpfh_exec_create(engine, target->insns, target->count, &opts, &log, &t) == 0,
		    "%s", o->log))
		goto out;
	tail_progs[0].exec = m;
	tail_progs[1].exec = t;
	tail_slots[0] = &tail_progs[0];
	tail_slots[1] = &tail_progs[1];
	tail_slots[2] = tail_slots[3] = NULL;
	o->ctx[C_INDEX] = 1;
	memset(&run, 0, sizeof(run));
	run.args[0] = (uint64_t)(uintptr_t)o->ctx;
	run.helpers = run_table;
	run.nhelpers = run_nhelpers;
	run.log = &log;
	o->err = bpfh_exec_run(m, &run, &o->r0);
	o->tail_calls = run.tail_calls;
out:
	bpfh_exec_destroy(m);
	bpfh_exec_destroy(t);
}

static void test_bound_helpers(void)
{
	static const struct {
		const char *name;
		const struct bpfh_insn *insns;
		size_t count;
	} progs[] = {
		{ "keep", bound_keep, sizeof(bound_keep) / sizeof(bound_keep[0]) },
		{ "callback", bound_callback, sizeof(bound_callback) / sizeof(bound_callback[0]) },
		{ "tail", tail_self, sizeof(tail_self) / sizeof(tail_self[0]) },
	};
	static bpfh_helper_fn other_table[13];
	struct bound_outcome a, b;
	size_t k;

	scramble_fn = scramble;
	for (k = 0; k < sizeof(progs) / sizeof(progs[0]); k++) {
		bound_run(progs[k].insns, progs[k].count, BPFH_ENGINE_INTERP, 0, bound_table, &a,
			  NULL);
		bound_run(progs[k].insns, progs[k].count, BPFH_ENGINE_JIT, 1, bound_table, &b,
			  NULL);
		CHECKF(a.err == b.err && a.r0 == b.r0 && !memcmp(a.ctx, b.ctx, sizeof(a.ctx)) &&
		       a.tail_calls == b.tail_calls && !strcmp(a.log, b.log),
		       "%s: interp err %d r0 0x%llx tail calls %u log '%s'; jit err %d r0 0x%llx "
		       "tail calls %u log '%s'", progs[k].name, a.err, (unsigned long long)a.r0,
		       a.tail_calls, a.log, b.err, (unsigned long long)b.r0, b.tail_calls, b.log);
	}
	bound_run(bound_keep, sizeof(bound_keep) / sizeof(bound_keep[0]), BPFH_ENGINE_JIT, 1,
		  bound_table, &b, NULL);
	CHECKF(b.err == 0 && b.r0 == 3 * (3 * 5 + 1000 + 7), "%d 0x%llx", b.err,
	       (unsigned long long)b.r0);
	/* the callback's unknown helper: the run's error, named by the interpreter's message */
	bound_run(bound_callback, 8, BPFH_ENGINE_JIT, 1, bound_table, &b, NULL);
	CHECKF(b.err == -ENOENT && strstr(b.log, "call to unknown helper 4"), "%d %s", b.err,
	       b.log);
	/* another table than the bound one */
	memcpy(other_table, bound_table, sizeof(other_table));
	bound_run(bound_keep, sizeof(bound_keep) / sizeof(bound_keep[0]), BPFH_ENGINE_JIT, 1,
		  other_table, &b, NULL);
	CHECKF(b.err == -EINVAL && strstr(b.log, "helper table"), "%d %s", b.err, b.log);
	/* the bound table, but another size of it */
	run_nhelpers = 12;
	bound_run(bound_keep, sizeof(bound_keep) / sizeof(bound_keep[0]), BPFH_ENGINE_JIT, 1,
		  bound_table, &b, NULL);
	run_nhelpers = 13;
	CHECKF(b.err == -EINVAL && strstr(b.log, "helper table"), "%d %s", b.err, b.log);
	bound_run(bound_keep, sizeof(bound_keep) / sizeof(bound_keep[0]), BPFH_ENGINE_JIT, 1,
		  bound_table, &b, NULL);
	CHECKF(b.err == 0 && b.r0 == 3 * (3 * 5 + 1000 + 7), "%d 0x%llx", b.err,
	       (unsigned long long)b.r0);
}

/* A tail call (inlined) into a program that runs a callback of its own through helper 6: the
 * callback is found in the program running (run->current), which the JIT sets before such a
 * helper call, not at the tail call. r0 = 7 + 100 on every engine. */
static const struct bpfh_insn tcb_main[] = {
	I(0xb7, 3, 0, 0, 1),
	LD_MAP(2, TAIL_MAP),
	I(0x85, 0, 0, 0, 12),
	I(0xb7, 0, 0, 0, 55),
	I(0x95, 0, 0, 0, 0),
};

static const struct bpfh_insn tcb_target[] = {
	I(0x18, 2, 4, 0, 4), I(0, 0, 0, 0, 0), /* r2 = the function at slot 5 */
	I(0xb7, 1, 0, 0, 7),
	I(0x85, 0, 0, 0, 6),
	I(0x95, 0, 0, 0, 0),
	I(0xbf, 0, 1, 0, 0),                   /* the callback: r0 = r1 + 100 */
	I(0x07, 0, 0, 0, 100),
	I(0x95, 0, 0, 0, 0),
};

static void test_tail_then_callback(void)
{
	static const struct bound_target target = {
		tcb_target, sizeof(tcb_target) / sizeof(tcb_target[0]), 1
	};
	static const enum bpfh_engine engines[] = { BPFH_ENGINE_INTERP, BPFH_ENGINE_JIT };
	struct bound_outcome o;
	size_t e;

	for (e = 0; e < 2; e++) {
		bound_run(tcb_main, sizeof(tcb_main) / sizeof(tcb_main[0]), engines[e], 1,
			  bound_table, &o, &target);
		CHECKF(o.err == 0 && o.r0 == 107 && o.tail_calls == 1,
		       "%s: err %d r0 %llu tail calls %u: %s", bpfh_engine_name(engines[e]), o.err,
		       (unsigned long long)o.r0, o.tail_calls, o.log);
	}
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

/* bpfh_helper_table_info, the helper_info an instance gives the JIT: what a helper reads and
 * may do, as its row in the helper table says, and -ENOENT for an id the table lacks. */
static void test_helper_table_info(void)
{
	unsigned nargs = 99, flags = 99;

	CHECK(bpfh_helper_table_info(NULL, 1, &nargs, &flags) == 0 && nargs == 2 && flags == 0);
	CHECK(bpfh_helper_table_info(NULL, 12, &nargs, &flags) == 0 && nargs == 3 &&
	      flags == BPFH_HELPER_MAY_TAIL_CALL);
	CHECK(bpfh_helper_table_info(NULL, 181, &nargs, &flags) == 0 && nargs == 4 &&
	      flags == BPFH_HELPER_MAY_CALL_BACK);
	CHECK(bpfh_helper_table_info(NULL, 7, &nargs, &flags) == 0 && nargs == 0 && flags == 0);
	nargs = flags = 99;
	CHECK(bpfh_helper_table_info(NULL, 0, &nargs, &flags) == -ENOENT && nargs == 99 &&
	      flags == 99);
	CHECK(bpfh_helper_table_info(NULL, 0x7fffffff, &nargs, &flags) == -ENOENT);
	CHECK(bpfh_helper_table_info(NULL, 0xffffffffu, &nargs, &flags) == -ENOENT);
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
	test_helper_table_info();
	if (bpfh_engine_default() == BPFH_ENGINE_JIT) {
		test_programs(1);
		test_programs(0);
		test_tail_calls();
		test_bound_helpers();
		test_tail_then_callback();
	} else {
		printf("# jit_inline: the JIT is not available on this host: layout only\n");
	}
	for (m = 0; m < NMAPS; m++)
		bpfh_map_put(maps[m]);
	return check_summary("engine-jit-inline");
}
