// SPDX-License-Identifier: MIT
/* Small text helpers the CLI's commands share: hex bytes in, JSON strings out. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/contexts.h"
#include "bpfhost/isa.h"
#include "bpfhost/obj.h"
#include "cli.h"

int cli_open_object(const char *path, const char *type, struct bpfh_log *log,
		    struct bpfh_object **out)
{
	struct bpfh_object_opts opts;
	int err;

	memset(&opts, 0, sizeof(opts));
	opts.sz = sizeof(opts);
	opts.target_btf = bpfh_context_btf();  /* CO-RE against bpfhost's contexts */
	if (type && bpfh_section_prog_type(type, &opts.prog_type, &opts.expected_attach_type)) {
		bpfh_log_printf(log, "bpfhost: unknown program type '%s' (give a section name such "
				"as xdp, socket, tc, cgroup/connect4 or bind)\n", type);
		return -EINVAL;
	}
	err = bpfh_object_open_file_opts(path, &opts, log, out);
	if (err && log->buf && strstr(log->buf, "gives no program type"))
		bpfh_log_printf(log, "bpfhost: give the program type with --type, e.g. --type xdp\n");
	return err;
}

/* Hex digits of s (spaces allowed between bytes) into a malloc'd buffer. */
int cli_parse_hex(const char *s, uint8_t **out, size_t *len)
{
	size_t n = 0, cap = strlen(s) / 2 + 1;
	uint8_t *buf = malloc(cap);
	int hi = -1;

	if (!buf)
		return -ENOMEM;
	for (; *s; s++) {
		int v;

		if (isspace((unsigned char)*s))
			continue;
		if (!isxdigit((unsigned char)*s)) {
			free(buf);
			return -EINVAL;
		}
		v = isdigit((unsigned char)*s) ? *s - '0' : (tolower((unsigned char)*s) - 'a' + 10);
		if (hi < 0) {
			hi = v;
		} else {
			buf[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	if (hi >= 0) {
		free(buf);
		return -EINVAL;
	}
	*out = buf;
	*len = n;
	return 0;
}

void cli_json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}


int cli_is_object(const char *data, size_t size)
{
	return size >= 4 && !memcmp(data, "\177ELF", 4);
}

int cli_raw_program(const char *file, const char *data, size_t size, struct bpfh_insn **insns,
		    size_t *count, struct bpfh_log *log)
{
	size_t n = strlen(file);
	char *text;
	int err;

	*insns = NULL;
	*count = 0;
	if (n > 4 && !strcmp(file + n - 4, ".bin")) {
		if (!size || size % sizeof(struct bpfh_insn)) {
			bpfh_log_printf(log, "%s: %zu bytes is not a whole number of 8-byte "
					"instructions\n", file, size);
			return -EINVAL;
		}
		*insns = malloc(size);
		if (!*insns)
			return -ENOMEM;
		memcpy(*insns, data, size);
		*count = size / sizeof(struct bpfh_insn);
		return 0;
	}
	text = malloc(size + 1);
	if (!text)
		return -ENOMEM;
	memcpy(text, data, size);
	text[size] = 0;
	err = bpfh_asm(text, file, 1, insns, count, log);
	free(text);
	return err;
}
