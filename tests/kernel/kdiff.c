// SPDX-License-Identifier: MIT
/*
 * Differential test against the Linux kernel: every conformance-format file runs on bpfhost's
 * checked interpreter and, through BPF_PROG_TEST_RUN, on the kernel (its JIT where enabled), and
 * the two values of r0 are compared in full (64 bits).
 *
 *   bpfh-kdiff [-v] [--type syscall|socket] FILE|DIR...
 *
 * The kernel runs the program wrapped by kbpf_wrap: -- mem is the value of a one-entry array
 * map that r1 points to (r2 = its length), r0 and r3-r9 start at 0 as on bpfhost, `call 5` (the
 * suite's identity helper; the kernel's helper 5 is bpf_ktime_get_ns) becomes `r0 = r1`, and
 * each exit of the main program stores r0 to a result map. Default program type: SYSCALL
 * (loaded sleepable, as the kernel requires); --type socket uses SOCKET_FILTER instead.
 *
 * Output: a line per disagreement (and, with -v, per file, with the first line of the
 * verifier's reason for a refusal), then
 *   kernel-diff: N passed, N failed       (kernel ran it: r0 agrees / disagrees with bpfhost)
 *   kernel-diff info: N agree, N disagree, N refused by the kernel verifier, N skipped
 * Where bpf() cannot be used: "kernel-diff: skipped (reason)", exit 0. Exit 1 on a
 * disagreement, 2 on bad usage.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfhost/engine.h"
#include "../harness/datafile.h"
#include "kbpf.h"

#define MAX_FILES 4096
#define VLOG_SIZE (1u << 20)

enum verdict { V_AGREE, V_DISAGREE, V_REFUSED, V_SKIPPED };

static int verbose;
static uint32_t prog_type = BPF_PROG_TYPE_SYSCALL;
static char *vlog;

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

static void add_path(char **files, size_t *n, const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;

	if (!d) {
		if (*n < MAX_FILES)
			files[(*n)++] = strdup(path);
		return;
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
}

/* bpfhost's r0 (checked interpreter, the conformance runner's setup). */
static int run_ours(const struct datafile *df, uint64_t *r0, char *why, size_t whylen)
{
	struct bpfh_log log;
	struct bpfh_exec *exec = NULL;
	struct bpfh_run run;
	struct bpfh_region region;
	uint8_t *mem = NULL;
	int err;

	bpfh_log_init(&log, why, whylen);
	err = bpfh_exec_create(BPFH_ENGINE_INTERP_CHECKED, df->insns, df->count, NULL, &log, &exec);
	if (err)
		return err;
	if (df->mem_len) {
		mem = malloc(df->mem_len);
		if (!mem) {
			bpfh_exec_destroy(exec);
			return -ENOMEM;
		}
		memcpy(mem, df->mem, df->mem_len);
	}
	memset(&run, 0, sizeof(run));
	run.args[0] = (uint64_t)(uintptr_t)mem;
	run.args[1] = df->mem_len;
	run.helpers = helpers;
	run.nhelpers = sizeof(helpers) / sizeof(helpers[0]);
	run.pkt = mem;
	run.pkt_len = df->mem_len;
	region.base = (uintptr_t)mem;
	region.size = df->mem_len;
	region.writable = 1;
	run.regions = &region;
	run.nregions = df->mem_len ? 1 : 0;
	run.insn_limit = 10000000;
	run.log = &log;
	err = bpfh_exec_run(exec, &run, r0);
	bpfh_exec_destroy(exec);
	free(mem);
	return err;
}

/* The kernel's r0 (the full 64 bits, from the result map). Returns 0, or a negative errno with
 * the reason in why: *refused is set when the verifier refused the program; -ENOTSUP and
 * -E2BIG come from the wrapper (a program it cannot express). */
static int run_kernel(const struct datafile *df, uint64_t *r0, int *refused, char *why,
		      size_t whylen)
{
	static uint8_t pkt[64];
	struct kbpf_result res = { 0, 0 };
	struct kbpf_test_run t;
	struct bpfh_insn *w = NULL;
	size_t nw;
	unsigned calls;
	int mem_fd = -1, res_fd, prog_fd = -1, err;
	uint32_t pflags = prog_type == BPF_PROG_TYPE_SYSCALL ? BPF_F_SLEEPABLE : 0;

	*refused = 0;
	res_fd = kbpf_array_create(sizeof(res), 1);
	if (res_fd < 0) {
		snprintf(why, whylen, "result map: %s", strerror(-res_fd));
		return res_fd;
	}
	err = kbpf_map_update(res_fd, 0, &res);
	if (!err && df->mem_len) {
		mem_fd = kbpf_array_create((uint32_t)df->mem_len, 1);
		err = mem_fd < 0 ? mem_fd : kbpf_map_update(mem_fd, 0, df->mem);
	}
	if (err) {
		snprintf(why, whylen, "memory map: %s", strerror(-err));
		goto out;
	}
	err = kbpf_wrap(df->insns, df->count, mem_fd, (uint32_t)df->mem_len, res_fd,
			KBPF_WRAP_ZERO_REGS | KBPF_WRAP_HELPER5_IDENTITY, &w, &nw, &calls, why,
			whylen);
	if (err)
		goto out;
	prog_fd = kbpf_prog_load(prog_type, pflags, w, nw, vlog, VLOG_SIZE);
	if (prog_fd < 0) {
		err = prog_fd;
		*refused = 1;
		kbpf_log_reason(vlog, why, whylen);
		goto out;
	}
	memset(&t, 0, sizeof(t));
	if (prog_type != BPF_PROG_TYPE_SYSCALL) {
		t.data_in = pkt;
		t.data_size_in = sizeof(pkt);
	}
	err = kbpf_test_run(prog_fd, &t);
	if (err) {
		snprintf(why, whylen, "BPF_PROG_TEST_RUN: %s", strerror(-err));
		goto out;
	}
	err = kbpf_map_lookup(res_fd, 0, &res);
	if (err) {
		snprintf(why, whylen, "reading the result map: %s", strerror(-err));
		goto out;
	}
	if (res.ran != KBPF_RAN) {
		snprintf(why, whylen, "the kernel's run did not reach the epilogue");
		err = -EIO;
		goto out;
	}
	if (t.retval != (uint32_t)res.r0) {
		snprintf(why, whylen, "retval 0x%x is not the low half of the stored r0 0x%llx",
			 t.retval, (unsigned long long)res.r0);
		err = -EIO;
		goto out;
	}
	*r0 = res.r0;
out:
	if (prog_fd >= 0)
		close(prog_fd);
	if (mem_fd >= 0)
		close(mem_fd);
	close(res_fd);
	free(w);
	return err;
}

static enum verdict diff_file(const char *path, char *msg, size_t msglen)
{
	struct datafile df;
	struct bpfh_log log;
	char why[1024] = "";
	uint64_t ours = 0, theirs = 0;
	int err, refused;
	enum verdict v;

	bpfh_log_init(&log, why, sizeof(why));
	if (datafile_load(path, &df, &log) != DF_OK) {
		why[strcspn(why, "\n")] = '\0';
		snprintf(msg, msglen, "skipped: not a runnable file: %.200s", why);
		return V_SKIPPED;
	}
	if (df.has_error || !df.has_result) {
		snprintf(msg, msglen, "skipped: the file expects an error, not a result");
		v = V_SKIPPED;
		goto out;
	}
	err = run_ours(&df, &ours, why, sizeof(why));
	if (err) {
		why[strcspn(why, "\n")] = '\0';
		snprintf(msg, msglen, "skipped: bpfhost cannot run it: %.300s", why);
		v = V_SKIPPED;
		goto out;
	}
	err = run_kernel(&df, &theirs, &refused, why, sizeof(why));
	if (err && refused) {
		snprintf(msg, msglen, "refused by the kernel verifier (%s): %.300s",
			 strerror(-err), why);
		v = V_REFUSED;
	} else if (err == -ENOTSUP || err == -E2BIG) {
		snprintf(msg, msglen, "skipped: %.300s", why);
		v = V_SKIPPED;
	} else if (err) {
		snprintf(msg, msglen, "kernel error: %.300s", why);
		v = V_DISAGREE;
	} else if (ours != theirs) {
		snprintf(msg, msglen, "r0 differs: expected 0x%llx, bpfhost 0x%llx, kernel 0x%llx",
			 (unsigned long long)df.result, (unsigned long long)ours,
			 (unsigned long long)theirs);
		v = V_DISAGREE;
	} else {
		snprintf(msg, msglen, "r0 = 0x%llx on both%s", (unsigned long long)ours,
			 ours != df.result ? " (but the file expects another value)" : "");
		v = V_AGREE;
	}
out:
	datafile_free(&df);
	return v;
}

int main(int argc, char **argv)
{
	static char *files[MAX_FILES];
	unsigned count[4] = { 0, 0, 0, 0 };
	size_t nfiles = 0, i;
	char why[256];
	int a;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "-v")) {
			verbose = 1;
		} else if (!strcmp(argv[a], "--type") && a + 1 < argc) {
			a++;
			if (!strcmp(argv[a], "syscall")) {
				prog_type = BPF_PROG_TYPE_SYSCALL;
			} else if (!strcmp(argv[a], "socket")) {
				prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
			} else {
				fprintf(stderr, "bpfh-kdiff: unknown type '%s'\n", argv[a]);
				return 2;
			}
		} else {
			add_path(files, &nfiles, argv[a]);
		}
	}
	if (nfiles == 0) {
		fprintf(stderr, "usage: bpfh-kdiff [-v] [--type syscall|socket] FILE|DIR...\n");
		return 2;
	}
	if (kbpf_probe(prog_type, why, sizeof(why))) {
		printf("kernel-diff: skipped (%s)\n", why);
		return 0;
	}
	vlog = malloc(VLOG_SIZE);
	if (!vlog)
		return 2;
	qsort(files, nfiles, sizeof(files[0]), cmp_str);
	for (i = 0; i < nfiles; i++) {
		char msg[1536];
		enum verdict v = diff_file(files[i], msg, sizeof(msg));

		count[v]++;
		if (v == V_DISAGREE)
			printf("FAIL %s: %s\n", files[i], msg);
		else if (verbose)
			printf("%s %s: %s\n", v == V_AGREE ? "ok  " : v == V_REFUSED ? "refd" : "skip",
			       files[i], msg);
		free(files[i]);
	}
	free(vlog);
	printf("kernel-diff: %u passed, %u failed\n", count[V_AGREE], count[V_DISAGREE]);
	printf("kernel-diff info: %u agree, %u disagree, %u refused by the kernel verifier, "
	       "%u skipped\n", count[V_AGREE], count[V_DISAGREE], count[V_REFUSED],
	       count[V_SKIPPED]);
	return count[V_DISAGREE] ? 1 : 0;
}
