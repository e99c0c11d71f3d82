// SPDX-License-Identifier: MIT
/* Reader for conformance-format instruction test files (see datafile.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datafile.h"
#include "../../src/platform/platform.h"

/* Append the hex bytes of text to *buf. Returns 0 or -1 on a bad token. */
static int hex_bytes(const char *text, uint8_t **buf, size_t *len)
{
	const char *p = text;

	while (*p) {
		char tok[32];
		size_t n;
		uint8_t *nb;

		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		n = strcspn(p, " \t\r\n");
		if (n >= sizeof(tok))
			return -1;
		memcpy(tok, p, n);
		tok[n] = '\0';
		p += n;
		if (!strncmp(tok, "0x", 2) && n == 18) { /* one 64-bit instruction word */
			unsigned long long w;
			char *end;
			int i;

			w = strtoull(tok, &end, 16);
			if (*end)
				return -1;
			nb = realloc(*buf, *len + 8);
			if (!nb)
				return -1;
			*buf = nb;
			for (i = 0; i < 8; i++)
				(*buf)[(*len)++] = (uint8_t)(w >> (8 * i));
			continue;
		}
		if (n != 2 || !isxdigit((unsigned char)tok[0]) || !isxdigit((unsigned char)tok[1]))
			return -1;
		nb = realloc(*buf, *len + 1);
		if (!nb)
			return -1;
		*buf = nb;
		(*buf)[(*len)++] = (uint8_t)strtoul(tok, NULL, 16);
	}
	return 0;
}

enum datafile_stage datafile_load(const char *path, struct datafile *df, struct bpfh_log *log)
{
	char *text = NULL, *p, *section = NULL, *asm_text = NULL;
	size_t size, asm_cap = 0, asm_len = 0;
	unsigned line = 0, asm_first = 0;
	uint8_t *raw = NULL;
	size_t raw_len = 0;
	int has_raw = 0, has_asm = 0;
	enum datafile_stage st = DF_OK;
	char result_text[64] = "";

	memset(df, 0, sizeof(*df));
	if (bpfh_file_read(path, &text, &size) != 0) {
		bpfh_log_printf(log, "%s: cannot read\n", path);
		return DF_PARSE;
	}
	for (p = text; *p;) {
		size_t n = strcspn(p, "\n");
		char *l = p, *hash;

		line++;
		p += n;
		if (*p)
			*p++ = '\0';
		if (n && l[n - 1] == '\r')
			l[n - 1] = '\0';
		if (!strncmp(l, "-- ", 3) || !strcmp(l, "--")) {
			section = l + 2;
			while (*section == ' ')
				section++;
			if (!strcmp(section, "asm")) {
				has_asm = 1;
				asm_first = line + 1;
			} else if (!strcmp(section, "raw")) {
				has_raw = 1;
			} else if (!strcmp(section, "mem")) {
				df->has_mem = 1;
			} else if (!strcmp(section, "result")) {
				df->has_result = 1;
			} else if (!strcmp(section, "error")) {
				df->has_error = 1;
			} else if (strcmp(section, "c") && strcmp(section, "no register offset")) {
				bpfh_log_printf(log, "%s:%u: unknown directive '-- %s'\n", path, line,
						section);
				st = DF_ASM;
				goto out;
			}
			continue;
		}
		if (!section)
			continue;
		if (!strcmp(section, "asm")) {
			/* Keep lines (comments too) so messages carry the file's line numbers. */
			size_t need = asm_len + strlen(l) + 2;

			if (need > asm_cap) {
				char *nb = realloc(asm_text, need * 2);

				if (!nb)
					goto oom;
				asm_text = nb;
				asm_cap = need * 2;
			}
			asm_len += (size_t)sprintf(asm_text + asm_len, "%s\n", l);
			continue;
		}
		if (!strcmp(section, "error")) {
			if (!df->error[0])
				snprintf(df->error, sizeof(df->error), "%s", l);
			continue;
		}
		hash = strchr(l, '#');
		if (hash)
			*hash = '\0';
		if (!strcmp(section, "raw") || !strcmp(section, "mem")) {
			int bad = !strcmp(section, "raw") ? hex_bytes(l, &raw, &raw_len)
							  : hex_bytes(l, &df->mem, &df->mem_len);
			if (bad) {
				bpfh_log_printf(log, "%s:%u: bad hex in -- %s\n", path, line, section);
				st = DF_PARSE;
				goto out;
			}
		} else if (!strcmp(section, "result")) {
			char *t = l;

			while (isspace((unsigned char)*t))
				t++;
			if (*t && !result_text[0])
				snprintf(result_text, sizeof(result_text), "%s", t);
		}
	}
	if (df->has_result) {
		char *end;

		errno = 0;
		df->result = strtoull(result_text, &end, 16);
		while (isspace((unsigned char)*end))
			end++;
		if (!result_text[0] || *end || errno) {
			bpfh_log_printf(log, "%s: bad -- result '%s'\n", path, result_text);
			st = DF_PARSE;
			goto out;
		}
	}
	if (has_raw) {
		if (raw_len == 0 || raw_len % 8) {
			bpfh_log_printf(log, "%s: -- raw holds %zu bytes, not whole instructions\n",
					path, raw_len);
			st = raw_len ? DF_PARSE : DF_EMPTY;
			goto out;
		}
		df->count = raw_len / 8;
		df->insns = malloc(raw_len);
		if (!df->insns)
			goto oom;
		memcpy(df->insns, raw, raw_len);
	} else if (has_asm) {
		if (bpfh_asm(asm_text ? asm_text : "", path, asm_first, &df->insns, &df->count, log)) {
			st = DF_ASM;
			goto out;
		}
	} else {
		bpfh_log_printf(log, "%s: no program (neither -- asm nor -- raw)\n", path);
		st = DF_EMPTY;
	}
out:
	free(text);
	free(raw);
	free(asm_text);
	if (st != DF_OK)
		datafile_free(df);
	return st;
oom:
	bpfh_log_printf(log, "%s: out of memory\n", path);
	st = DF_PARSE;
	goto out;
}

void datafile_free(struct datafile *df)
{
	free(df->insns);
	free(df->mem);
	df->insns = NULL;
	df->mem = NULL;
}
