// SPDX-License-Identifier: MIT
/*
 * bpfhost, the command line: argument parsing and printing over the library. No logic of its
 * own lives here; each command calls the public API and reports its log.
 *
 *   bpfhost asm FILE -o OUT                 assemble conformance syntax to raw instructions
 *   bpfhost disasm FILE [--style conf|c]    disassemble raw instructions
 *   bpfhost run PROG.o --pcap IN.pcap ...   run an XDP/socket filter/tc program over a pcap
 *   bpfhost show sections|disassembly|maps|jited|verification FILE   inspect an object file
 *   bpfhost plugin [--engine E] [HEXMEM]    bpf_conformance plugin: program on stdin, r0 out
 *                                           (hex text as the suite's runner sends it, or raw)
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/engine.h"
#include "bpfhost/isa.h"
#include "bpfhost/verify.h"
#include "cli.h"
#include "../../src/platform/platform.h"

static char logbuf[1 << 16];

static void print_log(const struct bpfh_log *log)
{
	if (log->len)
		fputs(log->buf, stderr);
	if (log->truncated)
		fputs("bpfhost: (log truncated)\n", stderr);
}

static int usage(FILE *f)
{
	fprintf(f,
		"usage: bpfhost COMMAND ...\n"
		"  run PROG.o [--section S] [--type T] --pcap IN.pcap [--out OUT.pcap] [--engine E]\n"
		"      [--repeat N] [--map-update MAP KEYHEX VALUEHEX]... [--dump-maps] [-j]\n"
		"                                   run an XDP, socket filter or tc program over\n"
		"                                   every packet of a pcap file\n"
		"  show sections|maps FILE [--type T] [-j]\n"
		"                                   programs and maps of an object file\n"
		"  show disassembly FILE [SECTION|PROGRAM] [--style c|conf] [--type T] [-j]\n"
		"  show jited FILE [SECTION|PROGRAM] [--type T] [-j]\n"
		"                                   the JIT's machine code of each program, after\n"
		"                                   its instructions (objdump disassembles it when\n"
		"                                   on PATH); FILE may be assembly text or raw .bin\n"
		"                                   instructions\n"
		"  show verification FILE [SECTION|PROGRAM] [--verbose] [-j] [--type T]\n"
		"                                   verify each program: verdict, figures, loop\n"
		"                                   bounds, invariants (--verbose); FILE may be\n"
		"                                   assembly text or raw .bin instructions; exit 0\n"
		"                                   accepted, 1 rejected, 2 error\n"
		"  (--type T: the program type, as a section name, for sections that do not tell)\n"
		"  asm FILE -o OUT                  assemble (conformance syntax) to raw instructions\n"
		"  disasm FILE [--style conf|c]     disassemble raw instructions\n"
		"  plugin [--engine E | --jit | --interpret] [HEXMEM] [--program HEX]\n"
		"                                   bpf_conformance plugin: program on stdin (hex text\n"
		"                                   or raw bytes), r1 = copy of HEXMEM, r2 = its\n"
		"                                   length; prints r0 in hex\n"
		"engines: interp, interp-checked, jit (default: %s)\n",
		bpfh_engine_name(bpfh_engine_default()));
	return f == stderr ? 2 : 0;
}

static int cmd_asm(int argc, char **argv)
{
	const char *in = NULL, *out = NULL;
	struct bpfh_insn *insns;
	struct bpfh_log log;
	size_t count, size;
	char *text;
	int i, err;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-o") && i + 1 < argc)
			out = argv[++i];
		else if (!in)
			in = argv[i];
		else
			return usage(stderr);
	}
	if (!in || !out)
		return usage(stderr);
	err = bpfh_file_read(in, &text, &size);
	if (err) {
		fprintf(stderr, "bpfhost: %s: %s\n", in, strerror(-err));
		return 1;
	}
	bpfh_log_init(&log, logbuf, sizeof(logbuf));
	err = bpfh_asm(text, in, 1, &insns, &count, &log);
	free(text);
	print_log(&log);
	if (err)
		return 1;
	err = bpfh_file_write(out, insns, count * sizeof(*insns));
	free(insns);
	if (err) {
		fprintf(stderr, "bpfhost: %s: %s\n", out, strerror(-err));
		return 1;
	}
	return 0;
}

static int read_program(const char *path, struct bpfh_insn **insns, size_t *count)
{
	char *data;
	size_t size;
	int err = bpfh_file_read(path, &data, &size);

	if (err) {
		fprintf(stderr, "bpfhost: %s: %s\n", path, strerror(-err));
		return -1;
	}
	if (size == 0 || size % sizeof(struct bpfh_insn)) {
		fprintf(stderr, "bpfhost: %s: %zu bytes is not a whole number of 8-byte "
			"instructions\n", path, size);
		free(data);
		return -1;
	}
	*insns = (struct bpfh_insn *)(void *)data;
	*count = size / sizeof(struct bpfh_insn);
	return 0;
}

static int cmd_disasm(int argc, char **argv)
{
	enum bpfh_disasm_style style = BPFH_DISASM_CONF;
	const char *in = NULL;
	struct bpfh_insn *insns;
	size_t count, i;
	int a, bad = 0;

	for (a = 0; a < argc; a++) {
		if (!strcmp(argv[a], "--style") && a + 1 < argc) {
			a++;
			if (!strcmp(argv[a], "c"))
				style = BPFH_DISASM_C;
			else if (!strcmp(argv[a], "conf"))
				style = BPFH_DISASM_CONF;
			else
				return usage(stderr);
		} else if (!in) {
			in = argv[a];
		} else {
			return usage(stderr);
		}
	}
	if (!in)
		return usage(stderr);
	if (read_program(in, &insns, &count))
		return 1;
	for (i = 0; i < count;) {
		char text[160];
		int n = bpfh_disasm_insn(insns, count, i, style, text, sizeof(text));

		if (style == BPFH_DISASM_C)
			printf("%5zu: %s\n", i, text);
		else
			printf("%s\n", text);
		if (n < 0) {
			bad = 1;
			n = 1;
		}
		i += (size_t)n;
	}
	free(insns);
	return bad;
}

static uint64_t helper_identity(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5,
				struct bpfh_run *run)
{
	(void)r2, (void)r3, (void)r4, (void)r5, (void)run;
	return r1;
}

/* The program for plugin mode: bpf_conformance's runner writes it to stdin as one line of hex
 * (or passes --program HEX); raw instruction bytes are taken too. A real program always holds
 * bytes outside [0-9a-fA-F] and whitespace (zero fields), which tells the two apart. */
static int plugin_program(const char *hex_arg, struct bpfh_insn **insns, size_t *count)
{
	uint8_t *bytes = NULL;
	char *data = NULL;
	size_t size = 0, len = 0, i;
	int text = 1, err;

	if (hex_arg) {
		err = cli_parse_hex(hex_arg, &bytes, &len);
	} else {
		err = bpfh_file_read("-", &data, &size);
		if (err) {
			fprintf(stderr, "bpfhost: reading the program from stdin: %s\n", strerror(-err));
			return -1;
		}
		for (i = 0; i < size; i++)
			if (!isxdigit((unsigned char)data[i]) && !isspace((unsigned char)data[i]))
				text = 0;
		if (text && size) {
			err = cli_parse_hex(data, &bytes, &len);
			free(data);
		} else {
			bytes = (uint8_t *)data;
			len = size;
		}
	}
	if (err) {
		fprintf(stderr, "bpfhost: the program is not hex bytes\n");
		return -1;
	}
	if (len == 0 || len % sizeof(struct bpfh_insn)) {
		fprintf(stderr, "bpfhost: a program of %zu bytes is not a whole number of 8-byte "
			"instructions\n", len);
		free(bytes);
		return -1;
	}
	*insns = (struct bpfh_insn *)(void *)bytes;
	*count = len / sizeof(struct bpfh_insn);
	return 0;
}

/*
 * bpf_conformance plugin: `bpfhost plugin [HEXMEM] [--program HEX] [--engine E] [--interpret]
 * [--jit]` (the default engine: bpfh_engine_default()).
 * r1 = a copy of the memory, r2 = its length; prints r0 in hex and exits 0, or prints the
 * reason to stderr and exits 1 (2 for bad usage).
 */
static int cmd_plugin(int argc, char **argv)
{
	static const bpfh_helper_fn helpers[6] = { [5] = helper_identity };
	struct bpfh_exec_opts eo = { .sz = sizeof(eo) };
	enum bpfh_engine engine = bpfh_engine_default();
	const char *hex = "", *program = NULL;
	struct bpfh_exec *exec = NULL;
	struct bpfh_insn *insns;
	struct bpfh_region region;
	struct bpfh_run run;
	struct bpfh_log log;
	uint8_t *mem = NULL;
	size_t count, mem_len = 0;
	uint64_t r0;
	int a, err, rc = 1;

	for (a = 0; a < argc; a++) {
		if (!strcmp(argv[a], "--engine") && a + 1 < argc) {
			if (bpfh_engine_parse(argv[++a], &engine)) {
				fprintf(stderr, "bpfhost: unknown engine '%s'\n", argv[a]);
				return 2;
			}
		} else if (!strcmp(argv[a], "--program") && a + 1 < argc) {
			program = argv[++a];
		} else if (!strcmp(argv[a], "--interpret")) {
			engine = BPFH_ENGINE_INTERP;
		} else if (!strcmp(argv[a], "--jit")) {
			engine = BPFH_ENGINE_JIT;
		} else if (argv[a][0] == '-' && argv[a][1] == '-') {
			fprintf(stderr, "bpfhost: unknown option '%s'\n", argv[a]);
			return 2;
		} else {
			hex = argv[a];
		}
	}
	if (cli_parse_hex(hex, &mem, &mem_len)) {
		fprintf(stderr, "bpfhost: memory argument is not hex bytes\n");
		return 2;
	}
	bpfh_stdio_binary();
	if (plugin_program(program, &insns, &count)) {
		free(mem);
		return 1;
	}
	bpfh_log_init(&log, logbuf, sizeof(logbuf));
	/* Nothing unverified runs on the engines that check nothing: the program is verified
	 * as plain memory of the given size first. The checked interpreter checks every access
	 * itself (and reports the first bad one at run time). */
	if (engine != BPFH_ENGINE_INTERP_CHECKED) {
		struct bpfh_verify_prog_type type = bpfh_verify_type_memory((uint32_t)mem_len);
		struct bpfh_verify_input in;

		memset(&in, 0, sizeof(in));
		in.insns = insns;
		in.count = count;
		in.type = &type;
		in.opts.allow_unreachable = 1;
		err = bpfh_verify(&in, NULL, &log);
		if (err) {
			bpfh_log_printf(&log, "(the checked engine, --engine interp-checked, runs "
					"programs the verifier refuses)\n");
			goto out;
		}
		eo.verdict = BPFH_EXEC_VERIFIED;
	}
	err = bpfh_exec_create(engine, insns, count, &eo, &log, &exec);
	if (err)
		goto out;
	bpfh_run_init_memory(&run, &region, mem, mem_len);
	run.helpers = helpers;
	run.nhelpers = 6;
	run.log = &log;
	err = bpfh_exec_run(exec, &run, &r0);
	if (err)
		goto out;
	printf("%llx\n", (unsigned long long)r0);
	rc = 0;
out:
	print_log(&log);
	bpfh_exec_destroy(exec);
	free(insns);
	free(mem);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr);
	if (!strcmp(argv[1], "asm"))
		return cmd_asm(argc - 2, argv + 2);
	if (!strcmp(argv[1], "disasm"))
		return cmd_disasm(argc - 2, argv + 2);
	if (!strcmp(argv[1], "plugin"))
		return cmd_plugin(argc - 2, argv + 2);
	if (!strcmp(argv[1], "run"))
		return cli_run(argc - 2, argv + 2);
	if (!strcmp(argv[1], "show"))
		return cli_show(argc - 2, argv + 2);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help"))
		return usage(stdout);
	fprintf(stderr, "bpfhost: unknown command '%s'\n", argv[1]);
	return usage(stderr);
}
