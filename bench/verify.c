// SPDX-License-Identifier: MIT
/*
 * The verifier's benchmark (bpfh-bench --verify DIR, once per directory): every program of
 * every DIR/NAME.bpf.o verified as loading would (bpfh_object_verify_prog), timed as the best of a
 * few runs (as many as fit in about 100 ms, at least one), with the analysis's peak memory
 * (result.peak_bytes) and the growth of the process's peak RSS over the first run
 * (getrusage), which only shows what exceeds every earlier peak. make bench gives it the
 * examples and bench/progs' large programs (verify_*.bpf.c: 10,000 instructions or more).
 * Prints one line per program: instructions, verdict, ms, ms per 1000 instructions, peak KiB,
 * RSS growth; then the averages. Records in bench.json: {"bench": "verify-FILE/PROGRAM",
 * "engine": "verifier" (or "verifier-rejected", "verifier-error"), "ns_per_run": the time,
 * "insns_per_run": the instructions}, and the same bench with engine "verifier-peak-bytes"
 * whose ns_per_run field holds the peak bytes; then "verify-average" (engine "verifier",
 * ns_per_run: ns per 1000 instructions over every program verified).
 */
#if defined(__linux__)
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__unix__)
#include <sys/resource.h>
#define BENCH_RUSAGE 1
#else
#define BENCH_RUSAGE 0
#endif

#include "bpfhost/contexts.h"
#include "bpfhost/obj.h"
#include "bpfhost/prog.h"
#include "bpfhost/verify.h"
#include "../src/platform/platform.h"
#include "bench.h"

#define MAX_FILES 128
#define BUDGET_NS 100000000ull /* per program */
#define MAX_RUNS 50

/* Peak RSS of the process in KiB (0 where unknown). */
static long peak_rss_kib(void)
{
#if BENCH_RUSAGE
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) == 0)
		return ru.ru_maxrss; /* KiB on Linux */
#endif
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The DIR/NAME.bpf.o files in name order (malloc'ed), or -1. */
static int list_objects(const char *dir, char **names, int max)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL && n < max) {
		size_t len = strlen(e->d_name);

		if (len <= 6 || strcmp(e->d_name + len - 6, ".bpf.o"))
			continue;
		names[n] = malloc(strlen(dir) + len + 2);
		if (!names[n])
			break;
		sprintf(names[n++], "%s/%s", dir, e->d_name);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), cmp_str);
	return n;
}

struct totals {
	size_t programs, accepted, rejected, errors;
	double ms, insns, ratio_sum; /* ratio_sum: ms per 1000 instructions, summed */
	double ms_accepted, insns_accepted;
	double worst_ms;
	char worst[96];
};

static void bench_prog(const struct bpfh_object *obj, const struct bpfh_obj_prog *p,
		       const char *base, struct totals *t)
{
	struct bpfh_object_verify_opts vo;
	struct bpfh_verify_result r;
	struct bpfh_log log;
	char logbuf[1024], name[64];
	uint64_t best = UINT64_MAX, spent = 0;
	long rss0, rss1;
	const char *verdict;
	double ms;
	int err = 0, runs;

	memset(&vo, 0, sizeof(vo));
	vo.sz = sizeof(vo);
	rss0 = peak_rss_kib();
	for (runs = 0; runs < MAX_RUNS && (runs == 0 || spent < BUDGET_NS); runs++) {
		uint64_t t0 = bpfh_time_ns(), dt;

		bpfh_log_init(&log, logbuf, sizeof(logbuf));
		err = bpfh_object_verify_prog(obj, p, &vo, &r, &log);
		dt = bpfh_time_ns() - t0;
		if (runs == 0)
			rss1 = peak_rss_kib();
		spent += dt;
		/* the verifier's own clock where it has one: what the analysis took */
		if (r.time_ns && r.time_ns < dt)
			dt = r.time_ns;
		if (dt < best)
			best = dt;
		if (err && err != -EACCES)
			break;
	}
	verdict = err == 0 ? "accepted" : err == -EACCES ? "rejected" : "error";
	ms = (double)best / 1e6;
	snprintf(name, sizeof(name), "verify-%.24s/%.30s", base, p->name);
	printf("%-52s %6zu  %-8s %9.3f %8.3f %9.1f %8ld\n", name + 7, p->count, verdict, ms,
	       p->count ? ms * 1000.0 / (double)p->count : 0.0, (double)r.peak_bytes / 1024.0,
	       rss1 - rss0);
	if (err && err != -EACCES) {
		printf("    %s", logbuf);
		t->errors++;
		bench_record(name, "verifier-error", (double)best, p->count);
		return;
	}
	t->programs++;
	t->ms += ms;
	t->insns += (double)p->count;
	t->ratio_sum += p->count ? ms * 1000.0 / (double)p->count : 0.0;
	if (err == 0) {
		t->accepted++;
		t->ms_accepted += ms;
		t->insns_accepted += (double)p->count;
	} else {
		t->rejected++;
	}
	if (ms > t->worst_ms) {
		t->worst_ms = ms;
		snprintf(t->worst, sizeof(t->worst), "%s", name + 7);
	}
	bench_record(name, err ? "verifier-rejected" : "verifier", (double)best, p->count);
	bench_record(name, "verifier-peak-bytes", (double)r.peak_bytes, p->count);
}

int bench_verify(const char *const *dirs, size_t ndirs)
{
	struct totals t;
	size_t d;
	int failed = 0;

	memset(&t, 0, sizeof(t));
	printf("\nverifier: time and memory to verify each program (best of up to %d runs)\n",
	       MAX_RUNS);
	printf("%-52s %6s  %-8s %9s %8s %9s %8s\n", "program", "insns", "verdict", "ms",
	       "ms/1k", "peak KiB", "rss+KiB");
	for (d = 0; d < ndirs; d++) {
		char *names[MAX_FILES];
		int n = list_objects(dirs[d], names, MAX_FILES), i;

		if (n < 0) {
			fprintf(stderr, "bench: verify: cannot read %s\n", dirs[d]);
			failed = 1;
			continue;
		}
		for (i = 0; i < n; i++) {
			struct bpfh_object_opts oo;
			struct bpfh_object *obj = NULL;
			struct bpfh_log log;
			char logbuf[2048];
			const char *slash = strrchr(names[i], '/');
			const char *base = slash ? slash + 1 : names[i];
			char stem[64];
			size_t j;

			snprintf(stem, sizeof(stem), "%s", base);
			if (strlen(stem) > 6 && !strcmp(stem + strlen(stem) - 6, ".bpf.o"))
				stem[strlen(stem) - 6] = 0;
			memset(&oo, 0, sizeof(oo));
			oo.sz = sizeof(oo);
			oo.target_btf = bpfh_context_btf();
			bpfh_log_init(&log, logbuf, sizeof(logbuf));
			if (bpfh_object_open_file_opts(names[i], &oo, &log, &obj)) {
				printf("%-52s cannot open: %s", stem, logbuf);
				t.errors++;
				free(names[i]);
				continue;
			}
			for (j = 0; j < obj->nprogs; j++)
				bench_prog(obj, &obj->progs[j], stem, &t);
			bpfh_object_destroy(obj);
			free(names[i]);
		}
	}
	if (t.programs) {
		printf("%zu programs (%zu accepted, %zu rejected, %zu errors), %.0f instructions: "
		       "%.3f ms per 1000 instructions over them all, %.3f on average per program "
		       "(%.3f ms in all)\n", t.programs, t.accepted, t.rejected, t.errors, t.insns,
		       t.ms * 1000.0 / t.insns, t.ratio_sum / (double)t.programs, t.ms);
		if (t.insns_accepted)
			printf("accepted programs: %.3f ms per 1000 instructions (%.0f instructions)\n",
			       t.ms_accepted * 1000.0 / t.insns_accepted, t.insns_accepted);
		printf("slowest: %s, %.3f ms\n", t.worst, t.worst_ms);
		bench_record("verify-average", "verifier", t.ms * 1e6 * 1000.0 / t.insns,
			     (uint64_t)t.insns);
	}
	return failed;
}
