// SPDX-License-Identifier: MIT
/*
 * bpfhost show verification FILE [SECTION|PROGRAM] [--verbose] [-j] [--type T]
 *
 * Verifies each selected program of an object file as loading would (bpfh_object_verify_prog)
 * and prints its verdict with the analysis's figures: instructions, basic blocks, states (block
 * visits), time, peak memory, the loop bounds found; a rejection's one-line message; with
 * --verbose the invariant before each instruction next to its disassembly. FILE may also be a
 * program outside an object: conformance assembly text, or raw instructions when its name ends
 * in .bin (no maps; type memory unless --type says). --type T names the program type for every
 * selected program: a section name (xdp, tc, socket, cgroup_skb/egress, cgroup/connect4, bind)
 * or a type name (socket_filter, sched_cls, sched_act, cgroup_skb, memory[:SIZE]).
 * Exit status: 0 when every selected program is accepted, 1 when one is rejected, 2 on any
 * other error.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/contexts.h"
#include "bpfhost/isa.h"
#include "bpfhost/obj.h"
#include "bpfhost/prog.h"
#include "bpfhost/verify.h"
#include "cli.h"
#include "../../src/platform/platform.h"

#define LOG_SIZE (1 << 16)

/* The invariants the verifier reports, by instruction. */
struct trace {
	char **inv;
	size_t count;
	int oom;
};

static void trace_fn(void *arg, size_t insn, const char *invariant)
{
	struct trace *t = arg;
	char *copy;

	if (insn >= t->count || !invariant)
		return;
	copy = malloc(strlen(invariant) + 1);
	if (!copy) {
		t->oom = 1;
		return;
	}
	strcpy(copy, invariant);
	free(t->inv[insn]);
	t->inv[insn] = copy;
}

static void trace_free(struct trace *t)
{
	size_t i;

	for (i = 0; t->inv && i < t->count; i++)
		free(t->inv[i]);
	free(t->inv);
	t->inv = NULL;
}

/* What --type gave. */
struct type_choice {
	int given;
	uint32_t prog_type, attach_type;
	uint32_t mem_size;
};

static const struct {
	const char *name;
	uint32_t prog_type;
} type_names[] = {
	{ "socket_filter", BPFH_PROG_TYPE_SOCKET_FILTER },
	{ "sched_cls", BPFH_PROG_TYPE_SCHED_CLS },
	{ "sched_act", BPFH_PROG_TYPE_SCHED_ACT },
	{ "cgroup_skb", BPFH_PROG_TYPE_CGROUP_SKB },
	{ "cgroup_sock_addr", BPFH_PROG_TYPE_CGROUP_SOCK_ADDR },
	{ "xdp", BPFH_PROG_TYPE_XDP },
	{ "bind", BPFH_PROG_TYPE_BIND },
};

static int parse_type(const char *s, struct type_choice *c)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	c->given = 1;
	if (!strncmp(s, "memory", 6) && (!s[6] || s[6] == ':')) {
		char *end = NULL;
		unsigned long v = s[6] ? strtoul(s + 7, &end, 0) : 0;

		if (s[6] && (!*(s + 7) || *end || v > UINT32_MAX))
			return -EINVAL;
		c->prog_type = BPFH_PROG_TYPE_MEMORY;
		c->mem_size = (uint32_t)v;
		return 0;
	}
	for (i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++) {
		if (!strcmp(s, type_names[i].name)) {
			c->prog_type = type_names[i].prog_type;
			return 0;
		}
	}
	if (bpfh_section_prog_type(s, &c->prog_type, &c->attach_type) ||
	    !bpfh_verify_type_of(c->prog_type, c->attach_type))
		return -EINVAL;
	return 0;
}

struct summary {
	int rejected, errors, shown;
};

static void print_insn_trace(const struct bpfh_insn *insns, size_t count,
			     const struct trace *t, int json)
{
	size_t i = 0;
	int first = 1;

	if (json)
		printf(", \"trace\": [");
	while (i < count) {
		char text[160];
		int n = bpfh_disasm_insn(insns, count, i, BPFH_DISASM_C, text, sizeof(text));
		const char *inv = t->inv ? t->inv[i] : NULL;

		if (n <= 0)
			snprintf(text, sizeof(text), "(does not decode)");
		if (json) {
			printf("%s{\"index\": %zu, \"text\": ", first ? "" : ", ", i);
			cli_json_string(text);
			if (inv) {
				printf(", \"invariant\": ");
				cli_json_string(inv);
			}
			printf("}");
		} else {
			if (inv)
				printf("        ; %s\n", inv);
			printf("  %6zu: %s\n", i, text);
		}
		first = 0;
		i += n > 0 ? (size_t)n : 1;
	}
	if (json)
		printf("]");
}

/* The figures of one program, as text or one JSON object. */
static void print_result(const char *file, const char *section, const char *prog,
			 const char *type, int err, const struct bpfh_verify_result *r,
			 const char *message, const struct bpfh_insn *insns, size_t count,
			 const struct trace *t, int verbose, int json, struct summary *sum)
{
	const char *verdict = err == 0 ? "accepted" : err == -EACCES ? "rejected" : "error";
	size_t i, nloops = r->nloops < BPFH_VERIFY_MAX_LOOPS ? r->nloops : BPFH_VERIFY_MAX_LOOPS;

	if (err == -EACCES)
		sum->rejected++;
	else if (err)
		sum->errors++;
	if (json) {
		printf("%s{\"file\": ", sum->shown ? ", " : "");
		cli_json_string(file);
		printf(", \"section\": ");
		cli_json_string(section);
		printf(", \"program\": ");
		cli_json_string(prog);
		printf(", \"type\": ");
		cli_json_string(type);
		printf(", \"verdict\": \"%s\", \"instructions\": %zu, \"blocks\": %zu, "
		       "\"states\": %" PRIu64 ", \"time_ns\": %" PRIu64 ", \"peak_bytes\": %" PRIu64
		       ", \"loops\": [", verdict, r->insns ? r->insns : count, r->blocks, r->states,
		       r->time_ns, r->peak_bytes);
		for (i = 0; i < nloops; i++)
			printf("%s{\"insn\": %zu, \"max_iterations\": %" PRIu64 "}", i ? ", " : "",
			       r->loops[i].insn, r->loops[i].max_iterations);
		printf("], \"loop_heads\": %zu", r->nloops);
		if (err == 0)
			printf(", \"r0\": [%" PRId64 ", %" PRId64 "]", r->r0_min, r->r0_max);
		if (err == -EACCES)
			printf(", \"reject_insn\": %zu", r->reject_insn);
		if (message && *message) {
			printf(", \"message\": ");
			cli_json_string(message);
		}
		if (verbose && insns)
			print_insn_trace(insns, count, t, 1);
		printf("}");
	} else {
		if (*prog)
			printf("%s: section %s, program %s (%s): %s\n", file, section, prog, type,
			       verdict);
		else
			printf("%s (%s): %s\n", file, type, verdict);
		printf("  instructions %zu, blocks %zu, states %" PRIu64 ", time %.3f ms, peak "
		       "memory %.1f KiB\n", r->insns ? r->insns : count, r->blocks, r->states,
		       (double)r->time_ns / 1e6, (double)r->peak_bytes / 1024.0);
		if (err == 0)
			printf("  r0 at exit in [%" PRId64 ", %" PRId64 "]\n", r->r0_min, r->r0_max);
		if (r->nloops) {
			printf("  loops: %zu head%s", r->nloops, r->nloops == 1 ? "" : "s");
			for (i = 0; i < nloops; i++)
				printf("%s insn %zu at most %" PRIu64 " iterations", i ? "," : ":",
				       r->loops[i].insn, r->loops[i].max_iterations);
			printf("\n");
		} else {
			printf("  loops: none found\n");
		}
		if (message && *message)
			printf("  %s\n", message);
		if (verbose && insns)
			print_insn_trace(insns, count, t, 0);
	}
	sum->shown++;
}

/* The log's text without its final newline, in a buffer of its own. */
static void log_text(const struct bpfh_log *log, char *out, size_t size)
{
	size_t n = log->len < size - 1 ? log->len : size - 1;

	memcpy(out, log->buf, n);
	while (n && out[n - 1] == '\n')
		n--;
	out[n] = 0;
}

static int verify_object(const char *file, const char *which, const struct type_choice *tc,
			 int verbose, int json, struct summary *sum)
{
	struct bpfh_object *obj = NULL;
	struct bpfh_log log;
	char *logbuf = malloc(LOG_SIZE), *msg = malloc(LOG_SIZE);
	size_t i;
	int matched = 0;

	if (!logbuf || !msg) {
		free(logbuf);
		free(msg);
		sum->errors++;
		return -ENOMEM;
	}
	bpfh_log_init(&log, logbuf, LOG_SIZE);
	/* --type also tells the loader the type of sections that do not */
	if (bpfh_object_open_file_opts(file, &(struct bpfh_object_opts){
			.sz = sizeof(struct bpfh_object_opts),
			.prog_type = tc->given ? tc->prog_type : 0,
			.expected_attach_type = tc->given ? tc->attach_type : 0,
			.target_btf = bpfh_context_btf() }, &log, &obj)) {
		fputs(logbuf, stderr);
		if (strstr(logbuf, "gives no program type"))
			fprintf(stderr, "bpfhost: give the program type with --type, e.g. --type xdp\n");
		free(logbuf);
		free(msg);
		sum->errors++;
		return -EINVAL;
	}
	for (i = 0; i < obj->nprogs; i++) {
		const struct bpfh_obj_prog *p = &obj->progs[i];
		const struct bpfh_verify_prog_type *vt = NULL;
		struct bpfh_verify_prog_type mem;
		struct bpfh_object_verify_opts vo;
		struct bpfh_verify_result r;
		struct trace t = { NULL, p->count, 0 };
		const char *tname;
		int err;

		if (which && strcmp(which, p->name) && strcmp(which, p->section))
			continue;
		matched++;
		memset(&vo, 0, sizeof(vo));
		vo.sz = sizeof(vo);
		if (tc->given) {
			if (tc->prog_type == BPFH_PROG_TYPE_MEMORY) {
				mem = bpfh_verify_type_memory(tc->mem_size);
				vt = &mem;
			} else {
				vt = bpfh_verify_type_of(tc->prog_type, tc->attach_type);
			}
			vo.type = vt;
		} else {
			vt = bpfh_verify_type_of(p->prog_type, p->expected_attach_type);
		}
		if (verbose) {
			t.inv = calloc(p->count + 1, sizeof(*t.inv));
			if (t.inv) {
				vo.options.trace = trace_fn;
				vo.options.trace_arg = &t;
			}
		}
		bpfh_log_init(&log, logbuf, LOG_SIZE);
		err = bpfh_object_verify_prog(obj, p, &vo, &r, &log);
		log_text(&log, msg, LOG_SIZE);
		tname = vt && vt->name ? vt->name : bpfh_prog_type_name(p->prog_type);
		print_result(obj->name, p->section, p->name, tname ? tname : "unknown", err, &r,
			     msg, p->insns, p->count, &t, verbose, json, sum);
		trace_free(&t);
	}
	if (!matched) {
		fprintf(stderr, "bpfhost: %s: no program or section '%s'\n", file,
			which ? which : "");
		sum->errors++;
	}
	bpfh_object_destroy(obj);
	free(logbuf);
	free(msg);
	return matched ? 0 : -ENOENT;
}

/* A program outside an object: assembly text, or raw instructions (.bin). */
static int verify_raw(const char *file, char *data, size_t size, const struct type_choice *tc,
		      int verbose, int json, struct summary *sum)
{
	struct bpfh_verify_prog_type mem;
	const struct bpfh_verify_prog_type *vt;
	struct bpfh_verify_input in;
	struct bpfh_verify_result r;
	struct bpfh_insn *insns = NULL;
	struct trace t = { NULL, 0, 0 };
	struct bpfh_log log;
	char *logbuf = malloc(LOG_SIZE), *msg = malloc(LOG_SIZE);
	size_t count = 0;
	int err;

	if (!logbuf || !msg) {
		err = -ENOMEM;
		goto out;
	}
	bpfh_log_init(&log, logbuf, LOG_SIZE);
	err = cli_raw_program(file, data, size, &insns, &count, &log);
	if (err) {
		fputs(logbuf, stderr);
		goto out;
	}
	if (tc->given && tc->prog_type != BPFH_PROG_TYPE_MEMORY) {
		vt = bpfh_verify_type_of(tc->prog_type, tc->attach_type);
	} else {
		mem = bpfh_verify_type_memory(tc->given ? tc->mem_size : 0);
		vt = &mem;
	}
	memset(&in, 0, sizeof(in));
	in.insns = insns;
	in.count = count;
	in.type = vt;
	t.count = count;
	if (verbose) {
		t.inv = calloc(count + 1, sizeof(*t.inv));
		if (t.inv) {
			in.opts.trace = trace_fn;
			in.opts.trace_arg = &t;
		}
	}
	bpfh_log_init(&log, logbuf, LOG_SIZE);
	bpfh_log_printf(&log, "%s: ", file);
	err = bpfh_verify(&in, &r, &log);
	if (err && err != -EACCES)
		bpfh_log_printf(&log, "cannot verify (%s)", strerror(-err));
	log_text(&log, msg, LOG_SIZE);
	print_result(file, "", "", vt->name ? vt->name : "?", err, &r, err ? msg : "", insns,
		     count, &t, verbose, json, sum);
	trace_free(&t);
	err = 0;
out:
	if (err)
		sum->errors++;
	free(insns);
	free(logbuf);
	free(msg);
	return err;
}

int cli_show_verification(int argc, char **argv)
{
	const char *file = NULL, *which = NULL, *type = NULL;
	struct type_choice tc;
	struct summary sum = { 0, 0, 0 };
	char *data;
	size_t size;
	int i, json = 0, verbose = 0, err;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			json = 1;
		} else if (!strcmp(argv[i], "--verbose") || !strcmp(argv[i], "-v")) {
			verbose = 1;
		} else if (!strcmp(argv[i], "--type") && i + 1 < argc) {
			type = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "bpfhost show verification: unknown option '%s'\n", argv[i]);
			return 2;
		} else if (!file) {
			file = argv[i];
		} else if (!which) {
			which = argv[i];
		} else {
			fprintf(stderr, "bpfhost show verification: unexpected argument '%s'\n",
				argv[i]);
			return 2;
		}
	}
	if (!file) {
		fprintf(stderr, "usage: bpfhost show verification FILE [SECTION|PROGRAM] "
			"[--verbose] [-j] [--type T]\n");
		return 2;
	}
	memset(&tc, 0, sizeof(tc));
	if (type && parse_type(type, &tc)) {
		fprintf(stderr, "bpfhost: unknown program type '%s' (give a section name such as "
			"xdp, socket, tc, cgroup_skb/ingress, cgroup/connect4 or bind, or "
			"memory:SIZE)\n", type);
		return 2;
	}
	err = bpfh_file_read(file, &data, &size);
	if (err) {
		fprintf(stderr, "bpfhost: %s: %s\n", file, strerror(-err));
		return 2;
	}
	if (json)
		printf("[");
	if (cli_is_object(data, size)) {
		free(data);
		verify_object(file, which, &tc, verbose, json, &sum);
	} else {
		if (which) {
			fprintf(stderr, "bpfhost: %s: not an object file: no sections to choose from\n",
				file);
			free(data);
			if (json)
				printf("]\n");
			return 2;
		}
		verify_raw(file, data, size, &tc, verbose, json, &sum);
		free(data);
	}
	if (json)
		printf("]\n");
	if (sum.errors)
		return 2;
	return sum.rejected ? 1 : 0;
}
