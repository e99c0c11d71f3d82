// SPDX-License-Identifier: MIT
/*
 * The verifier's data-driven cases: every .data file of tests/data/verify holds one or more cases,
 * each starting with a line "== NAME" (a file without one is a single case named after it):
 *
 *   -- type xdp | socket | memory [SIZE]     the program type (memory: r1 = SIZE bytes, r2 = SIZE)
 *   -- maps                                  then one line per map: INDEX TYPE KEY VALUE MAX
 *   -- options privileged allow_unreachable  any of them
 *   -- asm                                   the program, conformance syntax
 *   -- verdict accept | reject
 *   -- message FRAGMENT                      text the log must contain (rejections)
 *
 * Lines starting with '#' are comments. Each case is one check. Also verifies every program of
 * the public conformance suite as a memory program of its -- mem size and prints how many are
 * accepted (information, not a check: some do things the verifier refuses on purpose).
 * Run from the top of the tree, as make check does.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/verify.h"
#include "../../harness/datafile.h"
#include "../check.h"

#define MAX_FILES 512
#define MAX_MAPS 8

struct vcase {
	char name[128];
	char type[32];
	uint32_t mem_size;
	struct bpfh_verify_map maps[MAX_MAPS];
	size_t nmaps;
	int privileged, allow_unreachable;
	char *asm_text;
	size_t asm_len, asm_cap;
	unsigned asm_line;
	int verdict; /* 1 accept, 0 reject, -1 unset */
	char message[256];
};

static unsigned cases_run, cases_accepted;

static void append_asm(struct vcase *c, const char *line)
{
	size_t n = strlen(line);

	if (c->asm_len + n + 2 > c->asm_cap) {
		c->asm_cap = (c->asm_len + n + 2) * 2;
		c->asm_text = realloc(c->asm_text, c->asm_cap);
		if (!c->asm_text)
			abort();
	}
	memcpy(c->asm_text + c->asm_len, line, n);
	c->asm_len += n;
	c->asm_text[c->asm_len++] = '\n';
	c->asm_text[c->asm_len] = 0;
}

static void run_case(const char *file, struct vcase *c)
{
	char logbuf[1024];
	struct bpfh_log log;
	struct bpfh_insn *insns = NULL;
	size_t count = 0;
	struct bpfh_verify_prog_type type;
	struct bpfh_verify_input in;
	struct bpfh_verify_result res;
	int err;

	bpfh_log_init(&log, logbuf, sizeof(logbuf));
	if (!c->asm_text || c->verdict < 0) {
		CHECKF(0, "%s: %s: no -- asm or -- verdict", file, c->name);
		return;
	}
	err = bpfh_asm(c->asm_text, c->name, c->asm_line, &insns, &count, &log);
	if (err) {
		CHECKF(0, "%s: %s: assembly failed: %s", file, c->name, logbuf);
		return;
	}
	if (!strcmp(c->type, "xdp"))
		type = bpfh_verify_type_xdp;
	else if (!strcmp(c->type, "socket"))
		type = bpfh_verify_type_socket_filter;
	else
		type = bpfh_verify_type_memory(c->mem_size);
	memset(&in, 0, sizeof(in));
	in.insns = insns;
	in.count = count;
	in.type = &type;
	in.maps = c->maps;
	in.nmaps = c->nmaps;
	in.opts.privileged = c->privileged;
	in.opts.allow_unreachable = c->allow_unreachable;
	bpfh_log_init(&log, logbuf, sizeof(logbuf));
	err = bpfh_verify(&in, &res, &log);
	cases_run++;
	cases_accepted += err == 0;
	/* One check per case, so the counts are cases. */
	if (c->verdict)
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

static void reset_case(struct vcase *c, const char *name)
{
	free(c->asm_text);
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%.127s", name);
	strcpy(c->type, "memory");
	c->verdict = -1;
}

enum section { S_NONE, S_ASM, S_MAPS };

static void run_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];
	struct vcase c;
	enum section sec = S_NONE;
	unsigned lineno = 0;
	bool any = false;

	memset(&c, 0, sizeof(c));
	if (!f) {
		CHECKF(0, "cannot open %s", path);
		return;
	}
	reset_case(&c, strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
	while (fgets(line, sizeof(line), f)) {
		char *s = line;
		size_t n = strlen(s);

		lineno++;
		while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
			s[--n] = 0;
		if (!strncmp(s, "== ", 3)) {
			if (any)
				run_case(path, &c);
			reset_case(&c, s + 3);
			any = true;
			sec = S_NONE;
			continue;
		}
		if (s[0] == '#')
			continue;
		if (!strncmp(s, "-- ", 3)) {
			char *arg = s + 3;

			any = true;
			sec = S_NONE;
			if (!strncmp(arg, "asm", 3)) {
				sec = S_ASM;
				c.asm_line = lineno + 1;
			} else if (!strncmp(arg, "maps", 4)) {
				sec = S_MAPS;
			} else if (!strncmp(arg, "type ", 5)) {
				sscanf(arg + 5, "%31s %u", c.type, &c.mem_size);
			} else if (!strncmp(arg, "verdict ", 8)) {
				c.verdict = !strcmp(arg + 8, "accept");
			} else if (!strncmp(arg, "message ", 8)) {
				snprintf(c.message, sizeof(c.message), "%.255s", arg + 8);
			} else if (!strncmp(arg, "options ", 8)) {
				c.privileged = strstr(arg, "privileged") != NULL;
				c.allow_unreachable = strstr(arg, "allow_unreachable") != NULL;
			} else {
				CHECKF(0, "%s:%u: unknown section %s", path, lineno, arg);
			}
			continue;
		}
		if (sec == S_ASM) {
			append_asm(&c, s);
		} else if (sec == S_MAPS && s[0]) {
			unsigned idx, t, k, v, m;

			if (sscanf(s, "%u %u %u %u %u", &idx, &t, &k, &v, &m) != 5 ||
			    idx >= MAX_MAPS) {
				CHECKF(0, "%s:%u: bad map line", path, lineno);
				continue;
			}
			c.maps[idx] = (struct bpfh_verify_map){ t, k, v, m };
			if (idx + 1 > c.nmaps)
				c.nmaps = idx + 1;
		}
	}
	fclose(f);
	if (any)
		run_case(path, &c);
	free(c.asm_text);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The .data files of dir in name order into names; returns how many, or -1. */
static int list_dir(const char *dir, char **names)
{
	size_t n = 0;
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL && n < MAX_FILES) {
		size_t len = strlen(e->d_name);

		if (len > 5 && !strcmp(e->d_name + len - 5, ".data")) {
			names[n] = malloc(strlen(dir) + len + 2);
			if (!names[n])
				break;
			sprintf(names[n++], "%s/%s", dir, e->d_name);
		}
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_str);
	return (int)n;
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
	n = list_dir(path, names);
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
	int n = list_dir("tests/data/verify", names);

	if (n <= 0)
		CHECKF(0, "tests/data/verify: no cases (run from the top of the tree)");
	for (int i = 0; i < n; i++) {
		run_file(names[i]);
		free(names[i]);
	}
	printf("verify-cases: %u cases, %u accepted\n", cases_run, cases_accepted);
	conformance();
	return check_summary("verify-cases");
}
