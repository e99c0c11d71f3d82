// SPDX-License-Identifier: MIT
/*
 * bpfhost show jited: the JIT's machine code of an object's programs, or of a program outside an
 * object (assembly text, or raw instructions in a .bin file; prepared for its code only, never
 * run). The object is instantiated for the JIT (maps created, references resolved) and each
 * selected program's code printed, each BPF instruction (C-like disassembly) before its
 * machine code. The code is disassembled by objdump (`$OBJDUMP`, default objdump) when it
 * runs, run here in the CLI on a
 * temporary file, never by the library; without it the bytes are printed in hex. With -j, one
 * JSON array: per program its code in hex and each instruction's offset in it.
 */
#ifndef _WIN32
#define _POSIX_C_SOURCE 200809L /* mkstemp, fdopen, popen */
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifndef _WIN32
#include <unistd.h>
#endif

#include "bpfhost/engine.h"
#include "bpfhost/isa.h"
#include "bpfhost/obj.h"
#include "bpfhost/prog.h"
#include "cli.h"

/* Print "; N: insn" for every instruction whose code starts at offset off (and lines for the
 * entry before the first and the stubs after the last), advancing *next. */
static void insns_at(const struct bpfh_obj_prog *p, const struct bpfh_exec *exec, size_t *next,
		     long off, size_t size)
{
	size_t count = bpfh_exec_count(exec);

	while (*next < count && bpfh_exec_insn_offset(exec, *next) <= off) {
		char text[160];
		int n = bpfh_disasm_insn(p->insns, p->count, *next, BPFH_DISASM_C, text,
					 sizeof(text));

		printf("; %zu: %s\n", *next, text);
		*next += n > 0 ? (size_t)n : 1;
	}
	if (*next >= count && *next != (size_t)-1 && bpfh_exec_insn_offset(exec, count) <= off) {
		if ((size_t)off < size) /* else there are none */
			printf("; fault stubs\n");
		*next = (size_t)-1;
	}
}

static void hex_dump(const struct bpfh_obj_prog *p, const struct bpfh_exec *exec,
		     const uint8_t *code, size_t size)
{
	size_t next = 0, at = 0;

	printf("; entry and common code\n");
	while (at < size) {
		size_t end = size, k;
		long o;

		insns_at(p, exec, &next, (long)at, size);
		/* up to the next instruction's code, 16 bytes a line */
		if (next < bpfh_exec_count(exec)) {
			o = bpfh_exec_insn_offset(exec, next);
			if (o > 0 && (size_t)o < end)
				end = (size_t)o;
		} else if (next != (size_t)-1) {
			o = bpfh_exec_insn_offset(exec, bpfh_exec_count(exec));
			if (o > 0 && (size_t)o < end)
				end = (size_t)o;
		}
		if (end - at > 16)
			end = at + 16;
		if (end <= at) /* cannot happen: insns_at went past every offset <= at */
			end = at + 1;
		printf("%6zx:", at);
		for (k = at; k < end; k++)
			printf(" %02x", code[k]);
		printf("\n");
		at = end;
	}
	insns_at(p, exec, &next, (long)size, size);
}

#ifndef _WIN32
/* Disassemble with objdump; 0 when it printed the code, else -1 (nothing printed). */
static int objdump_dump(const struct bpfh_obj_prog *p, const struct bpfh_exec *exec,
			const uint8_t *code, size_t size)
{
	const char *tool = getenv("OBJDUMP"), *tmp = getenv("TMPDIR");
	char path[512], cmd[1200], line[512];
	size_t next = 0, lines = 0;
	FILE *f, *out;
	int fd, ok;

	if (!tool || !*tool)
		tool = "objdump";
	if (!tmp || !*tmp || strchr(tmp, '\''))
		tmp = "/tmp";
	if (strchr(tool, '\'') ||
	    snprintf(path, sizeof(path), "%s/bpfhost-jited-XXXXXX", tmp) >= (int)sizeof(path))
		return -1;
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	f = fdopen(fd, "wb");
	if (!f) {
		close(fd);
		unlink(path);
		return -1;
	}
	ok = fwrite(code, 1, size, f) == size;
	if (fclose(f) || !ok ||
	    snprintf(cmd, sizeof(cmd), "'%s' -D -b binary -m i386:x86-64 '%s' 2>/dev/null", tool,
		     path) >= (int)sizeof(cmd)) {
		unlink(path);
		return -1;
	}
	fflush(stdout);
	out = popen(cmd, "r");
	if (!out) {
		unlink(path);
		return -1;
	}
	/* Keep objdump's lines "  off:\tbytes\tinsn" and put the BPF instructions before them;
	 * the first such line proves objdump ran. */
	while (fgets(line, sizeof(line), out)) {
		char *end;
		unsigned long off = strtoul(line, &end, 16);

		if (end == line || *end != ':' || end[1] != '\t')
			continue;
		if (!lines++)
			printf("; entry and common code\n");
		insns_at(p, exec, &next, (long)off, size);
		fputs(line, stdout);
		if (!strchr(line, '\n'))
			putchar('\n');
	}
	pclose(out);
	unlink(path);
	if (!lines)
		return -1;
	insns_at(p, exec, &next, (long)size, size);
	return 0;
}
#endif

static void show_one(const struct bpfh_obj_prog *p, const struct bpfh_exec *exec, int json,
		     int first)
{
	const void *codev;
	const uint8_t *code;
	size_t size, i, count = bpfh_exec_count(exec);

	if (bpfh_exec_code(exec, &codev, &size))
		return;
	code = codev;
	if (json) {
		printf("%s{\"section\": ", first ? "" : ", ");
		cli_json_string(p->section);
		printf(", \"program\": ");
		cli_json_string(p->name);
		printf(", \"engine\": \"jit\", \"size\": %zu, \"code\": \"", size);
		for (i = 0; i < size; i++)
			printf("%02x", code[i]);
		printf("\", \"instructions\": [");
		for (i = 0; i < count && i < p->count;) {
			char text[160];
			int n = bpfh_disasm_insn(p->insns, p->count, i, BPFH_DISASM_C, text,
						 sizeof(text));

			printf("%s{\"index\": %zu, \"offset\": %ld, \"text\": ", i ? ", " : "", i,
			       bpfh_exec_insn_offset(exec, i));
			cli_json_string(text);
			printf("}");
			i += n > 0 ? (size_t)n : 1;
		}
		printf("], \"stubs_offset\": %ld}", bpfh_exec_insn_offset(exec, count));
		return;
	}
	printf("%s%s:%s: %zu instructions, %zu bytes of x86-64 code\n", first ? "" : "\n",
	       p->section, p->name, count, size);
#ifndef _WIN32
	if (!objdump_dump(p, exec, code, size))
		return;
#endif
	hex_dump(p, exec, code, size);
}

int cli_show_jited(const struct bpfh_object *obj, const char *which, int json)
{
	struct bpfh_instance *inst = NULL;
	struct bpfh_load_opts lo;
	struct bpfh_log log;
	char *logbuf = malloc(1 << 16);
	size_t i;
	int shown = 0, err;

	if (!logbuf)
		return 1;
	bpfh_log_init(&log, logbuf, 1 << 16);
	memset(&lo, 0, sizeof(lo));
	lo.sz = sizeof(lo);
	lo.engine = BPFH_ENGINE_JIT;
	err = bpfh_instance_create(obj, &lo, &log, &inst);
	if (err) {
		fputs(logbuf, stderr);
		fprintf(stderr, "bpfhost: %s: cannot prepare the programs for the JIT: %s\n",
			obj->name, strerror(-err));
		free(logbuf);
		return 1;
	}
	if (json)
		printf("[");
	for (i = 0; i < obj->nprogs; i++) {
		const struct bpfh_obj_prog *p = &obj->progs[i];
		struct bpfh_prog *prog;

		if (which && strcmp(which, p->name) && strcmp(which, p->section))
			continue;
		prog = bpfh_instance_prog(inst, p->name);
		if (!prog || !bpfh_prog_exec(prog))
			continue;
		show_one(p, bpfh_prog_exec(prog), json, !shown);
		shown++;
	}
	if (json)
		printf("]\n");
	bpfh_instance_destroy(inst);
	free(logbuf);
	if (!shown) {
		fprintf(stderr, "bpfhost: %s: no program or section '%s'\n", obj->name,
			which ? which : "");
		return 1;
	}
	return 0;
}

int cli_show_jited_raw(const char *file, const char *data, size_t size, int json)
{
	struct bpfh_exec_opts eo;
	struct bpfh_obj_prog p;
	struct bpfh_exec *exec = NULL;
	struct bpfh_log log;
	char *logbuf = malloc(1 << 16);
	const char *base = strrchr(file, '/');
	int err;

	if (!logbuf)
		return 1;
	bpfh_log_init(&log, logbuf, 1 << 16);
	memset(&p, 0, sizeof(p));
	snprintf(p.section, sizeof(p.section), "%s", "raw");
	snprintf(p.name, sizeof(p.name), "%s", base ? base + 1 : file);
	err = cli_raw_program(file, data, size, &p.insns, &p.count, &log);
	if (err) { /* the log names the file and the line or the size */
		fputs(logbuf, stderr);
		goto out;
	}
	/* shown, never run: no verdict is needed for the code */
	memset(&eo, 0, sizeof(eo));
	eo.sz = sizeof(eo);
	eo.name = p.name;
	eo.verdict = BPFH_EXEC_UNVERIFIED;
	err = bpfh_exec_create(BPFH_ENGINE_JIT, p.insns, p.count, &eo, &log, &exec);
	if (err) {
		fputs(logbuf, stderr);
		fprintf(stderr, "bpfhost: %s: cannot prepare the program for the JIT: %s\n", file,
			strerror(-err));
	} else {
		if (json)
			printf("[");
		show_one(&p, exec, json, 1);
		if (json)
			printf("]\n");
	}
out:
	bpfh_exec_destroy(exec);
	free(p.insns);
	free(logbuf);
	return err ? 1 : 0;
}
