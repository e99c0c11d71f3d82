// SPDX-License-Identifier: MIT
/*
 * What the JIT offers for debugging, and the default engine: bpfh_engine_default (the JIT
 * exactly where this host runs it), the code and per-instruction offsets bpfh_exec_code and
 * bpfh_exec_insn_offset give (increasing, lddw's second slot without code of its own, -ENOTSUP
 * on the interpreters), and the perf map: with the option, and with BPFH_PERF_MAP=1, preparing
 * a program appends "START SIZE NAME" for its code to /tmp/perf-PID.map (the file is removed
 * before and after). And constant blinding: a program with 0x41414141 in an immediate of every
 * kind (ALU, ALU32, multiply, divide, modulo, jumps, stores, lddw, LD_ABS, LD_IND) gives the
 * interpreter's result blinded or not, the raw immediates are in the plain code and nowhere in
 * the blinded code (the option or BPFH_JIT_BLIND=1), and two blinded compilations differ.
 */
#define _POSIX_C_SOURCE 200809L /* setenv, unsetenv */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/engine.h"
#include "bpfhost/isa.h"
#include "../check.h"
#include "../../../src/platform/platform.h"

static char logbuf[4096];

static const char prog_text[] =
	"mov %r0, 1\n"
	"lddw %r1, 0x1122334455667788\n"
	"add %r0, %r1\n"
	"ja +1\n"
	"mov %r0, 0\n"
	"exit\n";

static const char blind_text[] =
	"mov %r6, %r1\n"
	"mov %r0, 0x41414141\n"
	"add %r0, 0x41414141\n"
	"add32 %r0, 0x41414141\n"
	"sub %r0, 0x41414141\n"
	"or %r0, 0x41414141\n"
	"xor %r0, 0x41414141\n"
	"mul %r0, 0x41414141\n"
	"mov %r1, %r0\n"
	"div %r1, 0x41414141\n"
	"mod %r0, 0x41414141\n"
	"sdiv32 %r1, 0x41414141\n"
	"add %r0, %r1\n"
	"mov32 %r3, 0x41414141\n"
	"and %r3, 0x41414141\n"
	"add %r0, %r3\n"
	"jeq %r0, 0x41414141, +1\n"
	"add %r0, 1\n"
	"jset %r0, 0x41414141, +1\n"
	"add %r0, 2\n"
	"jlt32 %r0, 0x41414141, +1\n"
	"add %r0, 4\n"
	"stw [%r10-8], 0x41414141\n"
	"stdw [%r10-16], 0x41414141\n"
	"ldxw %r5, [%r10-8]\n"
	"add %r0, %r5\n"
	"ldxdw %r5, [%r10-16]\n"
	"add %r0, %r5\n"
	"lddw %r4, 0x4141414141414141\n"
	"add %r0, %r4\n"
	"lddw %r4, 0x41414141\n"
	"add %r0, %r4\n"
	"mov %r7, %r0\n"
	"ldabsw 4\n"
	"add %r7, %r0\n"
	"mov %r2, 0\n"
	"ldindw %r2, 8\n"
	"add %r7, %r0\n"
	"mov %r0, %r7\n"
	"ja +2\n"
	"ldabsw 0x41414141\n"
	"ldindw %r2, 0x41414141\n"
	"exit\n";

static int prepare_text(enum bpfh_engine engine, const char *text, int blind,
			struct bpfh_exec **out)
{
	struct bpfh_exec_opts opts;
	struct bpfh_insn *insns;
	struct bpfh_log log;
	size_t count;
	int err;

	bpfh_log_init(&log, logbuf, sizeof(logbuf));
	err = bpfh_asm(text, "jit_debug", 1, &insns, &count, &log);
	if (!CHECKF(err == 0, "%s", logbuf))
		return err;
	memset(&opts, 0, sizeof(opts));
	opts.sz = sizeof(opts);
	opts.verdict = BPFH_EXEC_UNVERIFIED;
	opts.blind = blind;
	err = bpfh_exec_create(engine, insns, count, &opts, &log, out);
	free(insns);
	return err;
}

static int prepare(enum bpfh_engine engine, const char *name, int perf_map,
		   struct bpfh_exec **out)
{
	struct bpfh_exec_opts opts;
	struct bpfh_insn *insns;
	struct bpfh_log log;
	size_t count;
	int err;

	bpfh_log_init(&log, logbuf, sizeof(logbuf));
	err = bpfh_asm(prog_text, "jit_debug", 1, &insns, &count, &log);
	if (!CHECKF(err == 0, "%s", logbuf))
		return err;
	memset(&opts, 0, sizeof(opts));
	opts.sz = sizeof(opts);
	opts.verdict = BPFH_EXEC_UNVERIFIED;
	opts.name = name;
	opts.perf_map = perf_map;
	err = bpfh_exec_create(engine, insns, count, &opts, &log, out);
	free(insns);
	return err;
}

/* Whether the perf map holds the line of exec's code with name. */
static int perf_map_has(const char *path, const struct bpfh_exec *exec, const char *name)
{
	char want[256], *text = NULL;
	const void *code;
	size_t size, len;
	int found;

	if (bpfh_exec_code(exec, &code, &size))
		return 0;
	snprintf(want, sizeof(want), "%llx %zx %s\n", (unsigned long long)(uintptr_t)code, size,
		 name);
	if (bpfh_file_read(path, &text, &len))
		return 0;
	found = strstr(text, want) != NULL;
	free(text);
	return found;
}

static void test_default(int have_jit)
{
	CHECK(bpfh_engine_default() == (have_jit ? BPFH_ENGINE_JIT : BPFH_ENGINE_INTERP));
}

static void test_code(void)
{
	struct bpfh_exec *exec = NULL;
	const void *code;
	size_t size, i;
	long prev = 0;

	if (!CHECK(prepare(BPFH_ENGINE_JIT, "code", 0, &exec) == 0))
		return;
	CHECK(bpfh_exec_code(exec, &code, &size) == 0);
	CHECK(code != NULL && size > 0);
	for (i = 0; i <= bpfh_exec_count(exec); i++) {
		long off = bpfh_exec_insn_offset(exec, i);

		CHECKF(off >= prev && (size_t)off <= size, "insn %zu at %ld", i, off);
		prev = off;
	}
	CHECK(bpfh_exec_insn_offset(exec, 0) > 0);             /* the entry comes first */
	CHECK(bpfh_exec_insn_offset(exec, 2) == bpfh_exec_insn_offset(exec, 3)); /* lddw hi */
	CHECK(bpfh_exec_insn_offset(exec, 1) < bpfh_exec_insn_offset(exec, 2));
	CHECK(bpfh_exec_insn_offset(exec, bpfh_exec_count(exec) + 1) == -EINVAL);
	bpfh_exec_destroy(exec);

	exec = NULL;
	if (!CHECK(prepare(BPFH_ENGINE_INTERP, "code", 0, &exec) == 0))
		return;
	CHECK(bpfh_exec_code(exec, &code, &size) == -ENOTSUP);
	CHECK(bpfh_exec_insn_offset(exec, 0) == -ENOTSUP);
	bpfh_exec_destroy(exec);
}

static void test_perf_map(void)
{
	struct bpfh_exec *a = NULL, *b = NULL, *c = NULL;
	char path[64];
	char *text = NULL;
	size_t len;

	snprintf(path, sizeof(path), "/tmp/perf-%u.map", bpfh_process_id());
	remove(path);
	/* off: nothing written */
	if (!CHECK(prepare(BPFH_ENGINE_JIT, "quiet", 0, &c) == 0))
		return;
	CHECK(bpfh_file_read(path, &text, &len) != 0);
	free(text);
	/* the option */
	if (CHECK(prepare(BPFH_ENGINE_JIT, "prog_by_option", 1, &a) == 0))
		CHECK(perf_map_has(path, a, "prog_by_option"));
	/* the environment */
	setenv("BPFH_PERF_MAP", "1", 1);
	if (CHECK(prepare(BPFH_ENGINE_JIT, "prog_by_env", 0, &b) == 0)) {
		CHECK(perf_map_has(path, b, "prog_by_env"));
		CHECK(perf_map_has(path, a, "prog_by_option")); /* appended, not replaced */
	}
	unsetenv("BPFH_PERF_MAP");
	remove(path);
	bpfh_exec_destroy(a);
	bpfh_exec_destroy(b);
	bpfh_exec_destroy(c);
}

/* Whether the code holds the n bytes of pat (little-endian, as x86 encodes immediates). */
static int code_has(const struct bpfh_exec *exec, uint64_t pat, size_t n)
{
	const uint8_t *code;
	const void *c;
	size_t size, i, k;

	if (bpfh_exec_code(exec, &c, &size))
		return 0;
	code = c;
	for (i = 0; i + n <= size; i++) {
		for (k = 0; k < n && code[i + k] == (uint8_t)(pat >> (8 * k)); k++)
			;
		if (k == n)
			return 1;
	}
	return 0;
}

static int run_blind_prog(const struct bpfh_exec *exec, uint64_t *r0)
{
	static uint8_t mem[64];
	struct bpfh_region region;
	struct bpfh_run run;
	size_t i;

	for (i = 0; i < sizeof(mem); i++)
		mem[i] = (uint8_t)(i * 7 + 1);
	bpfh_run_init_memory(&run, &region, mem, sizeof(mem));
	return bpfh_exec_run(exec, &run, r0);
}

static void test_blind(void)
{
	struct bpfh_exec *interp = NULL, *plain = NULL, *blind = NULL, *again = NULL, *env = NULL;
	uint64_t want = 0, got = 0;
	const void *c1, *c2;
	size_t s1, s2;

	if (!CHECK(prepare_text(BPFH_ENGINE_INTERP, blind_text, 0, &interp) == 0) ||
	    !CHECK(prepare_text(BPFH_ENGINE_JIT, blind_text, 0, &plain) == 0) ||
	    !CHECK(prepare_text(BPFH_ENGINE_JIT, blind_text, 1, &blind) == 0) ||
	    !CHECK(prepare_text(BPFH_ENGINE_JIT, blind_text, 1, &again) == 0))
		goto out;
	CHECK(run_blind_prog(interp, &want) == 0);
	CHECK(run_blind_prog(plain, &got) == 0 && got == want);
	got = 0;
	CHECKF(run_blind_prog(blind, &got) == 0 && got == want, "blinded r0 0x%llx, interp 0x%llx",
	       (unsigned long long)got, (unsigned long long)want);
	CHECK(code_has(plain, 0x41414141, 4));          /* the test would see them */
	CHECK(code_has(plain, 0x4141414141414141ull, 8));
	CHECK(!code_has(blind, 0x41414141, 4));
	CHECK(!code_has(again, 0x41414141, 4));
	CHECK(bpfh_exec_code(blind, &c1, &s1) == 0 && bpfh_exec_code(again, &c2, &s2) == 0);
	CHECK(s1 == s2 && memcmp(c1, c2, s1) != 0);   /* new keys per compilation */
	setenv("BPFH_JIT_BLIND", "1", 1);
	if (CHECK(prepare_text(BPFH_ENGINE_JIT, blind_text, 0, &env) == 0)) {
		CHECK(!code_has(env, 0x41414141, 4));
		got = 0;
		CHECK(run_blind_prog(env, &got) == 0 && got == want);
	}
	unsetenv("BPFH_JIT_BLIND");
out:
	bpfh_exec_destroy(interp);
	bpfh_exec_destroy(plain);
	bpfh_exec_destroy(blind);
	bpfh_exec_destroy(again);
	bpfh_exec_destroy(env);
}

int main(void)
{
	struct bpfh_exec *probe = NULL;
	int have_jit = prepare(BPFH_ENGINE_JIT, "probe", 0, &probe) == 0;

	bpfh_exec_destroy(probe);
	test_default(have_jit);
	if (have_jit) {
		test_code();
		test_perf_map();
		test_blind();
	} else {
		printf("# jit_debug: the JIT is not available on this host: code and perf map "
		       "skipped\n");
	}
	return check_summary("engine-jit-debug");
}
