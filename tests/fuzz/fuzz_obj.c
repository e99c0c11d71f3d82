// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the object loader (src/obj): any bytes must open or be refused with
 * -EINVAL (or -E2BIG, -ENOMEM) and a one-line message "fuzz.o: section S, offset 0xO: ...".
 * What opens is walked completely (every instruction through the decoder, every line, func,
 * CO-RE record, map, slot and BTF type), so that a pointer the loader handed out that points
 * nowhere shows up under ASan. Input that starts with the BTF magic (9f eb) goes to the BTF
 * parser alone, which mutations of whole objects reach less often. Inputs whose last byte is
 * even are opened with bpfhost's context BTF as the CO-RE target, so that the relocation code
 * (access strings, candidate matching, patching) sees mutated records, types and code. Seeds: the
 * objects built from tests/data/obj and their .BTF sections (tests/fuzz/run.sh).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bpfhost/contexts.h"
#include "bpfhost/obj.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t sink;

static void walk_btf(const struct bpfh_btf *btf)
{
	uint32_t id, i, n = bpfh_btf_type_count(btf);

	for (id = 0; id < n; id++) {
		const struct bpfh_btf_type *t = bpfh_btf_type_by_id(btf, id);
		struct bpfh_btf_member m;
		struct bpfh_btf_var_secinfo vi;
		struct bpfh_btf_array a;
		struct bpfh_btf_int in;
		const char *name;
		int64_t v;
		uint32_t u;
		int32_t ci;

		sink += strlen(t->name) + (size_t)bpfh_btf_size(btf, id) + bpfh_btf_resolve(btf, id);
		sink += (size_t)bpfh_btf_align(btf, id);
		if (bpfh_btf_array(btf, id, &a) == 0)
			sink += a.nelems + a.type;
		if (bpfh_btf_int(btf, id, &in) == 0)
			sink += in.bits;
		if (bpfh_btf_decl_tag(btf, id, &ci) == 0)
			sink += (size_t)ci;
		if (bpfh_btf_var_linkage(btf, id, &u) == 0)
			sink += u;
		if (t->kind == BPFH_BTF_KIND_STRUCT || t->kind == BPFH_BTF_KIND_UNION)
			sink += (size_t)bpfh_btf_member_by_name(btf, id, "x", &m);
		if (t->name[0] && id < 64)
			sink += (size_t)bpfh_btf_find(btf, t->name, (int)t->kind);
		for (i = 0; i < t->vlen && i < 64; i++) {
			if (bpfh_btf_member(btf, id, i, &m) == 0)
				sink += strlen(m.name) + m.type;
			if (bpfh_btf_enum_value(btf, id, i, &name, &v) == 0)
				sink += strlen(name) + (size_t)v;
			if (bpfh_btf_param(btf, id, i, &name, &u) == 0)
				sink += strlen(name) + u;
			if (bpfh_btf_datasec_var(btf, id, i, &vi) == 0)
				sink += vi.offset + vi.size;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bpfh_object_opts opts = { .sz = sizeof(opts), .prog_type = 6 };
	static char logbuf[4096];
	struct bpfh_object *obj = NULL;
	struct bpfh_log log;
	size_t i, j;
	int err;

	bpfh_log_init(&log, logbuf, sizeof(logbuf));
	if (size >= 2 && data[0] == 0x9f && data[1] == 0xeb) {
		struct bpfh_btf *btf = NULL;

		err = bpfh_btf_create(data, size, "fuzz.o", &log, &btf);
		if (err == 0)
			walk_btf(btf);
		else if (err != -ENOMEM && (err != -EINVAL || btf ||
					    strncmp(logbuf, "fuzz.o: section .BTF, offset 0x", 31) ||
					    strchr(logbuf, '\n') != logbuf + log.len - 1))
			abort();
		bpfh_btf_destroy(btf);
		return 0;
	}
	/* CO-RE against bpfhost's contexts, unless the last byte is odd (objects end with the
	 * section header table, mostly zeros: the seeds take the CO-RE path, one flipped bit
	 * the other). */
	if (size && !(data[size - 1] & 1))
		opts.target_btf = bpfh_context_btf();
	err = bpfh_object_open_opts(data, size, "fuzz.o", &opts, &log, &obj);
	if (err) {
		if (obj)
			abort();
		if (err == -ENOMEM)
			return 0;
		if ((err != -EINVAL && err != -E2BIG) || strncmp(logbuf, "fuzz.o: section ", 16) ||
		    !strstr(logbuf, ", offset 0x") || strchr(logbuf, '\n') != logbuf + log.len - 1)
			abort();
		return 0;
	}
	for (i = 0; i < obj->nprogs; i++) {
		const struct bpfh_obj_prog *p = &obj->progs[i];
		uint8_t *ops = malloc(p->count ? p->count : 1);

		if (ops) {
			bpfh_log_init(&log, logbuf, sizeof(logbuf));
			sink += (size_t)bpfh_isa_decode(p->insns, p->count, ops, &log);
			free(ops);
		}
		sink += strlen(p->name) + strlen(p->section) + p->prog_type;
		for (j = 0; j < p->nlines; j++) {
			if (p->lines[j].insn >= p->count)
				abort();
			sink += strlen(p->lines[j].file) + strlen(p->lines[j].text);
		}
		for (j = 0; j < p->nfuncs; j++) {
			if ((uint64_t)p->funcs[j].insn + p->funcs[j].count > p->count)
				abort();
			sink += strlen(p->funcs[j].name);
		}
		for (j = 0; j < p->ncore_relos; j++) {
			if (p->core_relos[j].insn >= p->count)
				abort();
			sink += strlen(p->core_relos[j].access);
		}
		for (j = 0; j + 1 < p->count; j++) {
			const struct bpfh_insn *in = &p->insns[j];

			if (in->code != 0x18)
				continue;
			if ((in->src == 5 || in->src == 6) &&
			    (in->imm < 0 || (size_t)in->imm >= obj->nmaps))
				abort();
			j++;
		}
	}
	for (i = 0; i < obj->nmaps; i++) {
		const struct bpfh_obj_map *m = &obj->maps[i];

		if (m->inner >= (int)obj->nmaps)
			abort();
		for (j = 0; j < m->init_size; j++)
			sink += m->init[j];
		for (j = 0; j < m->nslots; j++)
			if (m->slots[j].index >= (m->def.type == 3 ? obj->nprogs : obj->nmaps))
				abort();
		sink += strlen(m->name) + strlen(m->def.name);
	}
	if (obj->btf)
		walk_btf(obj->btf);
	bpfh_object_destroy(obj);
	return 0;
}
