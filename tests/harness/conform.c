// SPDX-License-Identifier: MIT
/*
 * Runner for instruction test files (bpf_conformance format): every file on every engine asked
 * for, one summary line per engine ("interp: N passed, N failed"), and a line per failure.
 *
 *   bpfh-conform [--engine NAME]... [--negative] [--match-errors] [-v] FILE|DIR...
 *
 * A positive file passes when its program assembles (or its -- raw decodes), runs with r1 = a
 * copy of -- mem and r2 = its length, and leaves -- result in r0; or, for a file with -- error,
 * when the program is refused or fails at run time (with --match-errors, with a message that
 * contains the -- error text). With --negative every file must NOT pass,
 * and for the reason its name announces: unused-* refused by the decoder, invalid_* by the
 * assembler, empty* for lack of a program, anything else by a result that differs from its
 * deliberately wrong expectation.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/engine.h"
#include "datafile.h"

#define MAX_FILES 4096

#ifdef _WIN32
#define SEP_BACKSLASH 1
#else
#define SEP_BACKSLASH 0
#endif

/* Arbitrary code, run knowingly unverified (see bpfh_exec_opts.verdict). */
static const struct bpfh_exec_opts unverified = { .sz = sizeof(unverified),
						  .verdict = BPFH_EXEC_UNVERIFIED };

static int verbose;
static int negative; /* --negative: files must fail, each for its announced reason */
static int match_errors; /* --match-errors: a -- error text must appear in the log */

/* The one helper the suite calls (5) gives back its first argument. */
static uint64_t helper_identity(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
				struct bpfh_run *run)
{
	(void)r2, (void)r3, (void)r4, (void)r5, (void)run;
	return r1;
}

static const bpfh_helper_fn helpers[6] = { [5] = helper_identity };

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *dup_str(const char *s)
{
	char *d = malloc(strlen(s) + 1);

	if (d)
		strcpy(d, s);
	return d;
}

static int add_path(char **files, size_t *n, const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;

	if (!d) {
		if (*n < MAX_FILES)
			files[(*n)++] = dup_str(path);
		return 0;
	}
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		char *full;

		if (len < 6 || strcmp(e->d_name + len - 5, ".data") || *n >= MAX_FILES)
			continue;
		full = malloc(strlen(path) + len + 2);
		if (!full)
			break;
		sprintf(full, "%s/%s", path, e->d_name);
		files[(*n)++] = full;
	}
	closedir(d);
	return 0;
}

/* Outcome of one file on one engine. */
enum outcome { OUT_PASS, OUT_ASM, OUT_DECODE, OUT_EMPTY, OUT_PARSE, OUT_RUNTIME, OUT_MISMATCH };

static const char *const outcome_name[] = { "pass", "assembler refusal", "decoder refusal",
					    "no program", "unreadable file", "run-time error",
					    "result mismatch" };

static enum outcome run_file(const char *path, enum bpfh_engine engine, char *why, size_t whylen)
{
	struct datafile df;
	struct bpfh_log log;
	struct bpfh_exec *exec = NULL;
	struct bpfh_run run;
	struct bpfh_region region;
	enum datafile_stage st;
	enum outcome out;
	uint64_t r0 = 0;
	int err;

	bpfh_log_init(&log, why, whylen);
	st = datafile_load(path, &df, &log);
	if (st != DF_OK) {
		out = st == DF_ASM ? OUT_ASM : st == DF_EMPTY ? OUT_EMPTY : OUT_PARSE;
		goto done;
	}
	/* The suite checks the ISA on arbitrary code (the plugin verifies first). */
	err = bpfh_exec_create(engine, df.insns, df.count, &unverified, &log, &exec);
	if (err) {
		out = OUT_DECODE;
		goto done;
	}
	bpfh_run_init_memory(&run, &region, df.mem, df.mem_len);
	run.helpers = helpers;
	run.nhelpers = sizeof(helpers) / sizeof(helpers[0]);
	run.insn_limit = 10000000;
	run.log = &log;
	err = bpfh_exec_run(exec, &run, &r0);
	if (err) {
		out = OUT_RUNTIME;
	} else if (df.has_error) {
		bpfh_log_printf(&log, "ran to r0 = 0x%llx, but an error was expected (%s)\n",
				(unsigned long long)r0, df.error);
		out = OUT_MISMATCH;
	} else if (!df.has_result || r0 != df.result) {
		bpfh_log_printf(&log, "r0 = 0x%llx, expected 0x%llx\n", (unsigned long long)r0,
				(unsigned long long)df.result);
		out = OUT_MISMATCH;
	} else {
		out = OUT_PASS;
	}
done:
	/* A file that expects an error passes when it is refused or fails (with --match-errors,
	 * with a message containing the file's -- error text). */
	if (!negative && df.has_error && out != OUT_MISMATCH && out != OUT_PASS) {
		if (match_errors && df.error[0] && !strstr(why, df.error)) {
			bpfh_log_printf(&log, "expected an error containing '%s'\n", df.error);
			out = OUT_MISMATCH;
		} else {
			out = OUT_PASS;
		}
	}
	bpfh_exec_destroy(exec);
	datafile_free(&df);
	return out;
}

/* Which refusal a negative file's name announces. */
static enum outcome negative_expectation(const char *path)
{
	const char *base = path, *p;

	for (p = path; *p; p++) /* the last component; Windows paths may use either separator */
		if (*p == '/' || (*p == '\\' && SEP_BACKSLASH))
			base = p + 1;
	if (!strncmp(base, "unused-", 7))
		return OUT_DECODE;
	if (!strncmp(base, "invalid_", 8))
		return OUT_ASM;
	if (!strncmp(base, "empty", 5))
		return OUT_EMPTY;
	return OUT_MISMATCH;
}

int main(int argc, char **argv)
{
	static char *files[MAX_FILES];
	enum bpfh_engine engines[BPFH_ENGINE__COUNT];
	size_t nfiles = 0, nengines = 0, i, e;
	int a, any_fail = 0;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--engine") && a + 1 < argc) {
			if (bpfh_engine_parse(argv[++a], &engines[nengines]) ||
			    nengines + 1 >= BPFH_ENGINE__COUNT + 1) {
				fprintf(stderr, "bpfh-conform: unknown engine '%s'\n", argv[a]);
				return 2;
			}
			nengines++;
		} else if (!strcmp(argv[a], "--negative")) {
			negative = 1;
		} else if (!strcmp(argv[a], "--match-errors")) {
			match_errors = 1;
		} else if (!strcmp(argv[a], "-v")) {
			verbose = 1;
		} else {
			add_path(files, &nfiles, argv[a]);
		}
	}
	if (nengines == 0)
		engines[nengines++] = BPFH_ENGINE_INTERP;
	if (nfiles == 0) {
		fprintf(stderr, "usage: bpfh-conform [--engine NAME]... [--negative] [-v] FILE|DIR...\n");
		return 2;
	}
	qsort(files, nfiles, sizeof(files[0]), cmp_str);

	for (e = 0; e < nengines; e++) {
		unsigned passed = 0, failed = 0;

		for (i = 0; i < nfiles; i++) {
			char why[2048];
			enum outcome o = run_file(files[i], engines[e], why, sizeof(why));
			int ok;

			if (negative)
				ok = (o == negative_expectation(files[i]));
			else
				ok = (o == OUT_PASS);
			if (ok)
				passed++;
			else
				failed++;
			if (!ok || verbose) {
				size_t n = strlen(why);

				while (n && why[n - 1] == '\n')
					why[--n] = '\0';
				printf("%s %s [%s] %s: %s%s%s\n", ok ? "ok  " : "FAIL",
				       bpfh_engine_name(engines[e]), negative ? "negative" : "positive",
				       files[i], outcome_name[o],
				       negative && !ok ? ", expected " : "",
				       negative && !ok ? outcome_name[negative_expectation(files[i])] : "");
				if (why[0])
					printf("      %s\n", why);
			}
		}
		printf("%s%s: %u passed, %u failed\n", negative ? "negative " : "",
		       bpfh_engine_name(engines[e]), passed, failed);
		if (failed)
			any_fail = 1;
	}
	for (i = 0; i < nfiles; i++)
		free(files[i]);
	return any_fail;
}
