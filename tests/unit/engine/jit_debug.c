// SPDX-License-Identifier: MIT
/*
 * What the JIT offers for debugging, and the default engine: bpfh_engine_default (the JIT
 * exactly where this host runs it), the code and per-instruction offsets bpfh_exec_code and
 * bpfh_exec_insn_offset give (increasing, lddw's second slot without code of its own, -ENOTSUP
 * on the interpreters), and the perf map: with the option, and with BPFH_PERF_MAP=1, preparing
 * a program appends "START SIZE NAME" for its code to /tmp/perf-PID.map (the file is removed
 * before and after).
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

int main(void)
{
	struct bpfh_exec *probe = NULL;
	int have_jit = prepare(BPFH_ENGINE_JIT, "probe", 0, &probe) == 0;

	bpfh_exec_destroy(probe);
	test_default(have_jit);
	if (have_jit) {
		test_code();
		test_perf_map();
	} else {
		printf("# jit_debug: the JIT is not available on this host: code and perf map "
		       "skipped\n");
	}
	return check_summary("engine-jit-debug");
}
