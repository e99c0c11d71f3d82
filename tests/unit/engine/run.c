// SPDX-License-Identifier: MIT
/*
 * Engine behaviour that data files cannot show compactly: jumps across more slots than a 16-bit
 * offset reaches (ja32 forward and backward over 40,000 instructions, and the 16-bit limits
 * exactly), programs assembled from generated text; and the error codes of the exec API
 * (unknown engine, kfunc, unresolved and resolved map loads, unknown helper, call depth, bad
 * access, instruction budget), each on every engine where it applies (the JIT where this host
 * has it); tail calls (the same frame and r1, from a subprogram, the 33-call limit of the test
 * helper, into another engine, and a matrix of callers, targets and options whose outcomes
 * every engine must share with the interpreter), callbacks (on the caller's stack, nested,
 * failing), r1..r5 kept across a helper call, and the JIT's code-size limit and its refusal
 * on hosts it does not support. The resolver below makes every map form load
 * (src << 32 | (imm + imm2)), so the test sees which was used.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/engine.h"
#include "bpfhost/isa.h"
#include "../check.h"

/* Arbitrary code, run knowingly unverified (see bpfh_exec_opts.verdict). */
static const struct bpfh_exec_opts unverified = { .sz = sizeof(unverified),
						  .verdict = BPFH_EXEC_UNVERIFIED };

static enum bpfh_engine engines[BPFH_ENGINE__COUNT] = { BPFH_ENGINE_INTERP,
						      BPFH_ENGINE_INTERP_CHECKED };
static size_t NENGINES = 2;
static int have_jit;

static char logbuf[4096];

/* Append s to the growing text *t. */
static void append(char **t, size_t *len, size_t *cap, const char *s)
{
	size_t n = strlen(s);

	if (!*t)
		return;
	if (*len + n + 1 > *cap) {
		char *nt;

		*cap = (*len + n + 1) * 2;
		nt = realloc(*t, *cap);
		if (!nt) {
			free(*t);
			*t = NULL;
			return;
		}
		*t = nt;
	}
	memcpy(*t + *len, s, n + 1);
	*len += n;
}

static void repeat(char **t, size_t *len, size_t *cap, const char *line, unsigned times)
{
	while (times--)
		append(t, len, cap, line);
}

/* Assemble text and run it on engine; returns the run's error (or -1000 - the preparation's)
 * and the result in *r0. */
static int run_text(const char *text, enum bpfh_engine engine, uint64_t *r0)
{
	struct bpfh_insn *insns = NULL;
	struct bpfh_exec *exec = NULL;
	struct bpfh_log log;
	struct bpfh_run run;
	size_t count;
	int err;

	*r0 = 0;
	bpfh_log_init(&log, logbuf, sizeof(logbuf));
	err = bpfh_asm(text, "gen", 1, &insns, &count, &log);
	if (err)
		return -1000 + err;
	err = bpfh_exec_create(engine, insns, count, &unverified, &log, &exec);
	free(insns);
	if (err)
		return -1000 + err;
	memset(&run, 0, sizeof(run));
	run.log = &log;
	err = bpfh_exec_run(exec, &run, r0);
	bpfh_exec_destroy(exec);
	return err;
}

/* ja32 forward over 39,999 slots that must not run, then backward over all of them. */
static void check_long_ja32(void)
{
	size_t len = 0, cap = 1 << 16;
	char *t = malloc(cap);
	struct bpfh_insn *insns = NULL;
	size_t count = 0, e;
	uint64_t r0;

	if (!CHECK(t != NULL))
		return;
	t[0] = '\0';
	append(&t, &len, &cap, "mov %r0, 0\nja32 far\nback:\nor %r0, 2\nexit\n");
	repeat(&t, &len, &cap, "add %r0, 1000\n", 39999);
	append(&t, &len, &cap, "far:\nor %r0, 1\nja32 back\n");
	if (!CHECK(t != NULL))
		return;
	if (CHECK(bpfh_asm(t, "gen", 1, &insns, &count, NULL) == 0)) {
		CHECKF(count == 40005 && insns[1].imm == 40001 && insns[40004].imm == -40003,
		       "count %zu, forward %d, backward %d", count, insns[1].imm,
		       count == 40005 ? insns[40004].imm : 0);
		free(insns);
	}
	for (e = 0; e < NENGINES; e++)
		CHECKF(run_text(t, engines[e], &r0) == 0 && r0 == 3, "%s: r0 = %llu: %s",
		       bpfh_engine_name(engines[e]), (unsigned long long)r0, logbuf);

	/* the same jump with a 16-bit offset does not assemble */
	memcpy(strstr(t, "ja32 far"), "ja   far", 8);
	{
		struct bpfh_log log;

		bpfh_log_init(&log, logbuf, sizeof(logbuf));
		CHECKF(bpfh_asm(t, "gen", 1, &insns, &count, &log) == -EINVAL &&
		       strstr(logbuf, "gen:2: jump to 'far' is too far for a 16-bit offset (40001)"),
		       "%s", logbuf);
	}
	free(t);
}

/* ja +32767 and a conditional jump by -32768: the ends of the 16-bit range. Slot 1 jumps over
 * the exit at 2 and 32,766 adds to the jne at 32769, which jumps back to that exit. */
static void check_16bit_limits(void)
{
	size_t len = 0, cap = 1 << 16, e;
	char *t = malloc(cap);
	uint64_t r0;

	if (!CHECK(t != NULL))
		return;
	t[0] = '\0';
	append(&t, &len, &cap, "mov %r0, 1\nja +32767\nexit\n");
	repeat(&t, &len, &cap, "add %r0, 1000\n", 32766);
	append(&t, &len, &cap, "jne %r0, 0, -32768\nexit\n");
	if (!CHECK(t != NULL))
		return;
	for (e = 0; e < NENGINES; e++)
		CHECKF(run_text(t, engines[e], &r0) == 0 && r0 == 1, "%s: r0 = %llu: %s",
		       bpfh_engine_name(engines[e]), (unsigned long long)r0, logbuf);
	free(t);
}

static uint64_t helper_add(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
			   struct bpfh_run *run)
{
	(void)r3, (void)r4, (void)r5, (void)run;
	return r1 + r2;
}

static int resolve_map(void *ctx, unsigned src, int32_t imm, int32_t imm2, uint64_t *value)
{
	(void)ctx;
	if (imm == 99)
		return -ENOENT;
	*value = (uint64_t)src << 32 | (uint32_t)(imm + imm2);
	return 0;
}

/* Prepare text on engine with opts; returns the preparation's error. */
static int prepare(const char *text, enum bpfh_engine engine, const struct bpfh_exec_opts *opts,
		   struct bpfh_exec **exec)
{
	struct bpfh_insn *insns = NULL;
	struct bpfh_log log;
	size_t count;
	int err;

	*exec = NULL;
	if (!opts)
		opts = &unverified;
	bpfh_log_init(&log, logbuf, sizeof(logbuf));
	err = bpfh_asm(text, "api", 1, &insns, &count, &log);
	if (err)
		return -1000 + err;
	err = bpfh_exec_create(engine, insns, count, opts, &log, exec);
	free(insns);
	return err;
}

static void check_api(void)
{
	static const bpfh_helper_fn helpers[3] = { [2] = helper_add };
	struct bpfh_exec_opts opts = { .sz = sizeof(opts), .resolve = resolve_map, .name = "prog",
				       .verdict = BPFH_EXEC_UNVERIFIED };
	struct bpfh_insn exit_insn = { 0x95, 0, 0, 0, 0 };
	struct bpfh_exec *exec;
	struct bpfh_run run;
	struct bpfh_log log;
	uint64_t r0;
	size_t e;

	CHECK(bpfh_exec_create(BPFH_ENGINE__COUNT, &exit_insn, 1, NULL, NULL, &exec) == -EINVAL &&
	      exec == NULL);
	/* Without a verdict only the checked engine prepares a program. */
	for (e = 0; e < NENGINES; e++) {
		struct bpfh_exec_opts none = { .sz = sizeof(none), .name = "raw" };
		int err;

		bpfh_log_init(&log, logbuf, sizeof(logbuf));
		err = bpfh_exec_create(engines[e], &exit_insn, 1, &none, &log, &exec);
		if (engines[e] == BPFH_ENGINE_INTERP_CHECKED) {
			CHECKF(err == 0, "%d: %s", err, logbuf);
			bpfh_exec_destroy(exec);
		} else {
			CHECKF(err == -EPERM && exec == NULL &&
			       strstr(logbuf, "raw: engine ") &&
			       strstr(logbuf, "runs only verified programs"), "%s: %d: %s",
			       bpfh_engine_name(engines[e]), err, logbuf);
		}
		err = bpfh_exec_create(engines[e], &exit_insn, 1, NULL, NULL, &exec);
		CHECKF(engines[e] == BPFH_ENGINE_INTERP_CHECKED ? err == 0 : err == -EPERM, "%d",
		       err);
		bpfh_exec_destroy(exec);
		none.verdict = 3; /* neither */
		err = bpfh_exec_create(engines[e], &exit_insn, 1, &none, NULL, &exec);
		CHECKF(engines[e] == BPFH_ENGINE_INTERP_CHECKED ? err == 0 : err == -EPERM, "%d",
		       err);
		bpfh_exec_destroy(exec);
		none.verdict = BPFH_EXEC_VERIFIED;
		CHECK(bpfh_exec_create(engines[e], &exit_insn, 1, &none, NULL, &exec) == 0);
		bpfh_exec_destroy(exec);
	}
	CHECK(!strcmp(bpfh_engine_name(BPFH_ENGINE_INTERP_CHECKED), "interp-checked") &&
	      bpfh_engine_name(BPFH_ENGINE__COUNT) == NULL);

	for (e = 0; e < NENGINES; e++) {
		enum bpfh_engine eng = engines[e];
		const char *name = bpfh_engine_name(eng);

		CHECKF(prepare("call kfunc 7\nexit\n", eng, NULL, &exec) == -ENOTSUP &&
		       strstr(logbuf, "insn 0: kfunc call is not supported"), "%s: %s", name, logbuf);
		CHECKF(prepare("lddw %r1, btf_id 7, 0\nexit\n", eng, NULL, &exec) == -ENOTSUP,
		       "%s: %s", name, logbuf);
		CHECKF(prepare("lddw %r1, map_fd 3\nexit\n", eng, NULL, &exec) == -EINVAL &&
		       strstr(logbuf, "refers to a map, and no maps were given"), "%s: %s", name,
		       logbuf);
		CHECKF(prepare("lddw %r1, map_fd 99\nexit\n", eng, &opts, &exec) == -ENOENT &&
		       strstr(logbuf, "prog: insn 0: lddw map_fd 99 does not resolve"), "%s: %s",
		       name, logbuf);

		/* a resolved map value, and a helper from the run's table */
		if (CHECKF(prepare("lddw %r1, map_value 3, 4\nmov %r2, 5\ncall 2\nexit\n", eng, &opts,
				   &exec) == 0, "%s: %s", name, logbuf)) {
			memset(&run, 0, sizeof(run));
			run.helpers = helpers;
			run.nhelpers = 3;
			CHECK(bpfh_exec_run(exec, &run, &r0) == 0 && r0 == ((2ull << 32) | 7) + 5);
			/* a run keeps no state: the same again */
			CHECK(bpfh_exec_run(exec, &run, &r0) == 0 && r0 == ((2ull << 32) | 7) + 5);
			/* without the helper table, the same program fails */
			bpfh_log_init(&log, logbuf, sizeof(logbuf));
			run.helpers = NULL;
			run.nhelpers = 0;
			run.log = &log;
			CHECKF(bpfh_exec_run(exec, &run, &r0) == -ENOENT &&
			       strstr(logbuf, "prog: insn 3 (call 2): call to unknown helper 2"),
			       "%s: %s", name, logbuf);
			bpfh_exec_destroy(exec);
		}

		/* the index forms go through the same resolver */
		if (CHECKF(prepare("lddw %r0, map_idx 2\nlddw %r1, map_idx_value 1, 8\nadd %r0, %r1\n"
				   "exit\n", eng, &opts, &exec) == 0, "%s: %s", name, logbuf)) {
			memset(&run, 0, sizeof(run));
			CHECK(bpfh_exec_run(exec, &run, &r0) == 0 &&
			      r0 == ((5ull << 32) | 2) + ((6ull << 32) | 9));
			bpfh_exec_destroy(exec);
		}

		/* unbounded recursion */
		if (CHECK(prepare("f:\ncall local f\nexit\n", eng, NULL, &exec) == 0)) {
			memset(&run, 0, sizeof(run));
			bpfh_log_init(&log, logbuf, sizeof(logbuf));
			run.log = &log;
			CHECKF(bpfh_exec_run(exec, &run, &r0) == -EOVERFLOW &&
			       strstr(logbuf, "call depth exceeds 8 frames"), "%s: %s", name, logbuf);
			bpfh_exec_destroy(exec);
		}
	}

	/* the checked engine only: a bad access, the budget, the count */
	if (CHECK(prepare("ldxdw %r0, [%r10-520]\nexit\n", BPFH_ENGINE_INTERP_CHECKED, NULL,
			  &exec) == 0)) {
		memset(&run, 0, sizeof(run));
		bpfh_log_init(&log, logbuf, sizeof(logbuf));
		run.log = &log;
		CHECKF(bpfh_exec_run(exec, &run, &r0) == -EFAULT && strstr(logbuf, "read of 8 bytes"),
		       "%s", logbuf);
		bpfh_exec_destroy(exec);
	}
	if (CHECK(prepare("mov %r0, 0\nloop:\nadd %r0, 1\nja loop\n", BPFH_ENGINE_INTERP_CHECKED,
			  NULL, &exec) == 0)) {
		memset(&run, 0, sizeof(run));
		bpfh_log_init(&log, logbuf, sizeof(logbuf));
		run.log = &log;
		run.insn_limit = 1001;
		CHECKF(bpfh_exec_run(exec, &run, &r0) == -ETIMEDOUT &&
		       strstr(logbuf, "instruction limit of 1001 reached") &&
		       run.insns_executed >= 1001,
		       "%s, %llu executed", logbuf, (unsigned long long)run.insns_executed);
		bpfh_exec_destroy(exec);
	}
	if (CHECK(prepare("mov %r0, 1\nja +1\nmov %r0, 2\nadd %r0, 1\nexit\n",
			  BPFH_ENGINE_INTERP_CHECKED, NULL, &exec) == 0)) {
		memset(&run, 0, sizeof(run));
		run.insn_limit = 4; /* exactly enough */
		CHECKF(bpfh_exec_run(exec, &run, &r0) == 0 && r0 == 2 && run.insns_executed == 4,
		       "r0 %llu, %llu executed", (unsigned long long)r0,
		       (unsigned long long)run.insns_executed);
		bpfh_exec_destroy(exec);
	}
}

/* ---- tail calls and callbacks ---- */

static const struct bpfh_exec *tail_target;
static uint64_t counter[1]; /* memory the programs may touch, a region of every run */

/* The test's tail call: at most 33 per run, as bpf_tail_call; 1 when refused (the program
 * goes on), 0 when the engine is to continue in tail_target. */
static uint64_t helper_tail(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
			    struct bpfh_run *run)
{
	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	if (run->tail_calls >= 33 || !tail_target)
		return 1;
	run->tail_calls++;
	run->tail_next = tail_target;
	return 0;
}

/* The test's bpf_loop: callback r2 for i = 0..r1-1 with (i, r3) until it returns non-zero;
 * returns the number of calls, or 1000 + the error's number if one failed. */
static uint64_t helper_loop(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
			    struct bpfh_run *run)
{
	uint64_t i, ret;
	int err;

	(void)r4, (void)r5;
	for (i = 0; i < r1; i++) {
		uint64_t args[5] = { i, r3, 0, 0, 0 };

		err = bpfh_exec_callback(run, r2, args, &ret);
		if (err)
			return 1000 + (uint64_t)-err;
		if (ret)
			return i + 1;
	}
	return i;
}

/* Changes every argument register on its way (through a call the compiler cannot see into),
 * then gives back r1 + r2. */
static uint64_t scramble(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
	return a ^ b ^ c ^ d ^ e;
}

static uint64_t (*volatile scramble_fn)(uint64_t, uint64_t, uint64_t, uint64_t,
					 uint64_t) = scramble;
static volatile uint64_t sink;

static uint64_t helper_scramble_add(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
				    uint64_t r5, struct bpfh_run *run)
{
	(void)run;
	sink = scramble_fn(~r1, ~r2, ~r3, ~r4, ~r5);
	return r1 + r2;
}

static const bpfh_helper_fn more_helpers[14] = {
	[2] = helper_add, [3] = helper_scramble_add, [12] = helper_tail, [13] = helper_loop,
};

/* Run exec with r1 = arg and the helpers above; returns the error, r0 in *r0. */
static int run_with(const struct bpfh_exec *exec, uint64_t arg, uint64_t *r0)
{
	struct bpfh_region region = { (uintptr_t)counter, sizeof(counter), 1 };
	struct bpfh_run run;
	struct bpfh_log log;

	memset(&run, 0, sizeof(run));
	bpfh_log_init(&log, logbuf, sizeof(logbuf));
	run.regions = &region;
	run.nregions = 1;
	run.args[0] = arg;
	run.helpers = more_helpers;
	run.nhelpers = sizeof(more_helpers) / sizeof(more_helpers[0]);
	run.log = &log;
	return bpfh_exec_run(exec, &run, r0);
}

static void check_tail_calls(void)
{
	struct bpfh_exec *a, *b, *c, *other;
	uint64_t r0;
	size_t e;
	int err;

	for (e = 0; e < NENGINES; e++) {
		enum bpfh_engine eng = engines[e];
		const char *name = bpfh_engine_name(eng);

		/* the target sees the caller's frame (its stack slot) and r1; r0 is the helper's */
		if (!CHECK(prepare("mov %r6, 7\nstxdw [%r10-8], %r6\ncall 12\nmov %r0, 99\nexit\n",
				   eng, NULL, &a) == 0))
			return;
		if (!CHECK(prepare("ldxdw %r6, [%r10-8]\nadd %r6, %r1\nadd %r6, %r0\nmov %r0, %r6\n"
				   "exit\n", eng, NULL, &b) == 0))
			return;
		tail_target = b;
		err = run_with(a, 1000, &r0);
		CHECKF(err == 0 && r0 == 1007, "%s: err %d, r0 %llu: %s", name, err,
		       (unsigned long long)r0, logbuf);

		/* from a subprogram: the target's exit returns to the subprogram's caller */
		if (CHECK(prepare("call local f\nadd %r0, 1000\nexit\nf:\nstdw [%r10-8], 5\n"
				  "call 12\nexit\n", eng, NULL, &c) == 0)) {
			err = run_with(c, 20, &r0);
			CHECKF(err == 0 && r0 == 1025, "%s: err %d, r0 %llu: %s", name, err,
			       (unsigned long long)r0, logbuf);
			bpfh_exec_destroy(c);
		}

		/* from a subprogram into a target that writes r6..r9: the caller's come back
		 * (the call keeps all four where its callee may tail-call) */
		if (CHECK(prepare("mov %r6, 11\nmov %r7, 22\nmov %r8, 33\nmov %r9, 44\n"
				  "call local f\nadd %r0, %r6\nadd %r0, %r7\nadd %r0, %r8\n"
				  "add %r0, %r9\nexit\nf:\ncall 12\nmov %r0, 99\nexit\n", eng, NULL,
				  &c) == 0) &&
		    CHECK(prepare("mov %r6, 1000\nmov %r7, 2000\nmov %r8, 3000\nmov %r9, 4000\n"
				  "mov %r1, 2\nmov %r2, 3\ncall 2\nexit\n", eng, NULL,
				  &other) == 0)) { /* not a leaf: its code saves nothing */
			tail_target = other;
			err = run_with(c, 0, &r0);
			CHECKF(err == 0 && r0 == 115, "%s: err %d, r0 %llu: %s", name, err,
			       (unsigned long long)r0, logbuf);
			tail_target = b;
		}
		bpfh_exec_destroy(c);
		bpfh_exec_destroy(other);

		/* a program tail-calling itself: the helper's limit of 33, r1 kept through all */
		if (CHECK(prepare("ldxdw %r0, [%r1]\nadd %r0, 1\nstxdw [%r1], %r0\ncall 12\n"
				  "ldxdw %r0, [%r1]\nexit\n", eng, NULL, &c) == 0)) {
			tail_target = c;
			counter[0] = 0;
			err = run_with(c, (uintptr_t)counter, &r0);
			CHECKF(err == 0 && r0 == 34 && counter[0] == 34, "%s: err %d, r0 %llu: %s",
			       name, err, (unsigned long long)r0, logbuf);
			bpfh_exec_destroy(c);
		}

		/* into a program prepared for another engine */
		if (CHECK(prepare("mov %r0, 1\nexit\n", eng == BPFH_ENGINE_INTERP ?
				  BPFH_ENGINE_INTERP_CHECKED : BPFH_ENGINE_INTERP, NULL,
				  &other) == 0)) {
			tail_target = other;
			err = run_with(a, 0, &r0);
			CHECKF(err == -EINVAL &&
			       strstr(logbuf, "insn 2 (call 12): tail call into a program "
					      "prepared for another engine"),
			       "%s: err %d: %s", name, err, logbuf);
			bpfh_exec_destroy(other);
		}
		tail_target = NULL;
		bpfh_exec_destroy(a);
		bpfh_exec_destroy(b);
	}
}

static void check_callbacks(void)
{
	struct bpfh_exec *exec;
	uint64_t r0;
	size_t e;
	int err;

	for (e = 0; e < NENGINES; e++) {
		enum bpfh_engine eng = engines[e];
		const char *name = bpfh_engine_name(eng);

		/* ten calls adding i to a slot of the caller's stack (r3 points to it) */
		if (CHECK(prepare("stdw [%r10-8], 0\nmov %r1, 10\nlddw %r2, func cb\n"
				  "mov %r3, %r10\nadd %r3, -8\ncall 13\nldxdw %r1, [%r10-8]\n"
				  "mul %r0, 1000\nadd %r0, %r1\nexit\n"
				  "cb:\nldxdw %r0, [%r2]\nadd %r0, %r1\nstxdw [%r2], %r0\n"
				  "mov %r0, 0\nexit\n", eng, NULL, &exec) == 0)) {
			err = run_with(exec, 0, &r0);
			CHECKF(err == 0 && r0 == 10045, "%s: err %d, r0 %llu: %s", name, err,
			       (unsigned long long)r0, logbuf);
			bpfh_exec_destroy(exec);
		}

		/* a callback that stops the loop, and one with a local call of its own */
		if (CHECK(prepare("mov %r1, 10\nlddw %r2, func cb\ncall 13\nexit\n"
				  "cb:\ncall local g\njeq %r1, 3, stop\nmov %r0, 0\nexit\n"
				  "stop:\nmov %r0, 1\nexit\ng:\nmov %r0, 5\nexit\n", eng, NULL,
				  &exec) == 0)) {
			err = run_with(exec, 0, &r0);
			CHECKF(err == 0 && r0 == 4, "%s: err %d, r0 %llu: %s", name, err,
			       (unsigned long long)r0, logbuf);
			bpfh_exec_destroy(exec);
		}

		/* a callback failing (unknown helper) ends the whole run with its error */
		if (CHECK(prepare("mov %r1, 3\nlddw %r2, func cb\ncall 13\nmov %r0, 77\nexit\n"
				  "cb:\ncall 9\nexit\n", eng, NULL, &exec) == 0)) {
			err = run_with(exec, 0, &r0);
			CHECKF(err == -ENOENT && strstr(logbuf, "insn 6 (call 9): call to unknown "
							"helper 9"), "%s: err %d: %s", name, err,
			       logbuf);
			bpfh_exec_destroy(exec);
		}

		/* callbacks starting callbacks: the nesting limit */
		if (CHECK(prepare("mov %r1, 1\nlddw %r2, func cb\ncall 13\nexit\n"
				  "cb:\nmov %r1, 1\nlddw %r2, func cb\ncall 13\nexit\n", eng, NULL,
				  &exec) == 0)) {
			err = run_with(exec, 0, &r0);
			CHECKF(err == -EOVERFLOW &&
			       strstr(logbuf, "callbacks nested more than 8 deep"),
			       "%s: err %d: %s", name, err, logbuf);
			bpfh_exec_destroy(exec);
		}

		/* a callback value that is not a function of the program */
		if (CHECK(prepare("mov %r1, 1\nlddw %r2, 0xbf00000000000001\ncall 13\nexit\n", eng,
				  NULL, &exec) == 0)) {
			err = run_with(exec, 0, &r0);
			CHECKF(err == 0 && r0 == 1000 + EINVAL &&
			       strstr(logbuf, "callback 0xbf00000000000001 is not a function"),
			       "%s: err %d, r0 %llu: %s", name, err, (unsigned long long)r0,
			       logbuf);
			bpfh_exec_destroy(exec);
		}
	}
}

/* r1..r5 after a helper call are the interpreter's (unchanged) where the program reads them. */
static void check_kept_registers(void)
{
	struct bpfh_exec *exec;
	uint64_t r0;
	size_t e;
	int err;

	for (e = 0; e < NENGINES; e++) {
		const char *name = bpfh_engine_name(engines[e]);

		if (CHECK(prepare("mov %r1, 1\nmov %r2, 20\nmov %r3, 300\nmov %r4, 4000\n"
				  "mov %r5, 50000\ncall 3\nadd %r0, %r1\nadd %r0, %r2\n"
				  "add %r0, %r3\njeq %r0, 0, skip\nadd %r0, %r4\nskip:\n"
				  "add %r0, %r5\nexit\n",
				  engines[e], NULL, &exec) == 0)) {
			err = run_with(exec, 0, &r0);
			CHECKF(err == 0 && r0 == 21 + 54321, "%s: err %d, r0 %llu", name, err,
			       (unsigned long long)r0);
			bpfh_exec_destroy(exec);
		}
		/* the same in a loop, the registers read only on the next round */
		if (CHECK(prepare("mov %r6, 3\nmov %r0, 0\nmov %r1, 1\nmov %r2, 2\nloop:\n"
				  "mov %r7, %r0\ncall 3\nadd %r0, %r7\nsub %r6, 1\n"
				  "jne %r6, 0, loop\nexit\n", engines[e], NULL, &exec) == 0)) {
			err = run_with(exec, 0, &r0);
			CHECKF(err == 0 && r0 == 9, "%s: err %d, r0 %llu", name, err,
			       (unsigned long long)r0);
			bpfh_exec_destroy(exec);
		}
	}
}

/* ---- the JIT's entries: leaf programs, and the main entry of the others ---- */

#if defined(__x86_64__) && defined(__GNUC__)
/* int preserved_run(exec, run, r0, fn): calls fn(exec, run, r0) (bpfh_exec_run) with every
 * callee-saved register of the host's convention set to a known value; returns fn's result,
 * or 1000 + a bit per register that came back changed (rbx 1, rbp 2, r12 4, r13 8, r14 16,
 * r15 32; on Windows also rdi 64, rsi 128). System V: fn in rcx; Windows x64: exec, run, r0
 * and fn in rcx, rdx, r8 and r9, 32 bytes of shadow space for the callee. */
int preserved_run(const struct bpfh_exec *exec, struct bpfh_run *run, uint64_t *r0,
		  int (*fn)(const struct bpfh_exec *, struct bpfh_run *, uint64_t *));
/* Set register R to V before the call; after it, set bit B of ecx if R is not V. */
#define PR_SET(r, v) "	movabs $" v ", %" r "\n"
#define PR_CHECK(r, v, bit) \
	"	movabs $" v ", %rdx\n	cmp %rdx, %" r "\n	je 1f\n	or $" bit ", %ecx\n1:\n"
#define PR_SIX(m) m("rbx", "0x1111111111111111", "1") m("rbp", "0x2222222222222222", "2") \
	m("r12", "0x3333333333333333", "4") m("r13", "0x4444444444444444", "8") \
	m("r14", "0x5555555555555555", "16") m("r15", "0x6666666666666666", "32")
#define PR_SET3(r, v, bit) PR_SET(r, v)
#if !defined(_WIN32)
#define PR_MORE(m)
#define PR_PUSH_MORE ""
#define PR_POP_MORE ""
#define PR_FRAME "8"
#define PR_FN "rcx"
#else
#define PR_MORE(m) m("rdi", "0x7777777777777777", "64") m("rsi", "0x8888888888888888", "128")
#define PR_PUSH_MORE "	push %rdi\n	push %rsi\n"
#define PR_POP_MORE "	pop %rsi\n	pop %rdi\n"
#define PR_FRAME "40"
#define PR_FN "r9"
#endif
__asm__(".text\n"
	".globl preserved_run\n"
	"preserved_run:\n"
	"	push %rbx\n	push %rbp\n	push %r12\n	push %r13\n	push %r14\n	push %r15\n"
	PR_PUSH_MORE
	"	sub $" PR_FRAME ", %rsp\n"
	PR_SIX(PR_SET3) PR_MORE(PR_SET3)
	"	call *%" PR_FN "\n"
	"	xor %ecx, %ecx\n"
	PR_SIX(PR_CHECK) PR_MORE(PR_CHECK)
	"	test %ecx, %ecx\n	je 2f\n	lea 1000(%rcx), %eax\n2:\n"
	"	add $" PR_FRAME ", %rsp\n"
	PR_POP_MORE
	"	pop %r15\n	pop %r14\n	pop %r13\n	pop %r12\n	pop %rbp\n	pop %rbx\n"
	"	ret\n");
#define HAVE_PRESERVED_RUN 1
#endif

/* Helper 14: 1000 when the native stack is 16-byte aligned at the call, as the ABI says
 * (its frame address, the saved frame pointer's slot, is then too), else 1; plus r1. */
__attribute__((noinline)) static uint64_t helper_aligned(uint64_t r1, uint64_t r2, uint64_t r3,
							 uint64_t r4, uint64_t r5,
							 struct bpfh_run *run)
{
	(void)r2, (void)r3, (void)r4, (void)r5, (void)run;
	return ((uintptr_t)__builtin_frame_address(0) % 16 == 0 ? 1000 : 1) + r1;
}

static const bpfh_helper_fn entry_helpers[15] = { [2] = helper_add, [13] = helper_loop,
						  [14] = helper_aligned };

/* What the helpers of entry_helpers and more_helpers do: helper_info for bpfh_exec_opts (13
 * calls back, 12 tail-calls, as bpf_tail_call with its three arguments). */
static int entry_helper_info(void *ctx, uint32_t id, unsigned *nargs, unsigned *flags)
{
	(void)ctx;
	if (id != 2 && id != 3 && id != 12 && id != 13 && id != 14)
		return -ENOENT;
	*nargs = id == 2 || id == 3 ? 2 : id == 12 || id == 13 ? 3 : 1;
	*flags = id == 13 ? BPFH_HELPER_MAY_CALL_BACK : id == 12 ? BPFH_HELPER_MAY_TAIL_CALL : 0;
	return 0;
}

/* Leaves a pattern in the native stack below the caller's frame, where the JIT's main entry
 * then keeps its context: what the entry does not set shows. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void dirty_stack(void)
{
	volatile unsigned char junk[16384];
	size_t i;

	for (i = 0; i < sizeof(junk); i++)
		junk[i] = 0xa5;
}

/* Run exec once with r1 = arg, on stack (or none), with helpers (or none), over a dirtied
 * native stack and, where the test can see them (x86-64 GNU C), with the caller's
 * callee-saved registers checked to come back (else 1000 + which changed): the error, r0 in
 * *r0, the run's count of tail calls in *tail_calls, its log in logbuf. */
static int run_entry(const struct bpfh_exec *exec, uint64_t arg, uint64_t *stack,
		     const bpfh_helper_fn *helpers, size_t nhelpers, uint64_t *r0,
		     unsigned *tail_calls)
{
	struct bpfh_run run;
	struct bpfh_log log;
	int err;

	memset(&run, 0, sizeof(run));
	bpfh_log_init(&log, logbuf, sizeof(logbuf));
	run.log = &log;
	run.args[0] = arg;
	run.stack = stack;
	run.helpers = helpers;
	run.nhelpers = nhelpers;
	*r0 = 0;
	dirty_stack();
#ifdef HAVE_PRESERVED_RUN
	err = preserved_run(exec, &run, r0, bpfh_exec_run);
#else
	err = bpfh_exec_run(exec, &run, r0);
#endif
	*tail_calls = run.tail_calls;
	return err;
}

/* Leaf programs (no calls) have their own ways into the JIT: one that stores r0 itself with
 * the frame on the native stack (bpfh_exec_run without run->stack), one on a given stack, and
 * the tail-call arrival. Each runs programs that use the stack, r6..r9, several exits and t3
 * (divisions, fetch atomics), with and without a stack given, on every engine. */
static void check_leaf_entries(void)
{
	static const struct {
		const char *text;
		uint64_t arg, want;
	} c[] = {
		{ "mov %r6, %r1\nstxdw [%r10-8], %r6\nmov %r2, 7\ndiv %r6, %r2\n"
		  "ldxdw %r0, [%r10-8]\njgt %r0, 100, big\nadd %r0, %r6\nexit\n"
		  "big:\nmod %r0, %r2\nadd %r0, 1000\nexit\n", 50, 57 },
		{ "mov %r6, %r1\nstxdw [%r10-8], %r6\nmov %r2, 7\ndiv %r6, %r2\n"
		  "ldxdw %r0, [%r10-8]\njgt %r0, 100, big\nadd %r0, %r6\nexit\n"
		  "big:\nmod %r0, %r2\nadd %r0, 1000\nexit\n", 200, 1004 },
		{ "stdw [%r10-512], 5\nmov %r6, 2\nmov %r7, 3\nmov %r8, 4\nmov %r9, 8\n"
		  "lock fetch or [%r10-512], %r9\nldxdw %r0, [%r10-512]\nadd %r0, %r9\n"
		  "add %r0, %r6\nadd %r0, %r7\nadd %r0, %r8\nexit\n", 0, 13 + 5 + 9 },
		{ "mov %r0, %r1\nmov %r3, 3\nmod %r0, %r3\njeq %r0, 0, z\nexit\nz:\n"
		  "mov %r0, 77\nexit\n", 9, 77 },
		{ "mov %r0, %r1\nlsh %r0, 1\nexit\n", 21, 42 },
	};
	static uint64_t stack[BPFH_MAX_FRAMES * BPFH_STACK_SIZE / 8];
	size_t i, e;
	int given;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		for (e = 0; e < NENGINES; e++) {
			struct bpfh_exec *exec;

			if (!CHECK(prepare(c[i].text, engines[e], NULL, &exec) == 0))
				continue;
			for (given = 0; given <= 1; given++) {
				uint64_t r0;
				unsigned tails;
				int err = run_entry(exec, c[i].arg, given ? stack : NULL, NULL, 0,
						    &r0, &tails);

				CHECKF(err == 0 && r0 == c[i].want,
				       "case %zu, %s, stack %s: err %d, r0 %llu (want %llu)", i,
				       bpfh_engine_name(engines[e]), given ? "given" : "own", err,
				       (unsigned long long)r0, (unsigned long long)c[i].want);
			}
			/* the tail-call arrival: the caller's r1, its frame */
			tail_target = exec;
			{
				struct bpfh_exec *caller;
				uint64_t r0 = 0;
				int err;

				if (CHECK(prepare("call 12\nmov %r0, 99\nexit\n", engines[e], NULL,
						  &caller) == 0)) {
					err = run_with(caller, c[i].arg, &r0);
					CHECKF(err == 0 && r0 == c[i].want,
					       "case %zu, %s, tail call: err %d, r0 %llu: %s", i,
					       bpfh_engine_name(engines[e]), err,
					       (unsigned long long)r0, logbuf);
					bpfh_exec_destroy(caller);
				}
			}
			tail_target = NULL;
			bpfh_exec_destroy(exec);
		}
	}
}

/* A leaf program's run entry reads r1..r5 from run->args (those it reads before writing,
 * r2 from the register that holds the run, so last) and, where the run gives a stack, keeps
 * its frame there: the program's stores are in the run's stack afterwards. */
static void check_leaf_run_entry(void)
{
	static uint64_t stack[BPFH_MAX_FRAMES * BPFH_STACK_SIZE / 8];
	const size_t top = sizeof(stack) / sizeof(stack[0]);
	size_t e;

	for (e = 0; e < NENGINES; e++) {
		const char *name = bpfh_engine_name(engines[e]);
		struct bpfh_exec *exec;
		struct bpfh_run run;
		uint64_t r0 = 0;
		int err;

		/* r0 = r1 + 2 r2 + 3 r3 + 4 r4 + 5 r5, read in an order other than the ABI's */
		if (CHECK(prepare("mov %r0, %r5\nmul %r0, 5\nmov %r6, %r2\nlsh %r6, 1\n"
				  "add %r0, %r6\nmov %r6, %r4\nlsh %r6, 2\nadd %r0, %r6\n"
				  "mov %r6, %r3\nmul %r6, 3\nadd %r0, %r6\nadd %r0, %r1\nexit\n",
				  engines[e], NULL, &exec) == 0)) {
			memset(&run, 0, sizeof(run));
			run.args[0] = 1000000;
			run.args[1] = 10000;
			run.args[2] = 1000;
			run.args[3] = 100;
			run.args[4] = 10;
			err = bpfh_exec_run(exec, &run, &r0);
			CHECKF(err == 0 && r0 == 1000000 + 20000 + 3000 + 400 + 50,
			       "%s: err %d, r0 %llu", name, err, (unsigned long long)r0);
			bpfh_exec_destroy(exec);
		}
		/* only r2 read: it still comes from args[1] */
		if (CHECK(prepare("mov %r0, %r2\nexit\n", engines[e], NULL, &exec) == 0)) {
			memset(&run, 0, sizeof(run));
			run.args[1] = 0x1234;
			err = bpfh_exec_run(exec, &run, &r0);
			CHECKF(err == 0 && r0 == 0x1234, "%s: err %d, r0 %llu", name, err,
			       (unsigned long long)r0);
			bpfh_exec_destroy(exec);
		}
		/* the frame in the run's stack when it gives one */
		if (CHECK(prepare("stxdw [%r10-8], %r1\nstdw [%r10-512], 77\nmov %r0, 5\nexit\n",
				  engines[e], NULL, &exec) == 0)) {
			memset(&run, 0, sizeof(run));
			memset(stack, 0, sizeof(stack));
			run.args[0] = 0xabcdef;
			run.stack = stack;
			err = bpfh_exec_run(exec, &run, &r0);
			CHECKF(err == 0 && r0 == 5 && stack[top - 1] == 0xabcdef &&
			       stack[top - 64] == 77, "%s: err %d, r0 %llu, stack top %llx, %llu",
			       name, err, (unsigned long long)r0, (unsigned long long)stack[top - 1],
			       (unsigned long long)stack[top - 64]);
			bpfh_exec_destroy(exec);
		}
	}
}

/* A leaf program whose liveness does not settle in the JIT's sweeps (a chain of 70 jumps, each
 * back to the one before it, ahead of the read of r1), so that every register counts as read
 * before written: its run entry sets only those it names (r0, r1), and the caller's
 * callee-saved registers (r6..r9's, which the program neither names nor saves) come back. */
static void check_leaf_unsettled(void)
{
	size_t len = 0, cap = 4096, e;
	char *t = malloc(cap), line[64];
	unsigned k;

	if (!CHECK(t != NULL))
		return;
	t[0] = '\0';
	append(&t, &len, &cap, "ja b70\nb1:\nmov %r0, %r1\nexit\n");
	for (k = 2; k <= 70; k++) {
		snprintf(line, sizeof(line), "b%u:\nja b%u\n", k, k - 1);
		append(&t, &len, &cap, line);
	}
	if (!CHECK(t != NULL))
		return;
	for (e = 0; e < NENGINES; e++) {
		struct bpfh_exec *exec;
		uint64_t r0;
		unsigned tails;
		int err;

		if (!CHECKF(prepare(t, engines[e], NULL, &exec) == 0, "%s", logbuf))
			continue;
		err = run_entry(exec, 0x5eed, NULL, NULL, 0, &r0, &tails);
		CHECKF(err == 0 && r0 == 0x5eed, "%s: err %d, r0 %llx",
		       bpfh_engine_name(engines[e]), err, (unsigned long long)r0);
		bpfh_exec_destroy(exec);
	}
	free(t);
}

/* Programs that are not leaves, entered through bpfh_exec_run: each uses a different set of
 * r6..r10 (so the JIT's main entry saves an odd or even number of registers, or all of them
 * when the helpers are not described and any may tail-call), with local calls, with and
 * without a stack given, callbacks; the helper sees an aligned stack, r0 is the interpreter's,
 * no tail call is counted, and every callee-saved register of the caller comes back as it
 * was. */
static void check_main_entries(void)
{
	static const struct {
		const char *text;
		uint64_t want; /* with r1 = 5 */
	} c[] = {
		{ "call 14\nexit\n", 1005 },
		{ "mov %r6, %r1\ncall 14\nadd %r0, %r6\nexit\n", 1010 },
		{ "mov %r6, %r1\nmov %r7, 2\ncall 14\nadd %r0, %r6\nadd %r0, %r7\nexit\n", 1012 },
		{ "mov %r6, %r1\nmov %r7, 2\nmov %r8, 3\nmov %r9, 4\nstxdw [%r10-8], %r9\n"
		  "call 14\nadd %r0, %r6\nadd %r0, %r7\nadd %r0, %r8\nldxdw %r9, [%r10-8]\n"
		  "add %r0, %r9\nexit\n", 1019 },
		{ "stxdw [%r10-16], %r1\nmov %r2, 3\ncall 2\nldxdw %r1, [%r10-16]\nadd %r1, %r0\n"
		  "call 14\nexit\n", 1013 },
		{ "mov %r6, 1\ncall local f\nadd %r0, %r6\nexit\nf:\nstxdw [%r10-8], %r1\n"
		  "call 14\nldxdw %r1, [%r10-8]\nadd %r0, %r1\nexit\n", 1011 },
		{ "call local f\nexit\nf:\nmov %r7, %r1\ncall local g\nadd %r0, %r7\nexit\ng:\n"
		  "call 14\nexit\n", 1010 },
		/* local calls keep what the callee (or its callees) writes of r6..r9: one, two
		 * (an even count of saves), through a nested call */
		{ "mov %r6, 1\nmov %r7, 2\nmov %r8, 3\nmov %r9, 4\ncall local f\nadd %r0, %r6\n"
		  "add %r0, %r7\nadd %r0, %r8\nadd %r0, %r9\nexit\nf:\nmov %r8, 100\ncall 14\n"
		  "exit\n", 1015 },
		{ "mov %r6, 1\nmov %r7, 2\nmov %r8, 3\nmov %r9, 4\ncall local f\nadd %r0, %r6\n"
		  "add %r0, %r7\nadd %r0, %r8\nadd %r0, %r9\nexit\nf:\nmov %r8, 100\n"
		  "mov %r9, 200\ncall 14\nexit\n", 1015 },
		{ "mov %r6, 1\nmov %r7, 2\nmov %r8, 3\nmov %r9, 4\ncall local f\nadd %r0, %r6\n"
		  "add %r0, %r7\nadd %r0, %r8\nadd %r0, %r9\nexit\nf:\nmov %r7, %r1\n"
		  "call local g\nadd %r0, %r7\nsub %r0, 5\nexit\ng:\nmov %r6, 9\nstxdw [%r10-8], %r6\n"
		  "call 14\nldxdw %r6, [%r10-8]\nadd %r0, %r6\nsub %r0, 9\nexit\n", 1015 },
		/* callbacks: 3 rounds of helper 14 (each 1000 + the index) */
		{ "mov %r1, 3\nlddw %r2, func cb\ncall 13\nexit\ncb:\ncall 14\nmov %r0, 0\n"
		  "exit\n", 3 },
	};
	static uint64_t stack[BPFH_MAX_FRAMES * BPFH_STACK_SIZE / 8];
	struct bpfh_exec_opts described = { .sz = sizeof(described),
					    .verdict = BPFH_EXEC_UNVERIFIED,
					    .helper_info = entry_helper_info };
	size_t i, e;
	int given, info;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		for (e = 0; e < NENGINES; e++)
			for (info = 0; info <= 1; info++) {
				struct bpfh_exec *exec;

				if (!CHECKF(prepare(c[i].text, engines[e], info ? &described : NULL,
						    &exec) == 0, "case %zu: %s", i, logbuf))
					continue;
				for (given = 0; given <= 1; given++) {
					uint64_t r0;
					unsigned tails;
					int err = run_entry(exec, 5, given ? stack : NULL,
							    entry_helpers, 15, &r0, &tails);

					CHECKF(err == 0 && r0 == c[i].want && tails == 0,
					       "case %zu, %s, helpers %s, stack %s: err %d, r0 %llu "
					       "(want %llu), tail calls %u", i,
					       bpfh_engine_name(engines[e]),
					       info ? "described" : "unknown", given ? "given" : "own",
					       err, (unsigned long long)r0,
					       (unsigned long long)c[i].want, tails);
				}
				bpfh_exec_destroy(exec);
			}
}

/* A program whose calls are bound to the run's helper table tail-calls into one prepared
 * without a table, which looks its helper up in the run's (through the context the first
 * one's entry made: it must hold the run's table although the first program's calls do not
 * read it). The native stack is dirtied first, so that a table the entry did not set shows. */
static void check_bound_tail_unbound(void)
{
	const size_t nhelpers = sizeof(more_helpers) / sizeof(more_helpers[0]);
	struct bpfh_exec_opts bound = { .sz = sizeof(bound), .verdict = BPFH_EXEC_UNVERIFIED,
					.helpers = more_helpers, .nhelpers = nhelpers };
	struct bpfh_exec *a, *b;
	size_t e;

	for (e = 0; e < NENGINES; e++) {
		uint64_t r0 = 0;
		unsigned tails = 0;
		int err;

		if (!CHECKF(prepare("call 12\nmov %r0, 99\nexit\n", engines[e], &bound, &a) == 0,
			    "%s", logbuf))
			continue;
		if (CHECKF(prepare("mov %r2, 3\ncall 2\nexit\n", engines[e], NULL, &b) == 0, "%s",
			   logbuf)) {
			tail_target = b;
			err = run_entry(a, 40, NULL, more_helpers, nhelpers, &r0, &tails);
			CHECKF(err == 0 && r0 == 43 && tails == 1, "%s: err %d, r0 %llu, tails %u",
			       bpfh_engine_name(engines[e]), err, (unsigned long long)r0, tails);
			tail_target = NULL;
			bpfh_exec_destroy(b);
		}
		bpfh_exec_destroy(a);
	}
}

/* ---- tail calls: every caller into every target, the JIT against the interpreter ---- */

/* The matrix's callers, each tail-calling tail_target through helper 12 (r1 = 40 at the run's
 * start): plainly; after stores to its frame; from a subprogram, with r6..r9 and its frame's
 * slot read after the local call returns; from a bpf_loop callback (helper 13, three rounds
 * or until the callback, the target by then, returns non-zero), which stores its r1 to its
 * own frame first. And none (NULL): the target runs itself, through a leaf's run entry or
 * the main entry. frame: whether the caller stores [r10-8] before the call. */
static const struct {
	const char *name, *text;
	int frame;
} tm_callers[] = {
	{ "none", NULL, 0 },
	{ "plain", "call 12\nmov %r0, 99\nexit\n", 0 },
	{ "stack", "mov %r6, %r1\nstxdw [%r10-8], %r6\nstdw [%r10-16], 2\nstdw [%r10-512], 9\n"
		   "call 12\nmov %r0, 99\nexit\n", 1 },
	{ "subprogram", "mov %r6, 11\nmov %r7, 22\nmov %r8, 33\nmov %r9, 44\nstdw [%r10-8], 5\n"
			"call local f\nadd %r0, %r6\nadd %r0, %r7\nadd %r0, %r8\nadd %r0, %r9\n"
			"ldxdw %r1, [%r10-8]\nadd %r0, %r1\nexit\n"
			"f:\nstxdw [%r10-8], %r1\ncall 12\nmov %r0, 99\nexit\n", 1 },
	{ "callback", "mov %r6, %r1\nstxdw [%r10-8], %r6\nmov %r1, 3\nlddw %r2, func cb\n"
		      "mov %r3, 0\ncall 13\nmul %r0, 1000\nldxdw %r1, [%r10-8]\nadd %r0, %r1\n"
		      "add %r0, %r6\nexit\n"
		      "cb:\nstxdw [%r10-8], %r1\ncall 12\nmov %r0, 99\nexit\n", 1 },
};

/* The targets: they read r1 (the caller's) and, one, the caller's frame, no other register
 * before writing it; each gives r0 = 0 for r1 = 0, so that the callback's loop goes on after
 * its first round. A leaf naming r6; a leaf whose divisions use the JIT's t3, and one whose
 * atomics do (fetch-or and -xor, r0 the operand of one, in the caller's frame; fetch-add,
 * which does not); a leaf reading the caller's [r10-8]; one calling helper 2; one with a
 * local call; one tail-calling itself (r1 + 1 each time) until the limit of 33; one calling
 * helper 9, which no table has (the run fails, named by the log). reads_frame: whether it
 * reads the caller's [r10-8]. */
static const struct {
	const char *name, *text;
	int reads_frame;
} tm_targets[] = {
	{ "leaf", "mov %r6, %r1\nmul %r6, 3\nmov %r0, %r6\nexit\n", 0 },
	{ "leaf-div", "mov %r0, %r1\ndiv %r0, 3\nmov %r8, %r1\nmov %r7, 5\nmod %r8, %r7\n"
		      "add %r0, %r8\nexit\n", 0 },
	{ "leaf-atomic", "stxdw [%r10-16], %r1\nmov %r7, %r1\nlock fetch or [%r10-16], %r7\n"
			 "mov %r0, %r1\nlsh %r0, 1\nlock fetch xor [%r10-16], %r0\n"
			 "stxdw [%r10-24], %r1\nlock fetch add [%r10-24], %r7\nadd %r0, %r7\n"
			 "exit\n", 0 },
	{ "leaf-frame", "ldxdw %r0, [%r10-8]\nadd %r0, %r1\nexit\n", 1 },
	{ "helper", "mov %r6, %r1\nmov %r2, %r1\ncall 2\nadd %r0, %r6\nexit\n", 0 },
	{ "local", "mov %r6, %r1\ncall local f\nadd %r0, %r6\nexit\n"
		   "f:\nstxdw [%r10-8], %r1\nmov %r0, %r1\nlsh %r0, 1\nldxdw %r2, [%r10-8]\n"
		   "add %r0, %r2\nexit\n", 0 },
	{ "self", "mov %r6, %r1\nadd %r6, 1\nmov %r1, %r6\ncall 12\nadd %r0, %r6\nexit\n", 0 },
	{ "unknown-helper", "mov %r6, %r1\ncall 9\nexit\n", 0 },
};

#define TM_STACK_WORDS (BPFH_MAX_FRAMES * BPFH_STACK_SIZE / 8)

/* What one run of the matrix gives: compared whole between the engines. */
struct tm_outcome {
	int err;
	uint64_t r0;
	unsigned tail_calls;
	char log[sizeof(logbuf)];
	uint64_t stack[TM_STACK_WORDS];
};

/* Options of kind k for a program named name: bit 0 the helpers described (helper_info),
 * bit 1 its calls bound to more_helpers, the table every run gives. */
static void tm_opts(struct bpfh_exec_opts *o, unsigned k, const char *name)
{
	memset(o, 0, sizeof(*o));
	o->sz = sizeof(*o);
	o->verdict = BPFH_EXEC_UNVERIFIED;
	o->name = name;
	if (k & 1)
		o->helper_info = entry_helper_info;
	if (k & 2) {
		o->helpers = more_helpers;
		o->nhelpers = sizeof(more_helpers) / sizeof(more_helpers[0]);
	}
}

/* Prepare caller c and target t on engine with option kinds kc and kt and run the caller
 * (or, without one, the target) once (r1 = 40, the table more_helpers, on the run's stack
 * when given: filled with a pattern first) into *o; 0, or -1 when a preparation failed (a
 * check says which). */
static int tm_run(size_t c, size_t t, enum bpfh_engine engine, unsigned kc, unsigned kt,
		  int given, struct tm_outcome *o)
{
	static uint64_t stack[TM_STACK_WORDS];
	struct bpfh_exec_opts oc, ot;
	struct bpfh_exec *caller = NULL, *target = NULL;
	size_t i;
	int ret = -1;

	memset(o, 0, sizeof(*o));
	tm_opts(&oc, kc, "caller");
	tm_opts(&ot, kt, "target");
	if ((tm_callers[c].text && prepare(tm_callers[c].text, engine, &oc, &caller)) ||
	    prepare(tm_targets[t].text, engine, &ot, &target)) {
		CHECKF(0, "%s: %s or %s: %s", bpfh_engine_name(engine), tm_callers[c].name,
		       tm_targets[t].name, logbuf);
		goto out;
	}
	for (i = 0; i < TM_STACK_WORDS; i++)
		stack[i] = 0x5a5a000000000000ull + i * 0x10001ull;
	tail_target = target;
	o->err = run_entry(caller ? caller : target, 40, given ? stack : NULL, more_helpers,
			   sizeof(more_helpers) / sizeof(more_helpers[0]), &o->r0, &o->tail_calls);
	tail_target = NULL;
	memcpy(o->log, logbuf, sizeof(logbuf));
	if (given)
		memcpy(o->stack, stack, sizeof(stack));
	ret = 0;
out:
	bpfh_exec_destroy(caller);
	bpfh_exec_destroy(target);
	return ret;
}

/* One case of the matrix: caller c into target t with option kinds kc and kt, on the run's
 * stack or not. The interpreter's outcome is checked to be a run that tail-called (but where
 * the target runs itself) and succeeded (but the unknown helper's, which fails by name);
 * every other engine's must be the same in full. */
static void tm_case(size_t c, size_t t, unsigned kc, unsigned kt, int given)
{
	static struct tm_outcome want, got;
	int failing = !strcmp(tm_targets[t].name, "unknown-helper");
	size_t e;

	if (tm_run(c, t, BPFH_ENGINE_INTERP, kc, kt, given, &want))
		return;
	CHECKF(want.tail_calls >= (tm_callers[c].text ? 1u : 0u) &&
	       (failing ? want.err == -ENOENT && strstr(want.log, "target: insn 1 (") &&
			  strstr(want.log, "call to unknown helper 9") :
			  want.err == 0 && !want.log[0]),
	       "%s into %s: err %d, tail calls %u: %s", tm_callers[c].name, tm_targets[t].name,
	       want.err, want.tail_calls, want.log);
	for (e = 0; e < NENGINES; e++) {
		if (engines[e] == BPFH_ENGINE_INTERP ||
		    tm_run(c, t, engines[e], kc, kt, given, &got))
			continue;
		CHECKF(got.err == want.err && got.r0 == want.r0 &&
		       got.tail_calls == want.tail_calls && !strcmp(got.log, want.log) &&
		       !memcmp(got.stack, want.stack, sizeof(got.stack)),
		       "%s: %s (%s%s) into %s (%s%s), stack %s: err %d/%d, r0 %llu/%llu, "
		       "tail calls %u/%u, stack %s, log '%s'/'%s'", bpfh_engine_name(engines[e]),
		       tm_callers[c].name, kc & 1 ? "described" : "undescribed",
		       kc & 2 ? ", bound" : "", tm_targets[t].name,
		       kt & 1 ? "described" : "undescribed", kt & 2 ? ", bound" : "",
		       given ? "given" : "own", got.err, want.err, (unsigned long long)got.r0,
		       (unsigned long long)want.r0, got.tail_calls, want.tail_calls,
		       memcmp(got.stack, want.stack, sizeof(got.stack)) ? "differs" : "the same",
		       got.log, want.log);
	}
}

/* Every caller into every target, each with its helpers undescribed or described, unbound or
 * bound (16 pairs; 4 where the target runs itself), on its own stack and on one the run gives
 * (but a target reading a frame that the caller did not write, which only the given stack
 * defines): error, r0, the count of tail calls, the log and the given stack as the
 * interpreter has them on every other engine (the JIT where this host has it). So the JIT's
 * entries (the main entry, a leaf's run entry and its tail-call arrival) and bpfh_exec_run
 * stay the interpreter's for every kind of program a tail call may join. k: bits 0-1 the
 * caller's kind of options, 2-3 the target's, 4 the stack given. */
static void check_tail_matrix(void)
{
	size_t c, t, cases = 0;
	unsigned k;

	for (c = 0; c < sizeof(tm_callers) / sizeof(tm_callers[0]); c++)
		for (t = 0; t < sizeof(tm_targets) / sizeof(tm_targets[0]); t++)
			for (k = 0; k < 32; k++) {
				if ((tm_targets[t].reads_frame && !tm_callers[c].frame &&
				     !(k & 16)) || (!tm_callers[c].text && (k & 3)))
					continue;
				tm_case(c, t, k & 3, (k >> 2) & 3, (k & 16) != 0);
				cases++;
			}
	printf("# engine-run: tail-call matrix of %zu cases\n", cases);
}

/* The JIT's own limits, and its refusal where it cannot run. */
static void check_jit(void)
{
	struct bpfh_exec_opts opts = { .sz = sizeof(opts), .name = "big", .jit_code_limit = 64,
				       .verdict = BPFH_EXEC_UNVERIFIED };
	struct bpfh_insn exit_insn = { 0x95, 0, 0, 0, 0 };
	struct bpfh_exec *exec;
	struct bpfh_log log;
	int err;

	bpfh_log_init(&log, logbuf, sizeof(logbuf));
	err = bpfh_exec_create(BPFH_ENGINE_JIT, &exit_insn, 1, &unverified, &log, &exec);
	if (!have_jit) {
		CHECKF(err == -ENOTSUP && exec == NULL &&
		       strstr(logbuf, "jit: not available on this host"), "%d: %s", err, logbuf);
		printf("# engine-run: the JIT is not available here, its checks skipped\n");
		return;
	}
	CHECKF(err == 0 && bpfh_exec_engine(exec) == BPFH_ENGINE_JIT && bpfh_exec_count(exec) == 1,
	       "%d: %s", err, logbuf);
	bpfh_exec_destroy(exec);
	CHECK(!strcmp(bpfh_engine_name(BPFH_ENGINE_JIT), "jit"));
	CHECKF(prepare("mov %r0, 1\nmov %r1, 2\nmov %r2, 3\nmov %r3, 4\nmov %r4, 5\nexit\n",
		       BPFH_ENGINE_JIT, &opts, &exec) == -E2BIG &&
	       strstr(logbuf, "big: jit: the program needs more than 64 bytes of machine code"),
	       "%s", logbuf);
	opts.jit_code_limit = 0; /* the default */
	CHECKF(prepare("mov %r0, 1\nexit\n", BPFH_ENGINE_JIT, &opts, &exec) == 0, "%s", logbuf);
	bpfh_exec_destroy(exec);
}

int main(void)
{
	struct bpfh_insn exit_insn = { 0x95, 0, 0, 0, 0 };
	struct bpfh_exec *exec;

	if (bpfh_exec_create(BPFH_ENGINE_JIT, &exit_insn, 1, &unverified, NULL, &exec) == 0) {
		bpfh_exec_destroy(exec);
		have_jit = 1;
		engines[NENGINES++] = BPFH_ENGINE_JIT;
	}
	check_long_ja32();
	check_16bit_limits();
	check_api();
	check_tail_calls();
	check_callbacks();
	check_kept_registers();
	check_leaf_entries();
	check_leaf_run_entry();
	check_leaf_unsettled();
	check_main_entries();
	check_bound_tail_unbound();
	check_tail_matrix();
	check_jit();
	return check_summary("engine-run");
}
