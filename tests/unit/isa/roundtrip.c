// SPDX-License-Identifier: MIT
/*
 * Round trip of whole programs: every test file of the public conformance suite
 * ($CONFORMANCE/tests, default ../shared/conformance; skipped when absent) and of bpfhost's own
 * tests/data/isa and tests/data/isa-checked is assembled (or read raw), disassembled in the
 * conformance style, and reassembled; the bytes must come back the same. Every slot must also
 * disassemble in the C style, to non-empty text spanning the same number of slots. Files the
 * assembler or the decoder refuses on purpose (-- error tests) are counted as skipped.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/isa.h"
#include "../../harness/datafile.h"
#include "../check.h"

#define MAX_FILES 4096

static unsigned files_done, files_skipped;

/* Disassemble insns[count] in the conformance style into one malloc'd text, checking the C
 * style of each slot on the way. NULL when a slot does not disassemble (why says which). */
static char *disassemble(const struct bpfh_insn *insns, size_t count, char *why, size_t whylen)
{
	size_t cap = count * 160 + 1, len = 0, i;
	char *text = malloc(cap);

	if (!text) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	text[0] = '\0';
	for (i = 0; i < count;) {
		char line[160], cline[160];
		int n = bpfh_disasm_insn(insns, count, i, BPFH_DISASM_CONF, line, sizeof(line));
		int nc = bpfh_disasm_insn(insns, count, i, BPFH_DISASM_C, cline, sizeof(cline));

		if (n <= 0 || nc != n || !line[0] || !cline[0]) {
			snprintf(why, whylen, "slot %zu: conf %d '%s', c %d '%s'", i, n, line, nc,
				 cline);
			free(text);
			return NULL;
		}
		len += (size_t)snprintf(text + len, cap - len, "%s\n", line);
		i += (size_t)n;
	}
	return text;
}

static void roundtrip_file(const char *path)
{
	char logbuf[4096], relog[4096];
	struct bpfh_log log, rlog;
	struct datafile df;
	struct bpfh_insn *again = NULL;
	size_t count2 = 0, i;
	uint8_t *ops;
	char *text;
	int err;

	bpfh_log_init(&log, logbuf, sizeof(logbuf));
	if (datafile_load(path, &df, &log) != DF_OK) {
		files_skipped++; /* an assembler-error test */
		return;
	}
	ops = malloc(df.count);
	if (!ops || bpfh_isa_decode(df.insns, df.count, ops, NULL) != 0) {
		files_skipped++; /* a decoder-error test */
		goto out;
	}
	text = disassemble(df.insns, df.count, relog, sizeof(relog));
	if (!CHECKF(text != NULL, "%s: %s", path, relog))
		goto out;
	bpfh_log_init(&rlog, relog, sizeof(relog));
	err = bpfh_asm(text, path, 1, &again, &count2, &rlog);
	if (CHECKF(err == 0, "%s: the disassembly does not assemble: %s", path, relog)) {
		for (i = 0; i < df.count && i < count2; i++)
			if (memcmp(&df.insns[i], &again[i], sizeof(again[i])))
				break;
		CHECKF(count2 == df.count && i == df.count,
		       "%s: %zu slots came back as %zu, first difference at slot %zu\n%s", path,
		       df.count, count2, i, text);
	}
	files_done++;
	free(again);
	free(text);
out:
	free(ops);
	datafile_free(&df);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Round-trip every .data file of dir, in name order. Returns how many files it found, or -1
 * when dir cannot be opened. */
static int roundtrip_dir(const char *dir)
{
	static char *names[MAX_FILES];
	size_t n = 0, i;
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
	for (i = 0; i < n; i++) {
		roundtrip_file(names[i]);
		free(names[i]);
	}
	return (int)n;
}

int main(void)
{
	const char *conf = getenv("CONFORMANCE");
	char path[1024];
	int n;

	if (!conf || !conf[0])
		conf = "../shared/conformance";
	snprintf(path, sizeof(path), "%s/tests", conf);
	n = roundtrip_dir(path);
	if (n < 0)
		printf("isa-roundtrip: %s not found, the public suite is skipped\n", path);
	else
		CHECKF(n >= 300, "only %d files in %s", n, path);

	/* bpfhost's own tests; run from the top of the tree, as make check does */
	n = roundtrip_dir("tests/data/isa");
	CHECKF(n >= 100, "tests/data/isa: %d files (run from the top of the tree)", n);
	n = roundtrip_dir("tests/data/isa-checked");
	CHECKF(n >= 10, "tests/data/isa-checked: %d files", n);

	printf("isa-roundtrip: %u programs round-tripped, %u -- error files skipped\n", files_done,
	       files_skipped);
	return check_summary("isa-roundtrip");
}
