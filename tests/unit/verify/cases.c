// SPDX-License-Identifier: MIT
/*
 * The verifier's data-driven cases: every case of tests/data/verify/NAME.data (format in
 * tests/harness/vcase.h) is one check: its verdict, and for rejections the message fragment;
 * verified again with a trace callback (what --verbose does), the verdict and log must be the
 * same.
 * Also verifies every program of the public conformance suite as a memory program of its -- mem
 * size and prints how many are accepted (information, not a check: some do things the verifier
 * refuses on purpose); for each accepted one, the expected r0 must lie in the computed range.
 * Run from the top of the tree, as make check does.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/verify.h"
#include "../../harness/datafile.h"
#include "../../harness/vcase.h"
#include "../check.h"

#define MAX_FILES 512

static unsigned cases_run, cases_accepted;

static void no_trace(void *arg, size_t insn, const char *invariant)
{
	(void)arg;
	(void)insn;
	(void)invariant;
}

static void run_case(void *arg, const char *file, const struct vcase *c, const char *problem)
{
	char logbuf[1024], traced[1024];
	struct bpfh_log log;
	struct bpfh_insn *insns = NULL;
	size_t count = 0;
	struct bpfh_verify_prog_type type;
	struct bpfh_verify_input in;
	struct bpfh_verify_result res;
	int err, traced_err;

	(void)arg;
	if (problem) {
		CHECKF(0, "%s: %s: %s", file, c->name, problem);
		return;
	}
	bpfh_log_init(&log, logbuf, sizeof(logbuf));
	if (!c->asm_text || c->verdict < 0) {
		CHECKF(0, "%s: %s: no -- asm or -- verdict", file, c->name);
		return;
	}
	if (vcase_type(c, &type)) {
		CHECKF(0, "%s: %s: unknown type %s", file, c->name, c->type);
		return;
	}
	err = bpfh_asm(c->asm_text, c->name, c->asm_line, &insns, &count, &log);
	if (err) {
		CHECKF(0, "%s: %s: assembly failed: %s", file, c->name, logbuf);
		return;
	}
	vcase_input(c, &type, insns, count, &in);
	bpfh_log_init(&log, logbuf, sizeof(logbuf));
	err = bpfh_verify(&in, &res, &log);
	/* Tracing (--verbose) keeps more states; the verdict and the message must not change. */
	in.opts.trace = no_trace;
	bpfh_log_init(&log, traced, sizeof(traced));
	traced_err = bpfh_verify(&in, NULL, &log);
	cases_run++;
	cases_accepted += err == 0;
	/* One check per case, so the counts are cases. */
	if (traced_err != err || strcmp(traced, logbuf))
		CHECKF(0, "%s: %s: with a trace, got %d: %s; without, %d: %s", file, c->name,
		       traced_err, traced, err, logbuf);
	else if (c->verdict)
		CHECKF(err == 0 && res.accepted, "%s: %s: want accept, got %d: %s", file, c->name,
		       err, logbuf);
	else
		CHECKF(err == -EACCES && !res.accepted &&
		       (!c->message[0] || strstr(logbuf, c->message)),
		       "%s: %s: want reject (%d) with \"%s\", got %d: %s", file, c->name, -EACCES,
		       c->message, err, logbuf);
	if (getenv("BPFH_VERIFY_VERBOSE"))
		printf("%s: %s: %s %s", file, c->name, err ? "reject" : "accept",
		       err ? logbuf : "\n");
	free(insns);
}

/* Informational: the conformance programs as memory programs. */
static void conformance(void)
{
	static char *names[MAX_FILES];
	const char *conf = getenv("CONFORMANCE");
	char path[1024], logbuf[512];
	unsigned total = 0, accepted = 0, skipped = 0, in_range = 0, with_result = 0;
	int n;

	if (!conf || !conf[0])
		conf = "../shared/conformance";
	snprintf(path, sizeof(path), "%s/tests", conf);
	n = vcase_list_dir(path, names, MAX_FILES);
	if (n < 0) {
		printf("verify-conformance: %s not found, skipped\n", path);
		return;
	}
	for (int i = 0; i < n; i++) {
		struct datafile df;
		struct bpfh_log log;
		struct bpfh_verify_prog_type type;
		struct bpfh_verify_input in;
		struct bpfh_verify_result res;
		int err;

		bpfh_log_init(&log, logbuf, sizeof(logbuf));
		if (datafile_load(names[i], &df, &log) != DF_OK || df.has_error) {
			skipped += 1;
			datafile_free(&df);
			free(names[i]);
			continue;
		}
		type = bpfh_verify_type_memory((uint32_t)df.mem_len);
		memset(&in, 0, sizeof(in));
		in.insns = df.insns;
		in.count = df.count;
		in.type = &type;
		in.opts.allow_unreachable = 1;
		bpfh_log_init(&log, logbuf, sizeof(logbuf));
		err = bpfh_verify(&in, &res, &log);
		total++;
		accepted += err == 0;
		/* As PREVAIL does: the expected r0 must lie in the range computed at exit. */
		if (!err && df.has_result) {
			int64_t r = (int64_t)df.result;

			with_result++;
			if (r >= res.r0_min && r <= res.r0_max)
				in_range++;
			else
				CHECKF(0, "%s: expected r0 %" PRId64 " outside the computed "
				       "[%" PRId64 ", %" PRId64 "]", names[i], r, res.r0_min,
				       res.r0_max);
		}
		if (err && getenv("BPFH_VERIFY_VERBOSE"))
			printf("conformance %s: %s", names[i], logbuf);
		datafile_free(&df);
		free(names[i]);
	}
	printf("verify-conformance: %u of %u programs accepted (%u expecting errors skipped; "
	       "informational); expected r0 inside the computed range: %u of %u\n", accepted,
	       total, skipped, in_range, with_result);
}

int main(void)
{
	static char *names[MAX_FILES];
	int n = vcase_list_dir("tests/data/verify", names, MAX_FILES);

	if (n <= 0)
		CHECKF(0, "tests/data/verify: no cases (run from the top of the tree)");
	for (int i = 0; i < n; i++) {
		if (vcase_read_file(names[i], run_case, NULL))
			CHECKF(0, "cannot open %s", names[i]);
		free(names[i]);
	}
	printf("verify-cases: %u cases, %u accepted\n", cases_run, cases_accepted);
	conformance();
	return check_summary("verify-cases");
}
