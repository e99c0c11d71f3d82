// SPDX-License-Identifier: MIT
/*
 * An object's program verified as the load path would run it: its linked image (the program's
 * function and subprograms, lddw map references by index in the object, exactly what
 * bpfh_instance_create prepares), the object's maps described in that index order, and the
 * program type of its section unless the caller names one. The verifier's line is prefixed
 * with "FILE:PROGRAM: " and, when BTF line info covers the rejected instruction, followed by
 * " at source.c:LINE". Creates nothing: no map, no engine.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/btf.h"
#include "bpfhost/prog.h"
#include "bpfhost/verify.h"

/* Offset of a top-level struct bpf_spin_lock in the map's value type, or -1 (Linux looks for
 * it there only). */
static int32_t spin_lock_off(const struct bpfh_object *obj, const struct bpfh_obj_map *om)
{
	const struct bpfh_btf_type *t;
	uint32_t id, i;

	if (!obj->btf || !om->btf_value_type_id || om->kind == BPFH_OBJ_MAP_DATA ||
	    om->kind == BPFH_OBJ_MAP_RODATA || om->kind == BPFH_OBJ_MAP_BSS ||
	    om->kind == BPFH_OBJ_MAP_KCONFIG)
		return -1;
	id = bpfh_btf_resolve(obj->btf, om->btf_value_type_id);
	t = bpfh_btf_type_by_id(obj->btf, id);
	if (!t || t->kind != BPFH_BTF_KIND_STRUCT)
		return -1;
	for (i = 0; i < t->vlen; i++) {
		struct bpfh_btf_member m;
		const struct bpfh_btf_type *mt;

		if (bpfh_btf_member(obj->btf, id, i, &m))
			break;
		mt = bpfh_btf_type_by_id(obj->btf, bpfh_btf_resolve(obj->btf, m.type));
		if (mt && mt->kind == BPFH_BTF_KIND_STRUCT && !strcmp(mt->name, "bpf_spin_lock"))
			return (int32_t)(m.bit_offset / 8);
	}
	return -1;
}

/* Descriptions of obj's maps in lddw index order; read-only global data gets its bytes (zero
 * padded to value_size in *frozen_bufs, which the caller frees). */
static int describe_maps(const struct bpfh_object *obj, struct bpfh_verify_map **out,
			 uint8_t ***frozen_bufs)
{
	struct bpfh_verify_map *maps = calloc(obj->nmaps + 1, sizeof(*maps));
	uint8_t **bufs = calloc(obj->nmaps + 1, sizeof(*bufs));
	size_t i;

	if (!maps || !bufs) {
		free(maps);
		free(bufs);
		return -ENOMEM;
	}
	for (i = 0; i < obj->nmaps; i++) {
		const struct bpfh_obj_map *om = &obj->maps[i];
		struct bpfh_verify_map *m = &maps[i];
		int32_t lock;

		m->type = om->def.type;
		m->key_size = om->def.key_size;
		m->value_size = om->def.value_size;
		m->max_entries = om->def.max_entries;
		/* as the instance creates it: one perf event array slot per CPU */
		if (m->type == BPFH_MAP_TYPE_PERF_EVENT_ARRAY && !m->max_entries)
			m->max_entries = bpfh_cpu_possible();
		m->map_flags = om->def.map_flags;
		lock = spin_lock_off(obj, om);
		if (lock >= 0) {
			m->has_spin_lock = 1;
			m->spin_lock_off = (uint32_t)lock;
		}
		if (om->inner >= 0 && (size_t)om->inner < obj->nmaps) {
			m->has_inner = 1;
			m->inner = (uint32_t)om->inner;
		}
		m->frozen = NULL;
		if ((om->kind == BPFH_OBJ_MAP_RODATA || om->kind == BPFH_OBJ_MAP_KCONFIG) &&
		    om->init && om->init_size <= om->def.value_size) {
			if (om->init_size == om->def.value_size) {
				m->frozen = om->init;
			} else {
				bufs[i] = calloc(1, om->def.value_size);
				if (!bufs[i])
					goto nomem;
				memcpy(bufs[i], om->init, om->init_size);
				m->frozen = bufs[i];
			}
		}
	}
	*out = maps;
	*frozen_bufs = bufs;
	return 0;
nomem:
	for (i = 0; i < obj->nmaps; i++)
		free(bufs[i]);
	free(bufs);
	free(maps);
	return -ENOMEM;
}

/* " at FILE:LINE" of the line info entry covering insn, or "". */
static void source_of(const struct bpfh_obj_prog *prog, size_t insn, char *buf, size_t size)
{
	const struct bpfh_obj_line *best = NULL;
	size_t i;

	buf[0] = 0;
	for (i = 0; i < prog->nlines && prog->lines[i].insn <= insn; i++)
		if (prog->lines[i].line)
			best = &prog->lines[i];
	if (best && best->file) {
		const char *base = strrchr(best->file, '/');

		snprintf(buf, size, " at %s:%u", base ? base + 1 : best->file, best->line);
	}
}

int bpfh_object_verify_prog(const struct bpfh_object *obj, const struct bpfh_obj_prog *prog,
			    const struct bpfh_object_verify_opts *opts,
			    struct bpfh_verify_result *result, struct bpfh_log *log)
{
	struct bpfh_verify_prog_type memtype;
	struct bpfh_verify_result res;
	struct bpfh_verify_input in;
	struct bpfh_verify_map *maps = NULL;
	struct bpfh_log vlog;
	uint8_t **bufs = NULL;
	char *vbuf = NULL, src[160];
	size_t i;
	int err;

	memset(&res, 0, sizeof(res));
	memset(&in, 0, sizeof(in));
	if (!obj || !prog || prog < obj->progs || prog >= obj->progs + obj->nprogs) {
		err = -EINVAL;
		goto out;
	}
	if (opts && opts->sz >= offsetof(struct bpfh_object_verify_opts, type) + sizeof(opts->type))
		in.type = opts->type;
	if (opts && opts->sz >= offsetof(struct bpfh_object_verify_opts, options) +
	    sizeof(opts->options))
		in.opts = opts->options;
	if (!in.type) {
		in.type = bpfh_verify_type_of(prog->prog_type, prog->expected_attach_type);
		if (!in.type) {
			const char *name = bpfh_prog_type_name(prog->prog_type);

			bpfh_log_printf(log, "%s:%s: program type %s (%u) has no verifier description\n",
					obj->name, prog->name, name ? name : "?", prog->prog_type);
			err = -ENOTSUP;
			goto out;
		}
		if (prog->prog_type == BPFH_PROG_TYPE_MEMORY) {
			memtype = bpfh_verify_type_memory(opts && opts->sz >= offsetof(struct
				  bpfh_object_verify_opts, mem_size) + sizeof(opts->mem_size) ?
				  opts->mem_size : 0);
			in.type = &memtype;
		}
	}
	err = describe_maps(obj, &maps, &bufs);
	if (err)
		goto out;
	vbuf = malloc(1024);
	if (!vbuf) {
		err = -ENOMEM;
		goto out;
	}
	bpfh_log_init(&vlog, vbuf, 1024);
	in.insns = prog->insns;
	in.count = prog->count;
	in.maps = maps;
	in.nmaps = obj->nmaps;
	err = bpfh_verify(&in, &res, &vlog);
	if (vlog.len) {
		const char *line = vbuf;

		src[0] = 0;
		if (err == -EACCES)
			source_of(prog, res.reject_insn, src, sizeof(src));
		/* one line from the verifier; should it give more, each gets the prefix and the
		 * last the source line */
		while (*line) {
			const char *nl = strchr(line, '\n');
			size_t n = nl ? (size_t)(nl - line) : strlen(line);
			int last = !nl || !nl[1];

			bpfh_log_printf(log, "%s:%s: %.*s%s\n", obj->name, prog->name, (int)n, line,
					last ? src : "");
			line += n + (nl ? 1 : 0);
		}
	} else if (err && err != -EACCES) {
		bpfh_log_printf(log, "%s:%s: cannot verify (%s)\n", obj->name, prog->name,
				strerror(-err));
	}
out:
	if (result)
		*result = res;
	for (i = 0; bufs && i < obj->nmaps; i++)
		free(bufs[i]);
	free(bufs);
	free(maps);
	free(vbuf);
	return err;
}
