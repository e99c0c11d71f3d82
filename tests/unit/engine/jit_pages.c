// SPDX-License-Identifier: MIT
/*
 * The JIT's code pages: programs compiled and destroyed in turn, enough of them to fill several
 * chunks, one in five kept while later ones are made, and now and then one large enough for
 * pages of its own. The small ones jump, so their compilations take more than one pass (the
 * head of the code made once). Every program kept still gives its own result at the end
 * (leaf programs through both leaf entries, others through the C entry, a helper call and the
 * fault exit of an unknown helper, whose message names the program: the head of the code,
 * copied from the first compilation's, holds each program's own address), and no mapping of the
 * process is writable and executable at once while any of this happens, every kept program's
 * code lying in a read+execute mapping (/proc/self/maps, where the host has it).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/engine.h"
#include "bpfhost/isa.h"
#include "../check.h"

#define NPROGS 400      /* about 1.5 MiB of one-page programs: several chunks */
#define LARGE_EVERY 97  /* a program of about 100 KiB of code, pages of its own */
#define LARGE_SLOTS 20000

static char logbuf[4096];

enum kind { LEAF, CALLS, FAULTS, LARGE };

struct kept {
	struct bpfh_exec *exec;
	enum kind kind;
	uint64_t want;
	char name[32];
};

static uint64_t helper_add1(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
			    struct bpfh_run *run)
{
	(void)r2, (void)r3, (void)r4, (void)r5, (void)run;
	return r1 + 1;
}

static const bpfh_helper_fn helpers[6] = { [5] = helper_add1 };

static struct bpfh_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	struct bpfh_insn in;

	memset(&in, 0, sizeof(in));
	in.code = code;
	in.dst = dst;
	in.src = src;
	in.off = off;
	in.imm = imm;
	return in;
}

/* Program k of the given kind, and the r0 it returns (FAULTS: none, it fails). */
static struct bpfh_insn *make(enum kind kind, uint32_t k, size_t *count, uint64_t *want)
{
	struct bpfh_insn *p;
	size_t n = 0, i;

	p = calloc(kind == LARGE ? 2 * LARGE_SLOTS + 4 : 8, sizeof(*p));
	if (!p)
		return NULL;
	switch (kind) {
	/* (each with a jump, so that its compilation takes more than one pass) */
	case LEAF: /* r0 = k; if r1 != 0: r1 through the stack; r0 += r1 (the argument, 7) */
		p[n++] = insn(0xb7, 0, 0, 0, (int32_t)k);
		p[n++] = insn(0x15, 1, 0, 2, 0);
		p[n++] = insn(0x7b, 10, 1, -8, 0);
		p[n++] = insn(0x79, 1, 10, -8, 0);
		p[n++] = insn(0x0f, 0, 1, 0, 0);
		*want = k + 7;
		break;
	case CALLS: /* r1 = k; if r1 != -1: call 5 (r1 + 1) */
		p[n++] = insn(0xb7, 1, 0, 0, (int32_t)k);
		p[n++] = insn(0x15, 1, 0, 1, -1);
		p[n++] = insn(0x85, 0, 0, 0, 5);
		*want = k + 1;
		break;
	case FAULTS: /* call 4: not in the table */
		p[n++] = insn(0x85, 0, 0, 0, 4);
		*want = 0;
		break;
	case LARGE: /* r0 ^= (k << 32 | i) for each i: movabs and xor, 13 bytes each */
		p[n++] = insn(0xb7, 0, 0, 0, 0);
		*want = 0;
		for (i = 0; i < LARGE_SLOTS / 2; i++) {
			uint64_t v = (uint64_t)k << 32 | (uint32_t)(i * 2654435761u);

			p[n++] = insn(0x18, 2, 0, 0, (int32_t)(uint32_t)v);
			p[n++] = insn(0x00, 0, 0, 0, (int32_t)(uint32_t)(v >> 32));
			p[n++] = insn(0xaf, 0, 2, 0, 0);
			*want ^= v;
		}
		break;
	}
	p[n++] = insn(0x95, 0, 0, 0, 0);
	*count = n;
	return p;
}

static int create(enum kind kind, uint32_t k, struct kept *out)
{
	struct bpfh_exec_opts opts;
	struct bpfh_insn *insns;
	struct bpfh_log log;
	size_t count = 0;
	int err;

	insns = make(kind, k, &count, &out->want);
	if (!CHECK(insns))
		return -ENOMEM;
	snprintf(out->name, sizeof(out->name), "prog%u", (unsigned)k);
	out->kind = kind;
	bpfh_log_init(&log, logbuf, sizeof(logbuf));
	memset(&opts, 0, sizeof(opts));
	opts.sz = sizeof(opts);
	opts.verdict = BPFH_EXEC_UNVERIFIED;
	opts.name = out->name;
	err = bpfh_exec_create(BPFH_ENGINE_JIT, insns, count, &opts, &log, &out->exec);
	free(insns);
	CHECKF(err == 0, "%s: %d %s", out->name, err, logbuf);
	return err;
}

/* Runs the program as its kind says, with and without a stack of the run's. */
static void check_runs(const struct kept *p)
{
	static uint64_t stack[BPFH_MAX_FRAMES * BPFH_STACK_SIZE / 8];
	struct bpfh_region region;
	struct bpfh_run run;
	struct bpfh_log log;
	uint64_t r0;
	int pass, err;

	for (pass = 0; pass < 2; pass++) {
		bpfh_run_init_memory(&run, &region, NULL, 0);
		run.args[0] = 7;
		run.helpers = helpers;
		run.nhelpers = sizeof(helpers) / sizeof(helpers[0]);
		run.stack = pass ? stack : NULL;
		bpfh_log_init(&log, logbuf, sizeof(logbuf));
		run.log = &log;
		r0 = ~0ull;
		err = bpfh_exec_run(p->exec, &run, &r0);
		if (p->kind == FAULTS) {
			CHECKF(err == -ENOENT && strstr(logbuf, p->name) &&
			       strstr(logbuf, "unknown helper 4"), "%s: %d %s", p->name, err, logbuf);
		} else {
			CHECKF(err == 0 && r0 == p->want, "%s: %d, r0 0x%llx, want 0x%llx %s",
			       p->name, err, (unsigned long long)r0, (unsigned long long)p->want,
			       logbuf);
		}
	}
}

/* No mapping writable and executable; each kept program's code in a read+execute one. */
static void check_maps(const struct kept *kept, size_t nkept)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512], perms[8];
	unsigned long long lo, hi;
	size_t i, inside[NPROGS], wx = 0;

	if (!f)
		return; /* not Linux */
	memset(inside, 0, sizeof(inside));
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx-%llx %7s", &lo, &hi, perms) != 3)
			continue;
		if (strchr(perms, 'w') && strchr(perms, 'x')) {
			wx++;
			printf("writable and executable: %s", line);
		}
		for (i = 0; i < nkept; i++) {
			const void *code;
			size_t size;
			unsigned long long at;

			if (bpfh_exec_code(kept[i].exec, &code, &size))
				continue;
			at = (unsigned long long)(uintptr_t)code;
			if (at >= lo && at + size <= hi && !strcmp(perms, "r-xp"))
				inside[i] = 1;
		}
	}
	fclose(f);
	CHECK(wx == 0);
	for (i = 0; i < nkept; i++)
		CHECKF(inside[i], "%s: code not in one read+execute mapping", kept[i].name);
}

int main(void)
{
	static struct kept kept[NPROGS];
	struct bpfh_exec *probe = NULL;
	struct bpfh_insn ret[2];
	size_t nkept = 0, i;
	uint32_t k;

	ret[0] = insn(0xb7, 0, 0, 0, 0);
	ret[1] = insn(0x95, 0, 0, 0, 0);
	{
		struct bpfh_exec_opts opts;

		memset(&opts, 0, sizeof(opts));
		opts.sz = sizeof(opts);
		opts.verdict = BPFH_EXEC_UNVERIFIED;
		if (bpfh_exec_create(BPFH_ENGINE_JIT, ret, 2, &opts, NULL, &probe)) {
			CHECK(bpfh_engine_default() == BPFH_ENGINE_INTERP);
			return check_summary("engine-jit-pages");
		}
		bpfh_exec_destroy(probe);
	}
	for (k = 0; k < NPROGS; k++) {
		enum kind kind = k % LARGE_EVERY == LARGE_EVERY - 1 ? LARGE : (enum kind)(k % 3);
		struct kept p;

		if (create(kind, k, &p))
			break;
		check_runs(&p);
		if (k % 5 == 0 || kind == LARGE)
			kept[nkept++] = p;
		else
			bpfh_exec_destroy(p.exec);
		if (k % 50 == 0)
			check_maps(kept, nkept);
	}
	check_maps(kept, nkept);
	for (i = 0; i < nkept; i++)
		check_runs(&kept[i]);
	for (i = 0; i < nkept; i++)
		bpfh_exec_destroy(kept[i].exec);
	return check_summary("engine-jit-pages");
}
