// SPDX-License-Identifier: MIT
/* The verifier's case files (vcase.h). */
#include <dirent.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/obj.h"
#include "vcase.h"

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

static void reset_case(struct vcase *c, const char *name)
{
	free(c->asm_text);
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%.127s", name);
	strcpy(c->type, "memory");
	c->verdict = -1;
}

/* Short names for the program types a case may give, with the attach type where it matters;
 * anything else is taken as a section name ("cgroup/connect4", "cgroup_skb/egress", "tc"). */
static const struct {
	const char *name;
	uint32_t prog_type, attach_type;
} vcase_types[] = {
	{ "xdp", BPFH_PROG_TYPE_XDP, 0 },
	{ "xdp_devmap", BPFH_PROG_TYPE_XDP, BPFH_XDP_DEVMAP },
	{ "socket", BPFH_PROG_TYPE_SOCKET_FILTER, 0 },
	{ "socket_filter", BPFH_PROG_TYPE_SOCKET_FILTER, 0 },
	{ "tc", BPFH_PROG_TYPE_SCHED_CLS, 0 },
	{ "sched_cls", BPFH_PROG_TYPE_SCHED_CLS, 0 },
	{ "sched_act", BPFH_PROG_TYPE_SCHED_ACT, 0 },
	{ "cgroup_skb", BPFH_PROG_TYPE_CGROUP_SKB, BPFH_CGROUP_INET_INGRESS },
	{ "cgroup_skb_ingress", BPFH_PROG_TYPE_CGROUP_SKB, BPFH_CGROUP_INET_INGRESS },
	{ "cgroup_skb_egress", BPFH_PROG_TYPE_CGROUP_SKB, BPFH_CGROUP_INET_EGRESS },
	{ "bind", BPFH_PROG_TYPE_BIND, 0 },
};

/* "sock_addr" alone, or "sock_addr_ATTACH" / "sock_addr/ATTACH" (connect4, sendmsg6, ...):
 * the section name cgroup/ATTACH says which. */
static int sock_addr_type(const char *s, uint32_t *prog_type, uint32_t *attach_type)
{
	char section[48];

	if (strncmp(s, "sock_addr", 9))
		return -1;
	*prog_type = BPFH_PROG_TYPE_CGROUP_SOCK_ADDR;
	*attach_type = 0xffffffffu; /* none of the sock_addr attach types */
	if (!s[9])
		return 0;
	if (s[9] != '_' && s[9] != '/')
		return -1;
	snprintf(section, sizeof(section), "cgroup/%.32s", s + 10);
	if (bpfh_section_prog_type(section, prog_type, attach_type) ||
	    *prog_type != BPFH_PROG_TYPE_CGROUP_SOCK_ADDR)
		return -1;
	return 0;
}

int vcase_type(const struct vcase *c, struct bpfh_verify_prog_type *type)
{
	const struct bpfh_verify_prog_type *t;
	uint32_t prog_type = 0, attach_type = 0;
	size_t i;

	if (!strcmp(c->type, "memory")) {
		*type = bpfh_verify_type_memory(c->mem_size);
		type->ctx_writable = !c->ctx_readonly;
		goto ret;
	}
	if (c->ctx_readonly)
		return -1; /* only memory programs' contexts are untyped */
	for (i = 0; i < sizeof(vcase_types) / sizeof(vcase_types[0]); i++)
		if (!strcmp(c->type, vcase_types[i].name))
			break;
	if (i < sizeof(vcase_types) / sizeof(vcase_types[0])) {
		prog_type = vcase_types[i].prog_type;
		attach_type = vcase_types[i].attach_type;
	} else if (sock_addr_type(c->type, &prog_type, &attach_type) &&
		   bpfh_section_prog_type(c->type, &prog_type, &attach_type)) {
		return -1;
	}
	t = bpfh_verify_type_of(prog_type, attach_type);
	if (!t || prog_type == BPFH_PROG_TYPE_MEMORY)
		return -1;
	*type = *t;
ret:
	if (c->has_ret) {
		type->ret_min = c->ret_min;
		type->ret_max = c->ret_max;
	}
	return 0;
}

/*
 * Map attributes: spin_lock=OFF (the value holds a bpf_spin_lock at OFF), inner=INDEX (a
 * map-in-map whose inner maps maps[INDEX] describes), flags=N (map_flags, C syntax: 0x80 is
 * BPF_F_RDONLY_PROG), frozen="TEXT" (the frozen value of key 0: TEXT with C escapes \n \t
 * \\ \" \xHH and \0, no spaces (write \x20), zero-filled up to value_size) or frozen=0xHEX
 * (bytes in hex). The frozen bytes live in a static pool reused after 16 more frozen=
 * attributes: valid through the case's callback, not beyond.
 */
int vcase_map_attr(struct bpfh_verify_map *map, const char *name, const char *value)
{
	static uint8_t pool[16][1024];
	static unsigned next;
	char *end;
	unsigned long v;

	if (!strcmp(name, "frozen")) {
		uint8_t *buf = pool[next];
		size_t n = 0, len = strlen(value);

		if (map->value_size > sizeof(pool[0]))
			return -1;
		memset(buf, 0, sizeof(pool[0]));
		if (len > 2 && value[0] == '0' && (value[1] == 'x' || value[1] == 'X')) {
			for (size_t i = 2; i < len; i += 2) {
				char hex[3] = { value[i], value[i + 1], 0 };

				if (!value[i + 1] || n >= map->value_size)
					return -1;
				buf[n++] = (uint8_t)strtoul(hex, &end, 16);
				if (*end)
					return -1;
			}
		} else {
			if (len < 2 || value[0] != '"' || value[len - 1] != '"')
				return -1;
			for (size_t i = 1; i < len - 1; i++) {
				int c = (unsigned char)value[i];

				if (c == '\\' && i + 1 < len - 1) {
					c = (unsigned char)value[++i];
					if (c == 'n') {
						c = '\n';
					} else if (c == 't') {
						c = '\t';
					} else if (c == '0') {
						c = 0;
					} else if (c == 'x' && i + 2 < len - 1) {
						char hex[3] = { value[i + 1], value[i + 2], 0 };

						c = (int)strtoul(hex, &end, 16);
						if (*end)
							return -1;
						i += 2;
					} else if (c != '\\' && c != '"') {
						return -1;
					}
				}
				if (n >= map->value_size)
					return -1;
				buf[n++] = (uint8_t)c;
			}
		}
		map->frozen = buf;
		next = (next + 1) % (sizeof(pool) / sizeof(pool[0]));
		return 0;
	}
	v = strtoul(value, &end, 0);
	if (!*value || *end || v > UINT32_MAX)
		return -1;
	if (!strcmp(name, "spin_lock")) {
		map->has_spin_lock = 1;
		map->spin_lock_off = (uint32_t)v;
	} else if (!strcmp(name, "inner")) {
		map->has_inner = 1;
		map->inner = (uint32_t)v;
	} else if (!strcmp(name, "flags")) {
		map->map_flags = (uint32_t)v;
	} else {
		return -1;
	}
	return 0;
}

/* "INDEX TYPE KEY VALUE MAX [NAME=VALUE ...]" into c->maps; NULL or what is wrong. */
static const char *map_line(struct vcase *c, char *s)
{
	unsigned idx, t, k, v, m;
	int used = 0;
	char *tok;

	if (sscanf(s, "%u %u %u %u %u%n", &idx, &t, &k, &v, &m, &used) != 5 ||
	    idx >= VCASE_MAX_MAPS)
		return "bad map line";
	memset(&c->maps[idx], 0, sizeof(c->maps[idx]));
	c->maps[idx].type = t;
	c->maps[idx].key_size = k;
	c->maps[idx].value_size = v;
	c->maps[idx].max_entries = m;
	for (tok = strtok(s + used, " \t"); tok; tok = strtok(NULL, " \t")) {
		char *eq = strchr(tok, '=');

		if (!eq)
			return "bad map attribute (NAME=VALUE)";
		*eq = 0;
		if (vcase_map_attr(&c->maps[idx], tok, eq + 1))
			return "unknown map attribute";
	}
	if (idx + 1 > c->nmaps)
		c->nmaps = idx + 1;
	return NULL;
}

enum section { S_NONE, S_ASM, S_MAPS };

int vcase_read_file(const char *path, vcase_fn fn, void *arg)
{
	FILE *f = fopen(path, "r");
	char line[512], err[600];
	struct vcase c;
	enum section sec = S_NONE;
	unsigned lineno = 0;
	bool any = false;

	if (!f)
		return -1;
	memset(&c, 0, sizeof(c));
	reset_case(&c, strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
	while (fgets(line, sizeof(line), f)) {
		char *s = line;
		size_t n = strlen(s);

		lineno++;
		while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
			s[--n] = 0;
		if (!strncmp(s, "== ", 3)) {
			if (any)
				fn(arg, path, &c, NULL);
			reset_case(&c, s + 3);
			any = true;
			sec = S_NONE;
			continue;
		}
		if (s[0] == '#')
			continue;
		if (!strncmp(s, "-- ", 3)) {
			char *a = s + 3;

			any = true;
			sec = S_NONE;
			if (!strncmp(a, "asm", 3)) {
				sec = S_ASM;
				c.asm_line = lineno + 1;
			} else if (!strncmp(a, "maps", 4)) {
				sec = S_MAPS;
			} else if (!strncmp(a, "type ", 5)) {
				sscanf(a + 5, "%31s %u", c.type, &c.mem_size);
			} else if (!strncmp(a, "verdict ", 8)) {
				c.verdict = !strcmp(a + 8, "accept");
			} else if (!strncmp(a, "message ", 8)) {
				snprintf(c.message, sizeof(c.message), "%.255s", a + 8);
			} else if (!strncmp(a, "options ", 8)) {
				c.privileged = strstr(a, "privileged") != NULL;
				c.allow_unreachable = strstr(a, "allow_unreachable") != NULL;
				if (strstr(a, "max_states="))
					c.max_states = strtoul(strstr(a, "max_states=") + 11,
							       NULL, 10);
				if (strstr(a, "max_memory="))
					c.max_memory = strtoull(strstr(a, "max_memory=") + 11,
								NULL, 10);
				c.ctx_readonly = strstr(a, "ctx_readonly") != NULL;
				c.has_ret = strstr(a, "return=") &&
					    sscanf(strstr(a, "return=") + 7, "%" SCNd64 ",%" SCNd64,
						   &c.ret_min, &c.ret_max) == 2;
			} else {
				snprintf(err, sizeof(err), "line %u: unknown section %.80s", lineno, a);
				fn(arg, path, &c, err);
			}
			continue;
		}
		if (sec == S_ASM) {
			append_asm(&c, s);
		} else if (sec == S_MAPS && s[0]) {
			const char *why = map_line(&c, s);

			if (why) {
				snprintf(err, sizeof(err), "line %u: %s", lineno, why);
				fn(arg, path, &c, err);
			}
		}
	}
	fclose(f);
	if (any)
		fn(arg, path, &c, NULL);
	free(c.asm_text);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void vcase_input(const struct vcase *c, const struct bpfh_verify_prog_type *type,
		 const struct bpfh_insn *insns, size_t count, struct bpfh_verify_input *in)
{
	memset(in, 0, sizeof(*in));
	in->insns = insns;
	in->count = count;
	in->type = type;
	in->maps = c->maps;
	in->nmaps = c->nmaps;
	in->opts.privileged = c->privileged;
	in->opts.allow_unreachable = c->allow_unreachable;
	in->opts.max_states = c->max_states;
	in->opts.max_memory = c->max_memory;
}

int vcase_list_dir(const char *dir, char **names, size_t max)
{
	size_t n = 0;
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL && n < max) {
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
