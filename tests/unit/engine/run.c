// SPDX-License-Identifier: MIT
/*
 * Engine behaviour that data files cannot show compactly: jumps across more slots than a 16-bit
 * offset reaches (ja32 forward and backward over 40,000 instructions, and the 16-bit limits
 * exactly), programs assembled from generated text; and the error codes of the exec API
 * (unknown engine, kfunc, unresolved and resolved map loads, unknown helper, call depth, bad
 * access, instruction budget), each on both interpreters where it applies. The resolver
 * below makes every map form load (src << 32 | (imm + imm2)), so the test sees which was used.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/engine.h"
#include "bpfhost/isa.h"
#include "../check.h"

static const enum bpfh_engine engines[] = { BPFH_ENGINE_INTERP, BPFH_ENGINE_INTERP_CHECKED };
#define NENGINES (sizeof(engines) / sizeof(engines[0]))

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
	err = bpfh_exec_create(engine, insns, count, NULL, &log, &exec);
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
	struct bpfh_exec_opts opts = { sizeof(opts), resolve_map, NULL, "prog" };
	struct bpfh_insn exit_insn = { 0x95, 0, 0, 0, 0 };
	struct bpfh_exec *exec;
	struct bpfh_run run;
	struct bpfh_log log;
	uint64_t r0;
	size_t e;

	CHECK(bpfh_exec_create(BPFH_ENGINE__COUNT, &exit_insn, 1, NULL, NULL, &exec) == -EINVAL &&
	      exec == NULL);
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

int main(void)
{
	check_long_ja32();
	check_16bit_limits();
	check_api();
	return check_summary("engine-run");
}
