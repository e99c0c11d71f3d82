// SPDX-License-Identifier: MIT
/*
 * bpfhost show: inspection of object files in the style of netsh ebpf.
 *
 *   bpfhost show sections FILE [-j]                  programs: section, name, type, size
 *   bpfhost show disassembly FILE [SECTION|PROGRAM] [--style c|conf] [-j]
 *                                                    instructions with their source lines
 *   bpfhost show maps FILE [-j]                      map definitions
 *   bpfhost show jited FILE [SECTION|PROGRAM] [-j]   the JIT's machine code (jited.c)
 *   bpfhost show verification FILE [SECTION|PROGRAM] [--verbose] [-j] [--type T]
 *                                                    the verifier's verdict (verify.c)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/isa.h"
#include "bpfhost/obj.h"
#include "cli.h"
#include "../../src/platform/platform.h"

static const char *map_type_name(uint32_t t)
{
	switch (t) {
	case BPFH_MAP_TYPE_HASH: return "hash";
	case BPFH_MAP_TYPE_ARRAY: return "array";
	case BPFH_MAP_TYPE_PROG_ARRAY: return "prog_array";
	case BPFH_MAP_TYPE_PERF_EVENT_ARRAY: return "perf_event_array";
	case BPFH_MAP_TYPE_PERCPU_HASH: return "percpu_hash";
	case BPFH_MAP_TYPE_PERCPU_ARRAY: return "percpu_array";
	case BPFH_MAP_TYPE_LRU_HASH: return "lru_hash";
	case BPFH_MAP_TYPE_LRU_PERCPU_HASH: return "lru_percpu_hash";
	case BPFH_MAP_TYPE_LPM_TRIE: return "lpm_trie";
	case BPFH_MAP_TYPE_ARRAY_OF_MAPS: return "array_of_maps";
	case BPFH_MAP_TYPE_HASH_OF_MAPS: return "hash_of_maps";
	case BPFH_MAP_TYPE_DEVMAP: return "devmap";
	case BPFH_MAP_TYPE_QUEUE: return "queue";
	case BPFH_MAP_TYPE_STACK: return "stack";
	case BPFH_MAP_TYPE_DEVMAP_HASH: return "devmap_hash";
	case BPFH_MAP_TYPE_RINGBUF: return "ringbuf";
	case BPFH_MAP_TYPE_BLOOM_FILTER: return "bloom_filter";
	default: return "unknown";
	}
}

static int show_sections(const struct bpfh_object *obj, int json)
{
	size_t i;

	if (json)
		printf("[");
	else
		printf("%-24s %-24s %-18s %6s\n", "Section", "Program", "Type", "Insns");
	for (i = 0; i < obj->nprogs; i++) {
		const struct bpfh_obj_prog *p = &obj->progs[i];
		const char *type = bpfh_prog_type_name(p->prog_type);

		if (json) {
			printf("%s{\"section\": ", i ? ", " : "");
			cli_json_string(p->section);
			printf(", \"program\": ");
			cli_json_string(p->name);
			printf(", \"type\": \"%s\", \"type_id\": %u, \"attach_type\": %u, "
			       "\"instructions\": %zu}", type ? type : "unknown", p->prog_type,
			       p->expected_attach_type, p->count);
		} else {
			printf("%-24s %-24s %-18s %6zu\n", p->section, p->name, type ? type : "unknown",
			       p->count);
		}
	}
	if (json)
		printf("]\n");
	return 0;
}

static int show_maps(const struct bpfh_object *obj, int json)
{
	size_t i;

	if (json)
		printf("[");
	else
		printf("%-24s %-16s %8s %8s %11s %8s\n", "Map", "Type", "Key", "Value", "MaxEntries",
		       "Flags");
	for (i = 0; i < obj->nmaps; i++) {
		const struct bpfh_obj_map *m = &obj->maps[i];

		if (json) {
			printf("%s{\"name\": ", i ? ", " : "");
			cli_json_string(m->name);
			printf(", \"type\": \"%s\", \"type_id\": %u, \"key_size\": %u, "
			       "\"value_size\": %u, \"max_entries\": %u, \"map_flags\": %u, "
			       "\"inner\": %d, \"pinning\": %u}", map_type_name(m->def.type), m->def.type,
			       m->def.key_size, m->def.value_size, m->def.max_entries,
			       m->def.map_flags, m->inner, m->pinning);
		} else {
			printf("%-24s %-16s %8u %8u %11u %#8x\n", m->name, map_type_name(m->def.type),
			       m->def.key_size, m->def.value_size, m->def.max_entries,
			       m->def.map_flags);
		}
	}
	if (json)
		printf("]\n");
	return 0;
}

static void show_prog_disasm(const struct bpfh_obj_prog *p, enum bpfh_disasm_style style,
			     int json, int first)
{
	size_t i = 0, line = 0;

	if (json) {
		printf("%s{\"section\": ", first ? "" : ", ");
		cli_json_string(p->section);
		printf(", \"program\": ");
		cli_json_string(p->name);
		printf(", \"instructions\": [");
	} else {
		printf("%s:%s\n", p->section, p->name);
	}
	while (i < p->count) {
		char text[160];
		int n = bpfh_disasm_insn(p->insns, p->count, i, style, text, sizeof(text));

		while (line < p->nlines && p->lines[line].insn < i)
			line++;
		if (json) {
			printf("%s{\"index\": %zu, \"text\": ", i ? ", " : "", i);
			cli_json_string(text);
			if (line < p->nlines && p->lines[line].insn == i) {
				printf(", \"file\": ");
				cli_json_string(p->lines[line].file);
				printf(", \"line\": %u, \"source\": ", p->lines[line].line);
				cli_json_string(p->lines[line].text);
			}
			printf("}");
		} else {
			if (line < p->nlines && p->lines[line].insn == i && p->lines[line].line)
				printf("; %s:%u %s\n", p->lines[line].file, p->lines[line].line,
				       p->lines[line].text);
			printf("%6zu: %s\n", i, text);
		}
		i += n > 0 ? (size_t)n : 1;
	}
	if (json)
		printf("]}");
}

static int show_disassembly(const struct bpfh_object *obj, const char *which,
			    enum bpfh_disasm_style style, int json)
{
	size_t i;
	int shown = 0;

	if (json)
		printf("[");
	for (i = 0; i < obj->nprogs; i++) {
		const struct bpfh_obj_prog *p = &obj->progs[i];

		if (which && strcmp(which, p->name) && strcmp(which, p->section))
			continue;
		show_prog_disasm(p, style, json, !shown);
		shown++;
	}
	if (json)
		printf("]\n");
	if (!shown) {
		fprintf(stderr, "bpfhost: %s: no program or section '%s'\n", obj->name,
			which ? which : "");
		return 1;
	}
	return 0;
}

int cli_show(int argc, char **argv)
{
	enum bpfh_disasm_style style = BPFH_DISASM_C;
	const char *what, *file = NULL, *which = NULL, *type = NULL;
	struct bpfh_object *obj = NULL;
	struct bpfh_log log;
	char *logbuf;
	int i, json = 0, rc;

	if (argc < 1) {
		fprintf(stderr, "usage: bpfhost show sections|disassembly|maps|jited|verification "
			"FILE ...\n");
		return 2;
	}
	what = argv[0];
	if (!strcmp(what, "verification"))
		return cli_show_verification(argc - 1, argv + 1);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			json = 1;
		} else if (!strcmp(argv[i], "--type") && i + 1 < argc) {
			type = argv[++i];
		} else if (!strcmp(argv[i], "--style") && i + 1 < argc) {
			style = strcmp(argv[++i], "conf") ? BPFH_DISASM_C : BPFH_DISASM_CONF;
		} else if (!file) {
			file = argv[i];
		} else if (!which) {
			which = argv[i];
		} else {
			fprintf(stderr, "bpfhost show: unexpected argument '%s'\n", argv[i]);
			return 2;
		}
	}
	if (!file || (strcmp(what, "sections") && strcmp(what, "disassembly") &&
		      strcmp(what, "maps") && strcmp(what, "jited"))) {
		fprintf(stderr, "usage: bpfhost show sections|disassembly|maps|jited FILE "
			"[SECTION|PROGRAM] [-j]\n");
		return 2;
	}
	if (!strcmp(what, "jited")) { /* also a program outside an object */
		char *data = NULL;
		size_t size = 0;

		/* (a file that cannot be read: cli_open_object says why, below) */
		if (bpfh_file_read(file, &data, &size) == 0) {
			int elf = cli_is_object(data, size);

			if (!elf && which) {
				fprintf(stderr, "bpfhost: %s: not an object file: no sections to "
					"choose from\n", file);
				rc = 1;
			} else if (!elf) {
				rc = cli_show_jited_raw(file, data, size, json);
			}
			free(data);
			if (!elf)
				return rc;
		}
	}
	logbuf = malloc(1 << 16);
	if (!logbuf)
		return 1;
	bpfh_log_init(&log, logbuf, 1 << 16);
	if (cli_open_object(file, type, &log, &obj)) {
		fputs(logbuf, stderr);
		free(logbuf);
		return 1;
	}
	if (!strcmp(what, "sections"))
		rc = show_sections(obj, json);
	else if (!strcmp(what, "maps"))
		rc = show_maps(obj, json);
	else if (!strcmp(what, "jited"))
		rc = cli_show_jited(obj, which, json);
	else
		rc = show_disassembly(obj, which, style, json);
	bpfh_object_destroy(obj);
	free(logbuf);
	return rc;
}
